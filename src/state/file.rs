use std::path::{Path, PathBuf};

use super::{FORMAT_VERSION, State, StateError, StateLock};

/// A state file on disk: reads it, and writes it atomically under its lock.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// The state file at `path` (it need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        StateFile { path: path.into() }
    }

    /// Where the state lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the previous version is kept.
    pub fn backup_path(&self) -> PathBuf {
        sibling(&self.path, ".backup")
    }

    /// Take the exclusive lock for a run that will write (see [`StateLock::acquire`]).
    pub fn lock(
        &self,
        operation: &str,
        timeout: std::time::Duration,
    ) -> Result<StateLock, StateError> {
        StateLock::acquire(&self.path, operation, timeout)
    }

    /// Read the state; a missing file is an empty state (`None`), never an error.
    pub fn read(&self) -> Result<Option<State>, StateError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Io {
                    action: "read",
                    path: self.path.clone(),
                    source,
                });
            }
        };
        self.parse(&text).map(Some)
    }

    /// Read the state, or start an empty one for `organization`.
    pub fn read_or_new(&self, organization: Option<String>) -> Result<State, StateError> {
        Ok(self.read()?.unwrap_or_else(|| State::new(organization)))
    }

    fn parse(&self, text: &str) -> Result<State, StateError> {
        let invalid = |error: serde_json::Error| StateError::Invalid {
            path: self.path.clone(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        };
        // Check the version before the shape, so a newer file says "newer", not "unknown key".
        let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
        let found = value.get("version").and_then(serde_json::Value::as_u64);
        if found != Some(u64::from(FORMAT_VERSION)) {
            return Err(StateError::UnsupportedVersion {
                path: self.path.clone(),
                found: found.unwrap_or(0),
                supported: FORMAT_VERSION,
            });
        }
        serde_json::from_value(value).map_err(invalid)
    }

    /// Write `state` (its serial incremented) atomically, keeping the previous file as backup.
    ///
    /// The caller holds the lock (the `_lock` argument proves it). The serial on disk must be
    /// the one `state` was read with, so two writers can never silently overwrite each other.
    pub fn write(&self, state: &mut State, _lock: &StateLock) -> Result<(), StateError> {
        if let Some(on_disk) = self.read()?
            && on_disk.serial != state.serial
        {
            return Err(StateError::SerialMismatch {
                path: self.path.clone(),
                expected: state.serial,
                found: on_disk.serial,
            });
        }
        state.serial += 1;
        let mut text = serde_json::to_string_pretty(state).expect("state serializes");
        text.push('\n');
        let io = |action, source| StateError::Io {
            action,
            path: self.path.clone(),
            source,
        };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create the directory of", e))?;
        }
        if self.path.exists() {
            replace_atomically(
                &self.backup_path(),
                &std::fs::read(&self.path).map_err(|e| io("read", e))?,
            )
            .map_err(|e| io("back up", e))?;
        }
        replace_atomically(&self.path, text.as_bytes()).map_err(|e| io("write", e))
    }
}

/// Write `bytes` over `path` atomically (see [`crate::model::files::replace`]).
pub fn replace_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::model::files::replace(path, bytes)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}
