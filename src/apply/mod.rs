//! Apply: carry out a [`Plan`](crate::plan::Plan), step by step, saving state.
//!
//! Owns the order of steps ([`graph`]), the requests of each group step, and what state
//! records after each one. Steps run in dependency order (a group after the bots it adds, a
//! notification after its group and bot), independent ones side by side; the client's
//! per-API rate limiter keeps the pace within the platform's QPS.
//!
//! Guarantees (README, "Apply"):
//! - a create's intent (address, creation uuid, generation, no id) is in state before the
//!   request goes out; an interrupted create of a scene group is re-sent with the same uuid
//!   and the platform answers with the group made the first time. Ordinary groups have no
//!   such key: an interrupted create of one becomes a `create-unverified` error in the next
//!   plan, never a blind second create;
//! - state is written after every batch of completed steps, atomically, under the lock;
//! - a failed step stops only the steps that depend on it; the next apply resumes.
//!
//! Must not: decide what to change (the plan did), print (the CLI does, through
//! [`Progress`]), or hold secrets in state.

mod error;
pub mod graph;
mod group;
mod record;
mod run;

pub use error::{ApplyError, StepFailure};
pub use run::{ApplyOptions, Interrupt, Progress, Report, StepOutcome, apply};
