//! [`StateStore`] for a [`StateFile`]: the lock is `flock` (released by the kernel when its
//! holder dies, so it has no id to unlock), and the versions kept are the file and its backup.

use std::time::Duration;

use super::store::{StateStore, StoreFuture, StoreLock, Version};
use super::{Location, LockHolder, State, StateError, StateFile, StateLock};

impl StateFile {
    fn read_version(&self, path: &std::path::Path) -> Result<Option<(State, Version)>, StateError> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Ok(None);
        };
        let state = StateFile::new(path).parse_text(&text)?;
        let written_at = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map(chrono::DateTime::<chrono::Utc>::from);
        let version = Version {
            serial: state.serial,
            written_at,
            host: None,
            user: None,
            command: None,
            resources: state.resources.len(),
        };
        Ok(Some((state, version)))
    }

    fn versions(&self) -> Result<Vec<(State, Version)>, StateError> {
        let mut versions = Vec::new();
        versions.extend(self.read_version(self.path())?);
        versions.extend(self.read_version(&self.backup_path())?);
        Ok(versions)
    }

    /// Run `work` on a thread of tokio's blocking pool: it waits for the disk (or a lock),
    /// and the runtime's own thread goes on with the requests meanwhile.
    async fn off_the_runtime<T: Send + 'static>(
        &self,
        task: &str,
        work: impl FnOnce() -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, StateError> {
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| StateError::Unsupported {
                location: StateFile::location(self),
                what: format!("the {task} task failed: {error}"),
            })?
    }
}

impl StateStore for StateFile {
    fn location(&self) -> Location {
        StateFile::location(self)
    }

    /// The absolute path, however the workspace was named on the command line (its nearest
    /// existing directory resolved, as `.dingform/` may not exist yet).
    fn identity(&self) -> String {
        let path = std::path::absolute(self.path()).unwrap_or_else(|_| self.path().to_owned());
        let mut rest = Vec::new();
        let mut dir = path.as_path();
        loop {
            if let Ok(real) = std::fs::canonicalize(dir) {
                let full = rest.iter().rev().fold(real, |full, part| full.join(part));
                return full.display().to_string();
            }
            match (dir.parent(), dir.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    dir = parent;
                }
                _ => return path.display().to_string(),
            }
        }
    }

    fn read(&self) -> StoreFuture<'_, Option<State>> {
        Box::pin(async move { StateFile::read(self) })
    }

    fn lock<'a>(&'a self, operation: &'a str, timeout: Duration) -> StoreFuture<'a, StoreLock> {
        Box::pin(async move {
            let path = self.path().to_owned();
            let operation = operation.to_owned();
            // The file lock waits by polling.
            let lock = self
                .off_the_runtime("lock", move || {
                    StateLock::acquire(&path, &operation, timeout)
                })
                .await?;
            let holder = lock.holder().clone();
            Ok(StoreLock::new(holder, lock))
        })
    }

    fn compare_and_swap<'a>(
        &'a self,
        expected: u64,
        next: &'a State,
        _lock: &'a StoreLock,
    ) -> StoreFuture<'a, ()> {
        // Off the runtime's thread: a write is a read of the serial, a link and two fsyncs, and
        // the command runs on one thread (`cli::session::runtime`), whose requests would wait
        // for the disk.
        let file = self.clone();
        let next = next.clone();
        Box::pin(self.off_the_runtime("write", move || file.replace(expected, &next)))
    }

    fn history(&self) -> StoreFuture<'_, Vec<Version>> {
        Box::pin(async move {
            Ok(self
                .versions()?
                .into_iter()
                .map(|(_, version)| version)
                .collect())
        })
    }

    fn version(&self, serial: u64) -> StoreFuture<'_, Option<State>> {
        Box::pin(async move {
            Ok(self
                .versions()?
                .into_iter()
                .map(|(state, _)| state)
                .find(|state| state.serial == serial))
        })
    }

    fn unlock<'a>(&'a self, _lock_id: &'a str) -> StoreFuture<'a, LockHolder> {
        Box::pin(async move {
            Err(StateError::Unsupported {
                location: StateFile::location(self),
                what: "a state file's lock is released by the kernel when its holder exits: \
                       there is no lock to remove"
                    .into(),
            })
        })
    }

    fn release(&self, lock: StoreLock) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            drop(lock);
            Ok(())
        })
    }
}
