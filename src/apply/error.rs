//! What can stop an apply as a whole, and how one step fails.

pub use crate::plan::outcome::StepFailure;
use crate::state::StateError;

/// Why an apply stopped before every step could run (a step's own failure is a
/// [`StepFailure`] in the [`Report`](super::Report), not an error).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// State could not be written: nothing more is sent, since what is made must be recorded.
    #[error("cannot record progress in the state; stopped so that nothing is made untracked")]
    State(#[from] StateError),
}
