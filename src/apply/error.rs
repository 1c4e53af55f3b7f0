//! What can stop an apply as a whole, and how one step fails.

use crate::model::Address;
use crate::plan::Action;
use crate::provider::ApiError;
use crate::state::StateError;

/// Why an apply stopped before every step could run (a step's own failure is a
/// [`StepFailure`] in the [`Report`](super::Report), not an error).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// State could not be written: nothing more is sent, since what is made must be recorded.
    #[error("cannot record progress in the state; stopped so that nothing is made untracked")]
    State(#[from] StateError),
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
