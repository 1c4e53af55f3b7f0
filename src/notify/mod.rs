//! The notification runner (`dingform notify`): sends the scheduled notifications apply
//! registered in state, exactly once per occurrence, within the platform's limits, and
//! follows their delivery.
//!
//! - [`due`]: what is scheduled (from state) and what is due, late within the grace window,
//!   or missed;
//! - [`delivery`]: the delivery log behind the [`DeliveryStore`] trait, on SQLite
//!   (`.dingform/notify.db`) or PostgreSQL, that makes sends exactly once: an occurrence is
//!   claimed by inserting its key; a request's intent is committed before it leaves; a request
//!   whose answer was never recorded is `unknown`, never resent ([`log`] keeps its first
//!   names);
//! - [`compose`]: template variables rendered per occurrence, then the bot or work message;
//! - [`media`]: media ids of images uploaded from files, reused while the platform keeps them;
//! - [`limits`]: the plan's rule checks before each send, counting what was sent today;
//! - [`pace`]: 5,000 recipients a minute;
//! - [`runner`]: one cycle (recover, send, follow up, resend once to failed users);
//! - [`serve`]: cycles on an injected clock until stopped (the long-running service);
//! - [`status`]: delivery counts and failures by reason;
//! - [`webhook`]: custom robots' tokens from the environment, `msgUuid`, 20 a minute per
//!   robot.
//!
//! Uses: state, provider (the [`MessageApi`](crate::provider::MessageApi) trait), model.

pub mod compose;
pub mod delivery;
pub mod due;
pub mod limits;
pub mod log;
pub mod media;
pub mod pace;
pub mod runner;
pub mod serve;
pub mod status;
pub mod webhook;

use std::path::PathBuf;

pub use delivery::postgres::PostgresDeliveryLog;
pub use delivery::s3::S3DeliveryLog;
pub use delivery::sqlite::RunnerLock;
pub use delivery::{CycleGuard, DeliveryStore};
pub use due::{DEFAULT_GRACE, Scheduled, scheduled};
pub use log::{DeliveryLog, OccurrenceStatus};
pub use pace::Pace;
pub use runner::{CycleReport, OccurrenceReport, RunOptions, Runner};
pub use serve::{ServeEvent, ServeOutcome, serve};
pub use status::Summary;

/// Where the delivery log lives, relative to the workspace.
pub const DEFAULT_LOG_PATH: &str = ".dingform/notify.db";

/// What can go wrong in the runner itself (failed sends are outcomes, not errors).
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The delivery log could not be read or written.
    #[error("delivery log {}: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The PostgreSQL delivery log could not be reached, read or written.
    #[error("delivery log at {location}: {reason}")]
    Postgres {
        /// Host, port, database and workspace key (never the password).
        location: String,
        /// What the server or the driver said (the server's message alone for a database
        /// error; the driver's error and its cause once, for the rest).
        reason: String,
    },
    /// The delivery log is not one this dingform can use (made by a newer version, a bad URL).
    #[error("delivery log at {location}: {message}")]
    Store {
        /// Where (a path or a URL without its password).
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A file operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A notification in state cannot be read back.
    #[error("{address} in state: {message}")]
    Registration {
        /// `notification.NAME`.
        address: crate::model::Address,
        /// What is wrong.
        message: String,
    },
}

/// The next occurrence of any of `scheduled` after `after`.
pub fn next_occurrence(
    scheduled: &[Scheduled],
    after: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    scheduled
        .iter()
        .filter_map(|n| n.schedule.next_after(after))
        .map(|at| at.with_timezone(&chrono::Utc))
        .min()
}
