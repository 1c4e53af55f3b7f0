use std::path::PathBuf;

use super::lock::LockHolder;

/// Why the state could not be read, written or locked.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but could not be read or written.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What we were doing: "read", "write", "lock"…
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid state JSON (edited by hand, truncated by something else).
    #[error(
        "{}:{line}:{column}: the state file is not valid: {message}\n  the file was left as it is; \
         the previous version is in {}.backup",
        path.display(),
        path.display()
    )]
    Invalid {
        /// The state file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong, in serde's words.
        message: String,
    },
    /// The file was written by a newer (or unknown) dingform.
    #[error(
        "{}: state format version {found} is not supported (this dingform reads version {supported})",
        path.display()
    )]
    UnsupportedVersion {
        /// The state file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The version this build reads.
        supported: u32,
    },
    /// Another process holds the lock.
    #[error("the state is locked by {holder}; waited {waited_secs}s (see --lock-timeout)")]
    Locked {
        /// Who holds it, as written in the lock file.
        holder: LockHolder,
        /// How long we waited before giving up.
        waited_secs: u64,
    },
    /// The state on disk changed since it was read (its serial moved).
    #[error(
        "{}: the state changed while this run held it (serial {expected} expected, found {found})",
        path.display()
    )]
    SerialMismatch {
        /// The state file.
        path: PathBuf,
        /// The serial we read.
        expected: u64,
        /// The serial now on disk.
        found: u64,
    },
    /// No resource is recorded under this address.
    #[error("no resource `{address}` in the state{}", suggestion(known))]
    UnknownAddress {
        /// The address asked for.
        address: String,
        /// Addresses that are recorded (to suggest the nearest).
        known: Vec<String>,
    },
    /// The target address is already recorded.
    #[error("`{address}` is already in the state: remove it first (`dingform state rm {address}`)")]
    AddressTaken {
        /// The address.
        address: String,
    },
    /// A move between kinds (`group.a` → `bot.a`) would make the entry meaningless.
    #[error("cannot move `{from}` to `{to}`: a resource keeps its kind")]
    KindMismatch {
        /// Source address.
        from: String,
        /// Target address.
        to: String,
    },
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
