//! The file store's lock: an OS advisory lock on `<state>.lock` whose holder is written into
//! the file, so that a refusal names who holds it and a killed process leaves none behind.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::StateError;
use crate::model::{Clock, SystemClock};

/// Who holds the state lock: written into the lock file so that a refusal can name them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LockHolder {
    /// Process id of the holder.
    pub pid: u32,
    /// Host name of the holder's machine.
    pub host: String,
    /// When the lock was taken (RFC 3339, UTC).
    pub since: String,
    /// The command that took it (`apply`, `state rm`…).
    pub operation: String,
    /// The lock's id in a shared store, for `dingform state unlock` (a file lock has none: the
    /// kernel releases it when its holder dies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl LockHolder {
    /// This process, taking a lock for `operation` now.
    pub fn this_process(operation: &str) -> LockHolder {
        LockHolder {
            pid: std::process::id(),
            host: host_name(),
            since: SystemClock
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            operation: operation.to_owned(),
            id: None,
        }
    }
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pid {} on {} since {} ({})",
            self.pid, self.host, self.since, self.operation
        )?;
        match &self.id {
            Some(id) => write!(f, ", lock id {id}"),
            None => Ok(()),
        }
    }
}

/// An exclusive lock on a state file, held until dropped.
///
/// The lock is an OS advisory lock (`flock`) on `<state>.lock`: it is released by the kernel
/// when the process dies, so a killed apply never leaves a stale lock behind.
#[derive(Debug)]
pub struct StateLock {
    file: File,
    path: PathBuf,
    holder: LockHolder,
}

/// How often a waiting process tries the lock again.
const RETRY_EVERY: Duration = Duration::from_millis(100);

impl StateLock {
    /// Take the lock of `state_path`, waiting up to `timeout` for another holder to finish.
    pub fn acquire(
        state_path: &Path,
        operation: &str,
        timeout: Duration,
    ) -> Result<StateLock, StateError> {
        let path = lock_path(state_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StateError::Io {
                action: "create the directory of",
                location: (&path).into(),
                source,
            })?;
        }
        let io = |source| StateError::Io {
            action: "lock",
            location: (&path).into(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < timeout => {
                    std::thread::sleep(RETRY_EVERY.min(timeout.saturating_sub(started.elapsed())));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(StateError::Locked {
                        holder: Box::new(read_holder(&mut file)),
                        waited_secs: started.elapsed().as_secs(),
                    });
                }
                Err(TryLockError::Error(source)) => return Err(io(source)),
            }
        }
        let holder = LockHolder::this_process(operation);
        let text = serde_json::to_string(&holder).unwrap_or_default();
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_data())
            .map_err(io)?;
        Ok(StateLock { file, path, holder })
    }

    /// Who holds it: this process.
    pub fn holder(&self) -> &LockHolder {
        &self.holder
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Clear the holder before unlocking so a later reader never names a finished process.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// `<state>.lock` beside the state file.
fn lock_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    state_path.with_file_name(name)
}

fn read_holder(file: &mut File) -> LockHolder {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    serde_json::from_str(&text).unwrap_or(LockHolder {
        pid: 0,
        host: "an unknown host".into(),
        since: "an unknown time".into(),
        operation: "unknown".into(),
        id: None,
    })
}

/// This machine's host name, for lock holders and history.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
