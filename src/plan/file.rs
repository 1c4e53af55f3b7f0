//! Plan files (`plan -o FILE`): the plan as data, with what it was made from, so that
//! `apply FILE` can do exactly what was reviewed or refuse because the world moved.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
        }
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

    /// The workspace to apply in: beside the plan file when it was recorded so and exists
    /// there, otherwise the absolute directory it was made in.
    pub fn workspace_near(&self, plan_file: &Path) -> PathBuf {
        let dir = plan_file.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        match &self.workspace_relative {
            Some(relative) if dir.join(relative).is_dir() => {
                let near = dir.join(relative);
                std::fs::canonicalize(&near).unwrap_or(near)
            }
            _ => self.workspace.clone(),
        }
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

    /// The file's JSON text.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a plan serializes");
        text.push('\n');
        text
    }
}
