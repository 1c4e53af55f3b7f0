//! Plans: what would change, and what the platform would refuse, before anything is sent.
//!
//! A [`Plan`] is data: sorted by address so that runs diff cleanly, serializable so that
//! `plan -o FILE` and `--format json` are the same thing, and never printed here; the
//! `render` layer turns it into text. Everything that blocks apply is a finding in the plan,
//! not a check hidden in `apply`.

pub mod attributes;
mod build;
mod change;
pub mod decide;
pub mod diff;
pub mod directory;
pub mod drift;
mod estimate;
pub mod file;
pub mod identity;
pub mod image_path;
mod imports;
pub mod members_from;
pub mod moves;
pub mod names;
pub mod outcome;
pub mod protection;
pub mod recipients;
pub mod refresh;
pub mod rules;
pub mod staleness;
pub mod tabs;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{PlanOptions, build};
pub use change::{Action, Change, FieldChange};

use crate::model::finding::{Finding, Severity};

/// Bumped whenever consumers of the JSON plan must change (README, "JSON plan format").
pub const FORMAT_VERSION: u32 = 1;

/// Everything `plan` found: the changes, the findings, and what it saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// One entry per resource in the manifests or in state, no-ops included, sorted by address.
    pub changes: Vec<Change>,
    /// Static and live findings, sorted by file, line and rule.
    pub findings: Vec<Finding>,
    /// What the plan was made from; `apply PLANFILE` refuses when any of it moved.
    pub fingerprints: Fingerprints,
    /// How long applying will take at the platform's rate.
    pub estimate: Estimate,
}

/// Digests of what a plan saw, to notice a world that moved between plan and apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    /// SHA-256 over the manifests' paths and contents.
    pub manifests: String,
    /// SHA-256 of each manifest by path relative to the workspace, so that a stale plan names
    /// the files that changed ([`staleness`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub manifest_files: BTreeMap<String, String>,
    /// The state's lineage and serial when read.
    pub state_lineage: Option<String>,
    /// The state's serial when read (0 when there was none).
    pub state_serial: u64,
    /// SHA-256 over the live attributes read during refresh.
    pub live: String,
    /// SHA-256 of each live read (`the live group.NAME`, `the live bot CODE`…), so that a stale
    /// plan names what moved on DingTalk ([`staleness`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub live_parts: BTreeMap<String, String>,
}

/// The time an apply will take, bounded by the platform's request rate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Requests the apply will send.
    pub requests: u64,
    /// Seconds at the configured rate (requests per second per API).
    pub seconds: f64,
}

/// Counts shown in the closing line of a plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Creates and replaces.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes and replaces.
    pub destroy: usize,
    /// Imports.
    pub import: usize,
    /// Moves.
    #[serde(rename = "move")]
    pub moved: usize,
    /// Forgets (`removed` blocks).
    pub forget: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity manual.
    pub manual: usize,
}

impl Plan {
    /// The counts of the closing line.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                Action::Create => summary.add += 1,
                Action::Update => summary.change += 1,
                Action::Replace => {
                    summary.add += 1;
                    summary.destroy += 1;
                }
                Action::Delete => summary.destroy += 1,
                Action::Import => summary.import += 1,
                Action::Move => summary.moved += 1,
                Action::Forget => summary.forget += 1,
                Action::NoOp => {}
            }
        }
        for finding in &self.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Manual => summary.manual += 1,
            }
        }
        summary
    }

    /// Whether anything would change (the `--detailed-exitcode` question).
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|change| change.action != Action::NoOp)
    }

    /// Whether an error finding blocks apply.
    pub fn is_blocked(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}
