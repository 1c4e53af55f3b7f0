//! The state behind a lock, persisted to the data file on every acknowledged change: the
//! change is applied in memory, a snapshot is taken under the lock, and the snapshot is written
//! (temp file, fsync, rename, fsync of the directory) before the answer goes out, so a kill -9
//! loses nothing that was answered.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::EmulatorError;
use super::error::Refusal;
use super::world::World;

/// The state and where it is persisted.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
    persister: Option<tokio::sync::Mutex<Persister>>,
}

#[derive(Debug)]
struct Inner {
    world: World,
    /// Bumped on every change; a snapshot taken at generation g holds every change up to g.
    generation: u64,
}

#[derive(Debug)]
struct Persister {
    path: PathBuf,
    written: u64,
}

impl Store {
    /// A store for `world`, persisted to `data_file` if given (written once now).
    pub fn new(world: World, data_file: Option<PathBuf>) -> Result<Self, EmulatorError> {
        if let Some(path) = &data_file {
            let bytes = serde_json::to_vec(&world).map_err(|error| EmulatorError::Data {
                path: path.clone(),
                message: error.to_string(),
            })?;
            write_atomically(path, &bytes).map_err(|source| EmulatorError::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(Self {
            inner: Mutex::new(Inner {
                world,
                generation: 0,
            }),
            persister: data_file
                .map(|path| tokio::sync::Mutex::new(Persister { path, written: 0 })),
        })
    }

    /// Load the world from an existing data file.
    pub fn load(path: &Path) -> Result<World, EmulatorError> {
        let bytes = std::fs::read(path).map_err(|source| EmulatorError::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|error| EmulatorError::Data {
            path: path.to_owned(),
            message: error.to_string(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied change visible to the
        // data file (we persist only after success), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Read the state.
    pub fn read<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.lock().world)
    }

    /// Change the state; on success the change is on disk before this returns. A refusal must
    /// leave the world untouched (operations check before they change anything).
    ///
    /// Writes are group-committed: whoever holds the persister lock snapshots the world as it
    /// is then, which covers every change made so far, so concurrent writers share one fsync.
    pub async fn write<T>(
        &self,
        f: impl FnOnce(&mut World) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let (value, generation) = {
            let mut inner = self.lock();
            let value = f(&mut inner.world)?;
            inner.generation += 1;
            (value, inner.generation)
        };
        let Some(persister) = &self.persister else {
            return Ok(value);
        };
        let mut persister = persister.lock().await;
        if persister.written >= generation {
            return Ok(value); // a snapshot taken after this change is on disk already
        }
        let (snapshot_generation, bytes) = {
            let inner = self.lock();
            let bytes = serde_json::to_vec(&inner.world)
                .map_err(|error| Refusal::SystemError(error.to_string()))?;
            (inner.generation, bytes)
        };
        let path = persister.path.clone();
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|error| Refusal::SystemError(error.to_string()))?
            .map_err(|error| {
                Refusal::SystemError(format!("cannot persist the emulator state: {error}"))
            })?;
        persister.written = snapshot_generation;
        Ok(value)
    }
}

/// Write `bytes` to `path` atomically (see [`crate::model::files::replace`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::model::files::replace(path, bytes)
}
