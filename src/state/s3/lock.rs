//! The state lock in S3: the object `PREFIX/KEY/lock.json`, created with `If-None-Match: *` (of
//! two takers exactly one wins), holding the holder's identity and a lease.
//!
//! The holder renews the lease every [`RENEW_EVERY`] by rewriting the object with `If-Match` on
//! the ETag it last wrote, so each renewal changes the ETag. A waiter never compares clocks
//! across machines: it watches the ETag on its own clock, and once the ETag has not changed for
//! [`LEASE`] the holder is gone (killed, frozen, cut off) and the waiter takes the lock over by
//! rewriting the object with `If-Match` on that ETag, so of several takers only one wins. A
//! holder whose renewal finds another ETag has lost the lock; writes never rely on the lock
//! alone (each is a compare-and-swap on the state's ETag), so even then no update is lost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, UpdateVersion};
use serde::{Deserialize, Serialize};

use super::super::{LockHolder, StateError};
use super::S3Store;
use crate::state::store::StoreLock;

/// How long a lock's ETag may stay unchanged before a waiter takes it over.
pub const LEASE: Duration = Duration::from_secs(20);
/// How often the holder renews it.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How often a waiter looks again.
const RETRY_EVERY: Duration = Duration::from_millis(250);

/// What `lock.json` holds.
#[derive(Serialize, Deserialize)]
struct LockObject {
    holder: LockHolder,
    /// How many times the lease was renewed (so that each renewal writes new bytes, and the
    /// object a new ETag).
    renewals: u64,
}

/// The store's guard inside a [`StoreLock`]: the task renewing the lease; dropping it stops
/// the renewal and removes the lock object (if it is still this holder's).
pub struct S3LockGuard {
    client: Arc<dyn ObjectStore>,
    path: Path,
    lock_id: String,
    renewal: tokio::task::JoinHandle<()>,
    released: bool,
}

impl Drop for S3LockGuard {
    fn drop(&mut self) {
        self.renewal.abort();
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (client, path, lock_id) =
                (self.client.clone(), self.path.clone(), self.lock_id.clone());
            runtime.spawn(async move {
                let _ = remove_if_ours(&*client, &path, &lock_id).await;
            });
        }
    }
}

/// Read the lock object: its holder and ETag (`None` when nobody holds it).
async fn read_lock(
    client: &dyn ObjectStore,
    path: &Path,
) -> Result<Option<(LockObject, Option<String>)>, object_store::Error> {
    let got = match client.get(path).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let e_tag = got.meta.e_tag.clone();
    let bytes = got.bytes().await?;
    let object = serde_json::from_slice(&bytes).unwrap_or(LockObject {
        holder: LockHolder {
            pid: 0,
            host: "an unknown host".into(),
            since: "an unknown time".into(),
            operation: "unknown (the lock object is not dingform's)".into(),
            id: None,
        },
        renewals: 0,
    });
    Ok(Some((object, e_tag)))
}

/// Remove the lock object if `lock_id` holds it. (S3 has no conditional delete everywhere: the
/// read and the delete are two requests, which is safe because a holder that is renewing is
/// never taken over.)
async fn remove_if_ours(
    client: &dyn ObjectStore,
    path: &Path,
    lock_id: &str,
) -> Result<Option<LockHolder>, object_store::Error> {
    match read_lock(client, path).await? {
        Some((object, _)) if object.holder.id.as_deref() == Some(lock_id) => {
            client.delete(path).await?;
            Ok(Some(object.holder))
        }
        _ => Ok(None),
    }
}

fn encode(holder: &LockHolder, renewals: u64) -> Vec<u8> {
    serde_json::to_vec(&LockObject {
        holder: holder.clone(),
        renewals,
    })
    .expect("a lock serializes")
}

impl S3Store {
    fn lock_path(&self) -> Path {
        self.path("lock.json")
    }

