//! [`StateError`]: why the state could not be read, written or locked, naming where.

use super::Location;
use super::lock::LockHolder;
use crate::model::Address;

/// Why the state could not be read, written or locked.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but could not be read or written.
    #[error("cannot {action} {location}")]
    Io {
        /// What we were doing: "read", "write", "lock"…
        action: &'static str,
        /// The file concerned.
        location: Location,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid state JSON (edited by hand, truncated by something else).
    #[error(
        "{location}:{line}:{column}: the state is not valid: {message}\n  it was left as it is{hint}"
    )]
    Invalid {
        /// The state file, or the version in a shared store.
        location: Location,
        /// Where to find a good version (`; the previous version is in state.json.backup`).
        hint: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong, in serde's words.
        message: String,
    },
    /// The file was written by a newer (or unknown) dingform.
    #[error(
        "{location}: state format version {found} is not supported (this dingform reads version {supported})"
    )]
    UnsupportedVersion {
        /// Where the state is.
        location: Location,
        /// The version in the file.
        found: u64,
        /// The version this build reads.
        supported: u32,
    },
    /// Another process holds the lock.
    #[error(
        "the state is locked by {holder}; waited {waited_secs}s (see --lock-timeout){}",
        unlock_hint(holder)
    )]
    Locked {
        /// Who holds it, as written in the lock file (or the store's lock row).
        holder: Box<LockHolder>,
        /// How long we waited before giving up.
        waited_secs: u64,
    },
    /// The state on disk changed since it was read (its serial moved).
    #[error(
        "{location}: the state changed while this run held it (serial {expected} expected, found {found})"
    )]
    SerialMismatch {
        /// Where the state is.
        location: Location,
        /// The serial we read.
        expected: u64,
        /// The serial now on disk.
        found: u64,
    },
    /// No resource is recorded under this address.
    #[error("no resource `{address}` in the state{}", suggestion(known))]
    UnknownAddress {
        /// The address asked for.
        address: Address,
        /// Addresses that are recorded (to suggest the nearest).
        known: Vec<String>,
    },
    /// The target address is already recorded.
    #[error("`{address}` is already in the state: remove it first (`dingform state rm {address}`)")]
    AddressTaken {
        /// The address.
        address: Address,
    },
    /// A shared store could not be reached or refused a request.
    #[error("cannot {action} the state at {location}: {reason}")]
    Store {
        /// What we were doing: "read", "write", "lock"…
        action: &'static str,
        /// The store (a masked URL and key).
        location: Location,
        /// The store's or the network's words (never a password).
        reason: String,
    },
    /// The store cannot do this (a file has no lock ids, nor old versions beyond its backup).
    #[error("{location}: {what}")]
    Unsupported {
        /// The store.
        location: Location,
        /// What it cannot do, and what to do instead.
        what: String,
    },
    /// `state push` of a state from another workspace or organization.
    #[error(
        "{location}: refusing to replace the state of lineage {current} with one of lineage \
         {pushed} (another workspace's?); pass --force if you mean it"
    )]
    LineageMismatch {
        /// The store.
        location: Location,
        /// The lineage in the store.
        current: String,
        /// The lineage of the pushed state.
        pushed: String,
    },
    /// `state push` of a state older than the one in the store.
    #[error(
        "{location}: refusing to replace serial {current} with {pushed}: {reason}; pass --force \
         if you mean it (the current version stays in `dingform state history`)"
    )]
    OlderSerial {
        /// The store.
        location: Location,
        /// The serial in the store.
        current: u64,
        /// The serial of the pushed state.
        pushed: u64,
        /// Why that is refused.
        reason: &'static str,
    },
    /// `state pull --serial N` of a version the store does not hold.
    #[error("{location}: no version with serial {serial} (see `dingform state history`)")]
    NoSuchVersion {
        /// The store.
        location: Location,
        /// The serial asked for.
        serial: u64,
    },
    /// `state unlock LOCK_ID` of a lock that is not held.
    #[error("{location}: no lock `{lock_id}` is held{}", match current {
        Some(holder) => format!("; the state is locked by {holder}"),
        None => " (the state is not locked)".to_owned(),
    })]
    NoSuchLock {
        /// The store.
        location: Location,
        /// The id asked for.
        lock_id: String,
        /// Who holds the lock now, if anyone.
        current: Option<Box<LockHolder>>,
    },
    /// A move between kinds (`group.a` → `bot.a`) would make the entry meaningless.
    #[error("cannot move `{from}` to `{to}`: a resource keeps its kind")]
    KindMismatch {
        /// Source address.
        from: Address,
        /// Target address.
        to: Address,
    },
}

fn unlock_hint(holder: &LockHolder) -> String {
    match &holder.id {
        Some(id) => format!(
            "\n  if that process is gone, `dingform state unlock {id}` removes its lock \
             (it lapses by itself within 30s)"
        ),
        None => String::new(),
    }
}

fn suggestion(known: &[String]) -> String {
    if known.is_empty() {
        " (the state is empty)".to_owned()
    } else if known.len() <= 10 {
        format!("; recorded: {}", known.join(", "))
    } else {
        format!(
            "; {} resources are recorded (`dingform state list`)",
            known.len()
        )
    }
}

/// An error with every cause not already in its text, joined by `: `, so that what a driver
/// buries in a source (`NoSuchBucket`, `Connection refused`) is seen.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
