//! The state lock in PostgreSQL: a row in `dingform.state_locks` per key, with a lease.
//!
//! The holder keeps the lock on a connection of its own and renews the lease every
//! [`RENEW_EVERY`]. A waiter takes the lock over when the lease has lapsed (a holder cut off
//! from the network, or frozen: at most [`LEASE`] after its last renewal) or when the holder's
//! server session is gone (a holder killed with `kill -9`: its connection closes at once, so
//! the next attempt succeeds). Writes never rely on the lock alone: each is a compare-and-swap
//! on the serial, so even a lock lost mid-run never loses an update.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::super::{LockHolder, StateError};
use super::PostgresStore;
use crate::state::store::StoreLock;

/// How long a lock lives without renewal.
pub const LEASE: Duration = Duration::from_secs(20);
/// How often the holder renews it.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How often a waiter tries again.
const RETRY_EVERY: Duration = Duration::from_millis(250);

/// The store's guard inside a [`StoreLock`]: its connection (whose session is the holder's
/// liveness) and the task renewing the lease; dropping it ends both.
pub struct PgLockGuard {
    pub(super) client: Arc<Client>,
    pub(super) lock_id: String,
    renewal: tokio::task::JoinHandle<()>,
}

impl Drop for PgLockGuard {
    fn drop(&mut self) {
        self.renewal.abort();
    }
}

const HOLDER_COLUMNS: &str = "lock_id, pid, host, command, \
    to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

pub(super) fn holder_of(row: &tokio_postgres::Row) -> LockHolder {
    LockHolder {
        id: Some(row.get(0)),
        pid: u32::try_from(row.get::<_, i32>(1)).unwrap_or(0),
        host: row.get(2),
        operation: row.get(3),
        since: row.get(4),
    }
}

impl PostgresStore {
    pub(super) async fn take_lock(
        &self,
        operation: &str,
        timeout: Duration,
    ) -> Result<StoreLock, StateError> {
        let client = Arc::new(self.connect_migrated("lock").await?);
        let mut holder = LockHolder::this_process(operation);
        let lock_id = uuid::Uuid::new_v4().to_string();
        holder.id = Some(lock_id.clone());
        let lease = format!("{} seconds", LEASE.as_secs());
        let started = Instant::now();
        loop {
            // A lock whose lease lapsed, or whose holder's session is gone, is nobody's.
            client
                .execute(
                    "DELETE FROM dingform.state_locks l WHERE key = $1 AND (expires_at < now() \
                     OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid))",
                    &[&self.key],
                )
                .await
                .map_err(|e| self.database_error("lock", &e))?;
            let taken = client
                .execute(
                    "INSERT INTO dingform.state_locks \
                     (key, lock_id, pid, host, command, expires_at, backend_pid) \
                     VALUES ($1, $2, $3, $4, $5, now() + $6::text::interval, pg_backend_pid()) \
                     ON CONFLICT (key) DO NOTHING",
                    &[
                        &self.key,
                        &lock_id,
                        &i32::try_from(holder.pid).unwrap_or(0),
                        &holder.host,
                        &holder.operation,
                        &lease,
                    ],
                )
                .await
                .map_err(|e| self.database_error("lock", &e))?;
            if taken == 1 {
                break;
            }
            if started.elapsed() >= timeout {
                let row = client
                    .query_opt(
                        &format!(
                            "SELECT {HOLDER_COLUMNS} FROM dingform.state_locks WHERE key = $1"
                        ),
                        &[&self.key],
                    )
                    .await
                    .map_err(|e| self.database_error("lock", &e))?;
                match row {
                    Some(row) => {
                        return Err(StateError::Locked {
                            holder: Box::new(holder_of(&row)),
                            waited_secs: started.elapsed().as_secs(),
                        });
                    }
                    // Released just now: try once more.
                    None => continue,
                }
            }
            tokio::time::sleep(RETRY_EVERY.min(timeout.saturating_sub(started.elapsed()))).await;
        }
        let renewal = tokio::spawn(renew(
            client.clone(),
            self.key.clone(),
            lock_id.clone(),
            lease,
        ));
        let guard = PgLockGuard {
            client,
            lock_id,
            renewal,
        };
        Ok(StoreLock::new(holder, guard))
    }

    pub(super) async fn give_back(&self, lock: StoreLock) -> Result<(), StateError> {
        let Some(guard) = lock.into_guard::<PgLockGuard>() else {
            return Ok(());
        };
        guard
            .client
            .execute(
                "DELETE FROM dingform.state_locks WHERE key = $1 AND lock_id = $2",
                &[&self.key, &guard.lock_id],
            )
            .await
            .map_err(|e| self.database_error("unlock", &e))?;
        Ok(())
    }

    pub(super) async fn remove_lock(&self, lock_id: &str) -> Result<LockHolder, StateError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("connected");
        let removed = client
            .query_opt(
                &format!(
                    "DELETE FROM dingform.state_locks WHERE key = $1 AND lock_id = $2 \
                     RETURNING {HOLDER_COLUMNS}"
                ),
                &[&self.key, &lock_id.to_owned()],
            )
            .await
            .map_err(|e| self.database_error("unlock", &e))?;
        if let Some(row) = removed {
            return Ok(holder_of(&row));
        }
        let current = client
            .query_opt(
                &format!("SELECT {HOLDER_COLUMNS} FROM dingform.state_locks WHERE key = $1"),
                &[&self.key],
            )
            .await
            .map_err(|e| self.database_error("unlock", &e))?
            .map(|row| Box::new(holder_of(&row)));
        Err(StateError::NoSuchLock {
            location: self.location_of(),
            lock_id: lock_id.to_owned(),
            current,
        })
    }
}

async fn renew(client: Arc<Client>, key: String, lock_id: String, lease: String) {
    let mut every = tokio::time::interval(RENEW_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        match client
            .execute(
                "UPDATE dingform.state_locks SET expires_at = now() + $3::text::interval \
                 WHERE key = $1 AND lock_id = $2",
                &[&key, &lock_id, &lease],
            )
            .await
        {
            Ok(1) => {}
            Ok(_) => {
                tracing::warn!(
                    "the state lock {lock_id} was taken away (unlocked, or its lease lapsed); \
                     writes still check the serial"
                );
                return;
            }
            Err(error) => {
                tracing::warn!("cannot renew the state lock {lock_id}: {error}");
                return;
            }
        }
    }
}