    pub(super) async fn take_lock(
        &self,
        operation: &str,
        timeout: Duration,
    ) -> Result<StoreLock, StateError> {
        let client = self.client("lock").await?.clone();
        let path = self.lock_path();
        let mut holder = LockHolder::this_process(operation);
        let lock_id = uuid::Uuid::new_v4().to_string();
        holder.id = Some(lock_id.clone());
        let started = Instant::now();
        // The lock's ETag as last seen, and since when (on this process's clock).
        let mut watched: Option<(Option<String>, Instant)> = None;
        let e_tag = loop {
            match client
                .put_opts(&path, encode(&holder, 0).into(), PutMode::Create.into())
                .await
            {
                Ok(put) => break put.e_tag,
                Err(object_store::Error::AlreadyExists { .. }) => {}
                Err(error) => return Err(self.store_error("lock", &error)),
            }
            let Some((current, current_tag)) = read_lock(&*client, &path)
                .await
                .map_err(|error| self.store_error("lock", &error))?
            else {
                // Released just now: try again at once.
                continue;
            };
            if current.holder.id == holder.id {
                // Our own create, whose answer was lost and retried: we hold it.
                break current_tag;
            }
            let since = match &watched {
                Some((tag, since)) if *tag == current_tag => *since,
                _ => {
                    let now = Instant::now();
                    watched = Some((current_tag.clone(), now));
                    now
                }
            };
            if since.elapsed() >= LEASE {
                // The holder stopped renewing: take over, if nobody else did first.
                let update = PutMode::Update(UpdateVersion {
                    e_tag: current_tag,
                    version: None,
                });
                match client
                    .put_opts(&path, encode(&holder, 0).into(), update.into())
                    .await
                {
                    Ok(put) => {
                        tracing::warn!(
                            "took over the state lock of {} (not renewed for {}s)",
                            current.holder,
                            LEASE.as_secs()
                        );
                        break put.e_tag;
                    }
                    Err(
                        object_store::Error::Precondition { .. }
                        | object_store::Error::NotFound { .. },
                    ) => {
                        watched = None;
                        continue;
                    }
                    Err(error) => return Err(self.store_error("lock", &error)),
                }
            }
            if started.elapsed() >= timeout {
                return Err(StateError::Locked {
                    holder: Box::new(current.holder),
                    waited_secs: started.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(RETRY_EVERY.min(timeout.saturating_sub(started.elapsed()))).await;
        };
        let renewal = tokio::spawn(renew(client.clone(), path.clone(), holder.clone(), e_tag));
        let guard = S3LockGuard {
            client,
            path,
            lock_id,
            renewal,
            released: false,
        };
        Ok(StoreLock::new(holder, guard))
    }

    pub(super) async fn give_back(&self, lock: StoreLock) -> Result<(), StateError> {
        let Some(mut guard) = lock.into_guard::<S3LockGuard>() else {
            return Ok(());
        };
        guard.renewal.abort();
        guard.released = true;
        remove_if_ours(&*guard.client, &guard.path, &guard.lock_id)
            .await
            .map_err(|error| self.store_error("unlock", &error))?;
        Ok(())
    }

    pub(super) async fn remove_lock(&self, lock_id: &str) -> Result<LockHolder, StateError> {
        let client = self.client("unlock").await?;
        let path = self.lock_path();
        let error = |error: object_store::Error| self.store_error("unlock", &error);
        if let Some(holder) = remove_if_ours(&**client, &path, lock_id)
            .await
            .map_err(error)?
        {
            return Ok(holder);
        }
        let current = read_lock(&**client, &path)
            .await
            .map_err(error)?
            .map(|(object, _)| Box::new(object.holder));
        Err(StateError::NoSuchLock {
            location: self.location_of(),
            lock_id: lock_id.to_owned(),
            current,
        })
    }
}

async fn renew(
    client: Arc<dyn ObjectStore>,
    path: Path,
    holder: LockHolder,
    mut e_tag: Option<String>,
) {
    let lock_id = holder.id.clone().unwrap_or_default();
    let mut every = tokio::time::interval(RENEW_EVERY);
    every.tick().await;
    let mut renewals = 0;
    loop {
        every.tick().await;
        renewals += 1;
        let update = PutMode::Update(UpdateVersion {
            e_tag: e_tag.clone(),
            version: None,
        });
        match client
            .put_opts(&path, encode(&holder, renewals).into(), update.into())
            .await
        {
            Ok(put) => e_tag = put.e_tag,
            Err(
                object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. },
            ) => {
                tracing::warn!(
                    "the state lock {lock_id} was taken away (unlocked, or its lease lapsed); \
                     writes still check the state's version"
                );
                return;
            }
            Err(error) => {
                // A passing network error: the next renewal tries again, well within the lease.
                tracing::warn!("cannot renew the state lock {lock_id}: {error}");
            }
        }
    }
}
