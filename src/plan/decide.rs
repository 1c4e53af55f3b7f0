//! What a plan allows, decided here rather than by the command that asks: which findings
//! block an apply, whether a saved plan file still describes the world, and whether the state
//! about to be written is the one the plan was made from.

use super::file::PlanFile;
use super::{Fingerprints, Plan};
use crate::model::{Finding, Severity};

/// The state moved between the plan and the apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the state changed since the plan was made (serial {planned} then, {now} now); plan again")]
pub struct StateMoved {
    /// The serial the plan was made from.
    pub planned: u64,
    /// The serial read now.
    pub now: u64,
}

impl Fingerprints {
    /// What differs from `now`: "the manifests", "the state", "the live resources on
    /// DingTalk", in that order; empty when nothing does.
    pub fn moved_since(&self, now: &Fingerprints) -> Vec<&'static str> {
        let mut moved = Vec::new();
        if self.manifests != now.manifests {
            moved.push("the manifests");
        }
        if self.state_lineage != now.state_lineage || self.state_serial != now.state_serial {
            moved.push("the state");
        }
        if self.live != now.live {
            moved.push("the live resources on DingTalk");
        }
        moved
    }
}

impl PlanFile {
    /// Whether the saved plan still describes the world a plan made just now (`now`, its
    /// fingerprints) saw; else what moved since it was made.
    pub fn check_fresh(&self, now: &Fingerprints) -> Result<(), Vec<&'static str>> {
        let moved = self.plan.fingerprints.moved_since(now);
        if moved.is_empty() { Ok(()) } else { Err(moved) }
    }
}

impl Plan {
    /// Whether the state read just before applying, at `serial`, is the one the plan was
    /// made from.
    pub fn check_serial(&self, serial: u64) -> Result<(), StateMoved> {
        let planned = self.fingerprints.state_serial;
        if planned == serial {
            Ok(())
        } else {
            Err(StateMoved {
                planned,
                now: serial,
            })
        }
    }
}

/// The findings that stop `plan` from being applied: its errors (platform refusals,
/// mass-delete, prevent_destroy) and those of `fresh`, the plan made just now, each once.
pub fn blocking(plan: &Plan, fresh: &Plan) -> Vec<Finding> {
    let mut blocking: Vec<Finding> = Vec::new();
    for finding in fresh.findings.iter().chain(&plan.findings) {
        if finding.severity == Severity::Error && !blocking.contains(finding) {
            blocking.push(finding.clone());
        }
    }
    blocking
}
