//! Plan files (`plan -o FILE`): the plan as data, with what it was made from, so that
//! `apply FILE` can do exactly what was reviewed or refuse because the world moved.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::Plan;

/// What `plan -o` writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    /// Marks the file as a dingform plan (and its format version).
    pub dingform_plan: u32,
    /// The workspace directory the plan was made for (absolute).
    pub workspace: PathBuf,
    /// The same directory relative to the plan file's, when the workspace is inside it: a plan
    /// made on one CI runner applies on another, where the checkout sits elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_relative: Option<PathBuf>,
    /// The plan.
    pub plan: Plan,
    /// SHA-256 over the rest of the file, so that `apply` refuses a file edited after `plan`
    /// wrote it: the fingerprints cover the world the plan saw, not the plan's own changes.
    #[serde(default)]
    pub digest: String,
}

/// The workspace `apply PLANFILE` acts on, and why that one (said before anything is done).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The workspace directory.
    pub dir: PathBuf,
    /// Why: "where it was made", "the current directory", "beside the plan file".
    pub why: &'static str,
    /// Whether it is the directory the plan was made in.
    pub made_here: bool,
}

/// Why a plan file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// Unreadable.
    #[error("cannot read the plan file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Changed after `plan` wrote it.
    #[error(
        "{}: the plan file was edited after `dingform plan` wrote it (its content no longer matches its digest), so it is not the plan that was reviewed; make a new one with `dingform plan -o {}` and review it",
        path.display(), path.display()
    )]
    Edited {
        /// The file.
        path: PathBuf,
    },
    /// No workspace to apply it in.
    #[error(
        "{}: cannot tell which workspace to apply the plan to: it was made in {}, which holds no dingform.yaml now, and neither does the current directory; run `dingform apply` from the workspace's directory",
        path.display(), made_in.display()
    )]
    NoWorkspace {
        /// The file.
        path: PathBuf,
        /// Where it was made.
        made_in: PathBuf,
    },
    /// Not a plan file, or from an incompatible dingform.
    #[error("{}: not a dingform plan file of format {}: {message}", path.display(), super::FORMAT_VERSION)]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl PlanFile {
    /// A plan file for `plan` made in `workspace`.
    pub fn new(workspace: &Path, plan: Plan) -> PlanFile {
        let workspace =
            std::fs::canonicalize(workspace).unwrap_or_else(|_| workspace.to_path_buf());
        PlanFile {
            dingform_plan: super::FORMAT_VERSION,
            workspace,
            workspace_relative: None,
            plan,
            digest: String::new(),
        }
    }

    /// The digest of everything in the file but the digest itself.
    fn content_digest(&self) -> String {
        let mut unsealed = self.clone();
        unsealed.digest.clear();
        let bytes = serde_json::to_vec(&unsealed).expect("a plan serializes");
        hex::encode(sha2::Sha256::digest(bytes))
    }

    /// Refuse a file whose content is not what `plan` wrote ([`PlanFileError::Edited`]).
    pub fn check_unedited(&self, path: &Path) -> Result<(), PlanFileError> {
        if self.digest != self.content_digest() {
            return Err(PlanFileError::Edited {
                path: path.to_path_buf(),
            });
        }
        Ok(())
    }

    /// The workspace to apply the plan file at `plan_file` in, run from `current_dir`:
    /// 1. the workspace the file lies in, when `plan -o` wrote it inside (or beside) it: a plan
    ///    carried to another checkout or CI runner with its checkout applies there;
    /// 2. else the current directory, when it is a workspace: the checkout you run it from;
    /// 3. else the directory it was made in, when that is still a workspace.
    ///
    /// The manifests' fingerprint makes any of them safe: a workspace whose manifests differ
    /// from the ones planned is refused as stale, naming the files.
    pub fn target(&self, plan_file: &Path, current_dir: &Path) -> Result<Target, PlanFileError> {
        let is_workspace = |dir: &Path| dir.join(crate::manifest::SETTINGS_FILE).is_file();
        let real = |dir: &Path| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let target = |dir: PathBuf, why: &'static str| {
            let dir = real(&dir);
            Target {
                made_here: dir == self.workspace,
                dir,
                why,
            }
        };
        let file_dir = plan_file.parent().filter(|p| !p.as_os_str().is_empty());
        let file_dir = file_dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        if let Some(relative) = &self.workspace_relative
            && is_workspace(&file_dir.join(relative))
        {
            return Ok(target(file_dir.join(relative), "the plan file lies in it"));
        }
        if is_workspace(current_dir) {
            return Ok(target(current_dir.to_path_buf(), "the current directory"));
        }
        if is_workspace(&self.workspace) {
            return Ok(target(self.workspace.clone(), "where the plan was made"));
        }
        Err(PlanFileError::NoWorkspace {
            path: plan_file.to_path_buf(),
            made_in: self.workspace.clone(),
        })
    }

    /// Record the workspace relative to `plan_file`'s directory too, when it is inside it.
    pub fn written_to(mut self, plan_file: &Path) -> PlanFile {
        let dir = plan_file.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        if let Ok(dir) = std::fs::canonicalize(dir)
            && let Ok(relative) = self.workspace.strip_prefix(&dir)
        {
            self.workspace_relative = Some(relative.to_path_buf());
        }
        self
    }

    /// Read and check a plan file.
    pub fn read(path: &Path) -> Result<PlanFile, PlanFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |message: String| PlanFileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let file: PlanFile = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if file.dingform_plan != super::FORMAT_VERSION {
            return Err(invalid(format!("it is of format {}", file.dingform_plan)));
        }
        Ok(file)
    }

    /// The file's JSON text, its digest made over the rest.
    pub fn to_json(&self) -> String {
        let mut sealed = self.clone();
        sealed.digest = sealed.content_digest();
        let mut text = serde_json::to_string_pretty(&sealed).expect("a plan serializes");
        text.push('\n');
        text
    }
}
