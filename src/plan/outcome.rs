//! What became of an applied plan: the counts, in the plan's own kinds of change, the steps
//! that failed and those skipped behind them. `apply` fills a [`Report`] in and decides what
//! it means ([`Report::is_complete`]); `render::apply_report` shows it. It lives beside the
//! plan it reports on, below `render`, so that the renderer can read it without reaching up
//! into `apply`.

use crate::model::Address;
use crate::plan::Action;
use crate::provider::ApiError;

/// What an apply did, counted the way the plan's closing line counts: a plan's "15 to add,
/// 1 to import" becomes "15 added, 1 imported" when every step completes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Resources made (creates, and the new half of replaces).
    pub added: usize,
    /// Resources changed in place (updates).
    pub changed: usize,
    /// Resources destroyed (deletes, and the old half of replaces).
    pub destroyed: usize,
    /// Resources adopted by `import` blocks (with their changes, when they had any).
    pub imported: usize,
    /// State entries moved by `moved` blocks (with their changes, when they had any).
    pub moved: usize,
    /// Resources no longer managed (`removed` blocks): left as they are in DingTalk.
    pub forgotten: usize,
    /// Steps that failed, in the platform's words.
    pub failed: Vec<StepFailure>,
    /// Changes not carried out because one they depend on failed: (address, what it waited
    /// for).
    pub skipped: Vec<(Address, Address)>,
    /// Whether the apply was interrupted (Ctrl-C) before every step started.
    pub interrupted: bool,
    /// Changes never started (or started and not finished) because of the interrupt.
    pub not_started: usize,
}

impl Report {
    /// Whether every step completed.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && self.not_started == 0
    }

    /// `apply`'s exit status: 0 complete, 130 interrupted (128 + SIGINT, as shells and
    /// Terraform report an interrupted command), 1 when a step failed.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            130
        } else if self.is_complete() {
            0
        } else {
            1
        }
    }
}

/// One step that did not complete, with the platform's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepFailure {
    /// The resource.
    pub address: Address,
    /// What was being done to it.
    pub action: Action,
    /// The request that failed (`create`, `add bot dingbot-alerts`…).
    pub operation: String,
    /// The platform's (or the network's) error, as it said it.
    pub error: String,
}

impl StepFailure {
    pub(crate) fn api(
        address: &Address,
        action: Action,
        operation: &str,
        error: &ApiError,
    ) -> Self {
        StepFailure {
            address: address.clone(),
            action,
            operation: operation.to_owned(),
            error: error.to_string(),
        }
    }
}

impl std::fmt::Display for StepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} failed: {}",
            self.address,
            self.action.as_str(),
            self.operation,
            self.error
        )
    }
}

/// How one change ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// Done and recorded.
    Done,
    /// A request failed.
    Failed(StepFailure),
    /// Not run: something it depends on failed.
    Skipped {
        /// The address it waited for.
        waiting_for: Address,
    },
}
