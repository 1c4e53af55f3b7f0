//! The `manifest` layer: loading a workspace (`dingform.yaml` and every manifest below it)
//! into the [`Workspace`] model with source positions, and the static checks `validate`
//! runs — reference checks and every rule of PLATFORM-RULES.md that needs no live data
//! ([`checks`]). Never prints and never talks to the network; `plan` reuses the findings.
//!
//! ```no_run
//! let validation = dingform::manifest::validate(std::path::Path::new("examples/quickstart"));
//! assert!(!validation.has_errors());
//! ```

use std::path::{Path, PathBuf};

use crate::model::finding::has_errors;
use crate::model::{Finding, Sources, Workspace};

pub mod checks;
mod fast;
pub mod frequency;
pub mod loader;
mod merge;
mod parallel;
pub mod parse;
mod references;
mod webhook;
mod wording;

pub use loader::{LoadError, MAX_FILE_BYTES, SETTINGS_FILE};
pub use parse::{parse_manifest, parse_settings};

/// A loaded (and possibly checked) workspace: the model, the files' text, and findings.
#[derive(Debug, Default)]
pub struct Validation {
    /// Every resource that loaded (files that did not parse contribute nothing).
    pub workspace: Workspace,
    /// The text of every file read, for caret rendering.
    pub sources: Sources,
    /// Loading errors and rule findings, sorted by file and position.
    pub findings: Vec<Finding>,
}

impl Validation {
    /// Whether any finding is an error (`validate` exits 1).
    pub fn has_errors(&self) -> bool {
        has_errors(&self.findings)
    }
}

/// Loads a workspace: reads and parses every file and merges them. Findings are loading
/// errors only (syntax, types, unknown keys, names, duplicates); see [`validate`] for the rest.
pub fn load(root: &Path) -> Validation {
    let mut validation = Validation {
        workspace: Workspace {
            root: root.to_path_buf(),
            settings_file: loader::display_path(&root.join(SETTINGS_FILE)),
            ..Workspace::default()
        },
        ..Validation::default()
    };
    let discovered = match loader::discover(root) {
        Ok(discovered) => discovered,
        Err(error) => {
            validation.findings.push(error.to_finding());
            return validation;
        }
    };
    let findings = &mut validation.findings;
    findings.extend(discovered.errors.iter().map(LoadError::to_finding));
    match discovered.settings {
        None => findings.push(
            Finding::error(
                "missing-settings",
                format!("no {SETTINGS_FILE} in this directory"),
            )
            .in_file(validation.workspace.settings_file.clone())
            .help("a workspace starts with dingform.yaml naming the organization (see README)"),
        ),
        Some(Err(error)) => findings.push(error.to_finding()),
        Some(Ok(file)) => {
            match parse_settings(&file.path, &file.text) {
                Ok(settings) => {
                    findings.extend(rate_finding(&file.path, &settings));
                    validation.workspace.settings = Some(settings);
                }
                Err(finding) => findings.push(*finding),
            }
            // A password written in a URL is an error, and is never shown with it.
            let text = crate::model::settings::mask_url_passwords(&file.text);
            validation.sources.insert(file.path, text);
        }
    }
    for outcome in parse_all(discovered.manifests) {
        match outcome {
            Outcome::Unreadable(error) => findings.push(error.to_finding()),
            Outcome::Parsed(path, masked, parsed) => {
                match parsed {
                    Ok(manifest) => {
                        merge::merge(&mut validation.workspace, &path, manifest, findings)
                    }
                    Err(finding) => findings.push(*finding),
                }
                validation.sources.insert_masked(path, masked);
            }
        }
    }
    merge::pack(&mut validation.workspace);
    validation
}

/// What became of one manifest file.
enum Outcome {
    /// It could not be read.
    Unreadable(LoadError),
    /// It was read (its path, its text with secrets masked), and parsed or not.
    Parsed(
        PathBuf,
        crate::model::sources::Masked,
        Result<crate::model::Manifest, Box<Finding>>,
    ),
}

fn outcome(file: Result<loader::SourceFile, LoadError>) -> Outcome {
    match file {
        Err(error) => Outcome::Unreadable(error),
        Ok(file) => {
            let parsed = parse_manifest(&file.path, &file.text);
            let masked = crate::model::sources::Masked::new(&file.text);
            Outcome::Parsed(file.path, masked, parsed)
        }
    }
}

/// Parses the files that were read, on as many threads as there are cores (parsing is most
/// of a large workspace's validation time); results come back in the files' order. Each
/// thread takes the next file not yet taken, so a thread the machine's other work holds up
/// leaves its share to the others rather than a fixed half of the files.
fn parse_all(files: Vec<Result<loader::SourceFile, LoadError>>) -> Vec<Outcome> {
    let jobs: Vec<parallel::Job<'_, Outcome>> = files
        .into_iter()
        .map(|file| Box::new(move || outcome(file)) as parallel::Job<'_, Outcome>)
        .collect();
    parallel::ordered(jobs)
}

/// Loads a workspace and runs every static check on it: references, schedules, and the
/// platform rules. When a file failed to load, the checks that look across files are skipped
/// (a resource in the broken file would show up as a false `unknown-reference`).
pub fn validate(root: &Path) -> Validation {
    let mut validation = load(root);
    let a_file_failed = validation
        .findings
        .iter()
        .any(|finding| !matches!(finding.rule.as_str(), "invalid-name" | "duplicate-resource"));
    if !a_file_failed {
        let workspace = &validation.workspace;
        // The references on a thread of their own while the rules count schedules' sends.
        let findings = std::thread::scope(|scope| {
            let references = scope.spawn(|| references::check(workspace));
            let rules = checks::run(workspace, &checks::Options::default());
            let mut findings = references
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            findings.extend(rules);
            findings
        });
        validation.findings.extend(findings);
    }
    validation
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    validation
}

/// Resolves a path written in a manifest (an image, an avatar) against the manifest's directory.
pub fn resolve_relative(manifest_file: &Path, written: &str) -> PathBuf {
    manifest_file
        .parent()
        .unwrap_or(Path::new(""))
        .join(written)
}

/// `rate:` must be a positive number of requests per second.
fn rate_finding(file: &Path, settings: &crate::model::Settings) -> Option<Finding> {
    let rate = settings.rate.as_ref()?;
    (!(rate.value.is_finite() && rate.value > 0.0)).then(|| {
        Finding::error(
            "invalid-value",
            format!(
                "`rate` must be a number of requests per second above 0, not {}",
                rate.value
            ),
        )
        .at(file, &rate.span)
        .help("leave `rate` out to adapt to what the organization allows")
    })
}
