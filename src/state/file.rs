//! The file store: `.dingform/state.json` read, and written atomically under its lock.

use std::path::{Path, PathBuf};

use super::{State, StateError, StateLock};

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
                    location: self.location(),
                    source,
                });
            }
        };
        self.parse_text(&text).map(Some)
    }

    /// Read a state document that is to be pushed (errors name this file).
    pub fn parse_pushed(&self, text: &str) -> Result<State, StateError> {
        self.parse_text(text).map_err(|error| match error {
            StateError::Invalid {
                location,
                line,
                column,
                message,
                ..
            } => StateError::Invalid {
                location,
                line,
                column,
                message,
                hint: String::new(),
            },
            other => other,
        })
    }

    /// Read the state, or start an empty one for `organization`.
    pub fn read_or_new(&self, organization: Option<String>) -> Result<State, StateError> {
        Ok(self.read()?.unwrap_or_else(|| {
            let mut state = State::new(organization);
            let identity = super::store::StateStore::identity(self);
            state.lineage = super::store::first_lineage(state.organization.as_deref(), &identity);
            state
        }))
    }

    pub(crate) fn parse_text(&self, text: &str) -> Result<State, StateError> {
        let hint = format!(
            "; the previous version is in {}",
            self.backup_path().display()
        );
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| StateError::Invalid {
                location: self.location(),
                hint: hint.clone(),
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?;
        State::from_document(value, self.location(), hint)
    }

    /// Write `state` (its serial incremented) atomically, keeping the previous file as backup.
    ///
    /// The caller holds the lock (the `_lock` argument proves it). The serial on disk must be
    /// the one `state` was read with, so two writers can never silently overwrite each other.
    pub fn write(&self, state: &mut State, _lock: &StateLock) -> Result<(), StateError> {
        state.serial += 1;
        let written = self.replace(state.serial - 1, state);
        if written.is_err() {
            state.serial -= 1;
        }
        written
    }

    /// Where the state lives, for messages.
    pub fn location(&self) -> super::Location {
        super::Location::file(&self.path)
    }

    /// Write `next` as it is if the serial on disk is `expected` (or there is no file and
    /// `expected` is 0): the compare-and-swap every write goes through. The caller holds the
    /// lock.
    pub(crate) fn replace(&self, expected: u64, next: &State) -> Result<(), StateError> {
        let on_disk = self.serial_on_disk()?;
        if on_disk != expected {
            return Err(StateError::SerialMismatch {
                location: self.location(),
                expected,
                found: on_disk,
            });
        }
        let mut text = serde_json::to_string_pretty(next).expect("state serializes");
        text.push('\n');
        let io = |action, source| StateError::Io {
            action,
            location: self.location(),
            source,
        };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create the directory of", e))?;
        }
        if self.path.exists() {
            self.back_up().map_err(|e| io("back up", e))?;
        }
        replace_atomically(&self.path, text.as_bytes()).map_err(|e| io("write", e))
    }

    /// The serial of the file on disk (0 when there is none), read without building the
    /// state: every write checks it, and apply writes after each batch of finished steps
    /// (issue 15), so the whole state was parsed back only for this number. A file that does
    /// not read as a state, or is of a newer format, is read in full, for the error that says
    /// why.
    fn serial_on_disk(&self) -> Result<u64, StateError> {
        #[derive(serde::Deserialize)]
        struct Serial {
            version: u32,
            serial: u64,
        }
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(source) => {
                return Err(StateError::Io {
                    action: "read",
                    location: self.location(),
                    source,
                });
            }
        };
        match serde_json::from_slice::<Serial>(&bytes) {
            Ok(Serial { version, serial }) if version <= super::document::FORMAT_VERSION => {
                Ok(serial)
            }
            _ => Ok(self.read()?.map_or(0, |state| state.serial)),
        }
    }

    /// Keep the file as it is now as the backup: a second name for it, moved over the old
    /// backup, so its bytes (on disk already) are neither copied nor synced again. Where the
    /// file system has no hard links, a copy.
    fn back_up(&self) -> std::io::Result<()> {
        let backup = self.backup_path();
        let current = std::fs::canonicalize(&self.path)?;
        let link = sibling(&backup, &format!(".{}.link", std::process::id()));
        let _ = std::fs::remove_file(&link);
        match std::fs::hard_link(&current, &link) {
            Ok(()) => std::fs::rename(&link, &backup).inspect_err(|_| {
                let _ = std::fs::remove_file(&link);
            }),
            Err(_) => replace_atomically(&backup, &std::fs::read(&current)?),
        }
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
