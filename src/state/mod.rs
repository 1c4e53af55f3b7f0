//! State: which live resource each address stands for, kept between runs.
//!
//! State is a JSON document ([`State`]) kept by a [`StateStore`]: a file (`.dingform/state.json`
//! by default, [`StateFile`]), PostgreSQL ([`postgres::PostgresStore`]) or S3-compatible object
//! storage ([`s3::S3Store`]). It is only ever
//! changed under the store's exclusive lock, and every write is a compare-and-swap on the
//! serial: a file is replaced atomically (temporary file, fsync, rename) after keeping the
//! previous version as `<file>.backup`; PostgreSQL writes a new version row in a transaction.
//!
//! This layer owns the format, the stores, their locks and writes; it does not know DingTalk
//! and never holds secrets (tokens, webhook tokens and database passwords are not state).

mod document;
mod error;
mod file;
mod file_store;
mod location;
mod lock;
pub mod postgres;
pub mod s3;
pub mod store;

pub use document::{FORMAT_VERSION, ResourceState, State};
pub use error::StateError;
pub use file::{StateFile, replace_atomically as write_atomically};
pub use location::Location;
pub use lock::{LockHolder, StateLock, host_name};
pub use store::{StateStore, StoreLock, Version};
