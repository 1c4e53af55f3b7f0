//! The state file: which live resource each address stands for, kept between runs.
//!
//! State is a JSON document ([`State`]) at `.dingform/state.json` by default. It is only ever
//! changed under an exclusive [`StateLock`], and every write replaces the file atomically
//! (temporary file, fsync, rename) after keeping the previous version as `<file>.backup`, so a
//! killed process leaves either the old or the new state, never a torn one.
//!
//! This layer owns the file format, the lock and the writes; it does not know DingTalk and never
//! holds secrets (tokens and webhook tokens are not state).

mod document;
mod error;
mod file;
mod lock;

pub use document::{FORMAT_VERSION, ResourceState, State};
pub use error::StateError;
pub use file::{StateFile, replace_atomically as write_atomically};
pub use lock::{LockHolder, StateLock};
