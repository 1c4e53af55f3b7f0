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

/// What can move between a saved plan and the world it is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moved {
    /// The manifests' digest differs.
    Manifests,
    /// The state's lineage or serial differs.
    State,
    /// What refresh read from DingTalk differs.
    Live,
}

impl Moved {
    /// In a few words: "the manifests", "the state", "the live resources on DingTalk".
    pub fn what(self) -> &'static str {
        match self {
            Self::Manifests => "the manifests",
            Self::State => "the state",
            Self::Live => "the live resources on DingTalk",
        }
    }
}

impl Fingerprints {
    /// What differs from `now`, in the order of [`Moved`]; empty when nothing does. The one
    /// decision whether a saved plan is stale: [`PlanFile::check_fresh`] and the refusal that
    /// names what moved ([`staleness::what_moved`](super::staleness::what_moved)) both rest
    /// on it.
    pub fn moved(&self, now: &Fingerprints) -> Vec<Moved> {
        let mut moved = Vec::new();
        if self.manifests != now.manifests {
            moved.push(Moved::Manifests);
        }
        if self.state_lineage != now.state_lineage || self.state_serial != now.state_serial {
            moved.push(Moved::State);
        }
        if self.live != now.live {
            moved.push(Moved::Live);
        }
        moved
    }

    /// [`moved`](Self::moved), each in a few words.
    pub fn moved_since(&self, now: &Fingerprints) -> Vec<&'static str> {
        self.moved(now).into_iter().map(Moved::what).collect()
    }
}

impl PlanFile {
    /// Whether the saved plan still describes the world a plan made just now (`now`, its
    /// fingerprints) saw; else what moved since it was made.
    pub fn check_fresh(&self, now: &Fingerprints) -> Result<(), Vec<&'static str>> {
        let moved = self.plan.fingerprints.moved_since(now);
        if moved.is_empty() { Ok(()) } else { Err(moved) }
    }

    /// Why the saved plan is stale, named so a reader knows what to look at (which manifest
    /// file, which state serial, which group: [`staleness::what_moved`](super::staleness::what_moved));
    /// empty exactly when [`check_fresh`](Self::check_fresh) passes.
    pub fn stale_because(&self, now: &Fingerprints) -> Vec<String> {
        super::staleness::what_moved(&self.plan.fingerprints, now)
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
