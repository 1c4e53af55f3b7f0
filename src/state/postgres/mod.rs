//! [`PostgresStore`]: state in PostgreSQL, one row per version in `dingform.state_versions`
//! (every version kept), the current serial per key in `dingform.workspaces`, the lock in
//! `dingform.state_locks` ([`lock`]). One database holds any number of workspaces, one per key.
//!
//! Every write is one transaction that checks the serial it was read with (compare-and-swap),
//! so two writers, or a writer whose lock lapsed, can never overwrite each other.
//!
//! [`StateStore`] is implemented as the S3 store implements it, each method handing off to one
//! of this store's own, but only the shape repeats: `history` here is one query over rows that
//! are written in the same transaction as the state, where S3 lists `versions/` and must add a
//! current state whose history copy a dying writer never wrote. What the stores share (reading
//! a document back, its version checked first) is [`State::from_document`].

pub mod connect;
mod lock;
pub mod migrate;

use std::time::Duration;

use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::Client;

pub use connect::{ConnectError, PgTarget, SslMode};
pub use lock::{LEASE, PgLockGuard, RENEW_EVERY};

use super::store::{StateStore, StoreFuture, StoreLock, Version, user_name};
use super::{Location, LockHolder, State, StateError};

/// State kept under `key` in a PostgreSQL database.
pub struct PostgresStore {
    target: PgTarget,
    key: String,
    client: Mutex<Option<Client>>,
}

impl PostgresStore {
    /// The store at `url` (completed by the libpq environment) under `key`; nothing is
    /// connected until first use.
    pub fn new(url: &str, key: &str) -> Result<PostgresStore, ConnectError> {
        Ok(PostgresStore {
            target: PgTarget::from_url(url)?,
            key: key.to_owned(),
            client: Mutex::new(None),
        })
    }

    /// The store of an already-built target.
    pub fn with_target(target: PgTarget, key: &str) -> PostgresStore {
        PostgresStore {
            target,
            key: key.to_owned(),
            client: Mutex::new(None),
        }
    }

    /// The workspace's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn location_of(&self) -> Location {
        Location::shared(self.target.masked_url(), &self.key)
    }

    fn database_error(&self, action: &'static str, error: &tokio_postgres::Error) -> StateError {
        let mut reason = match error.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => error.to_string(),
        };
        if error.is_closed() || reason.contains("connection closed") {
            reason = format!(
                "the connection to {} was lost ({reason}); nothing more was sent",
                self.target.describe()
            );
        }
        StateError::Store {
            action,
            location: self.location_of(),
            reason,
        }
    }

    /// A new connection with the schema brought up to date.
    async fn connect_migrated(&self, action: &'static str) -> Result<Client, StateError> {
        let mut client = self
            .target
            .connect()
            .await
            .map_err(|error| StateError::Store {
                action,
                location: self.location_of(),
                reason: error.to_string(),
            })?;
        migrate::migrate(&mut client, migrate::COMPONENT, migrate::MIGRATIONS)
            .await
            .map_err(|error| match error {
                migrate::MigrateError::Newer { found, known } => StateError::Store {
                    action,
                    location: self.location_of(),
                    reason: format!(
                        "the database's dingform schema is at version {found}, newer than this \
                         dingform understands ({known}): upgrade dingform"
                    ),
                },
                migrate::MigrateError::Database(error) => self.database_error(action, &error),
            })?;
        Ok(client)
    }

    async fn client(&self) -> Result<MutexGuard<'_, Option<Client>>, StateError> {
        let mut slot = self.client.lock().await;
        if slot.as_ref().is_none_or(Client::is_closed) {
            *slot = Some(self.connect_migrated("reach").await?);
        }
        Ok(slot)
    }

    fn parse(&self, serial: i64, document: serde_json::Value) -> Result<State, StateError> {
        State::from_document(
            document,
            self.location_of(),
            format!(" (serial {serial}); earlier versions are in `dingform state history`"),
        )
    }

    async fn read_serial(&self, serial: Option<u64>) -> Result<Option<State>, StateError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("connected");
        let row = match serial {
            None => {
                client
                    .query_opt(
                        "SELECT v.serial, v.document FROM dingform.workspaces w \
                     JOIN dingform.state_versions v ON v.key = w.key AND v.serial = w.serial \
                     WHERE w.key = $1",
                        &[&self.key],
                    )
                    .await
            }
            Some(serial) => {
                client
                    .query_opt(
                        "SELECT serial, document FROM dingform.state_versions \
                     WHERE key = $1 AND serial = $2",
                        &[&self.key, &to_i64(serial)],
                    )
                    .await
            }
        }
        .map_err(|e| self.database_error("read", &e))?;
        row.map(|row| self.parse(row.get(0), row.get(1)))
            .transpose()
    }

    async fn swap(&self, expected: u64, next: &State, lock: &StoreLock) -> Result<(), StateError> {
        let document = serde_json::to_value(next).expect("state serializes");
        let mut slot = self.client().await?;
        let client = slot.as_mut().expect("connected");
        let error = |e: tokio_postgres::Error| self.database_error("write", &e);
        let transaction = client.transaction().await.map_err(error)?;
        let current: Option<i64> = transaction
            .query_opt(
                "SELECT serial FROM dingform.workspaces WHERE key = $1 FOR UPDATE",
                &[&self.key],
            )
            .await
            .map_err(error)?
            .map(|row| row.get(0));
        let found = current.map_or(0, from_i64);
        let mismatch = || StateError::SerialMismatch {
            location: self.location_of(),
            expected,
            found,
        };
        if found != expected {
            return Err(mismatch());
        }
        let serial = to_i64(next.serial);
        if current.is_some() {
            transaction
                .execute(
                    "UPDATE dingform.workspaces SET serial = $2, lineage = $3, updated_at = now() \
                     WHERE key = $1",
                    &[&self.key, &serial, &next.lineage],
                )
                .await
                .map_err(error)?;
        } else {
            let inserted = transaction
                .execute(
                    "INSERT INTO dingform.workspaces (key, lineage, serial) VALUES ($1, $2, $3) \
                     ON CONFLICT (key) DO NOTHING",
                    &[&self.key, &next.lineage, &serial],
                )
                .await
                .map_err(error)?;
            if inserted == 0 {
                // Another first write won the race.
                return Err(StateError::SerialMismatch {
                    location: self.location_of(),
                    expected,
                    found: expected + 1,
                });
            }
        }
        transaction
            .execute(
                "INSERT INTO dingform.state_versions \
                 (key, serial, lineage, document, host, username, command) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &self.key,
                    &serial,
                    &next.lineage,
                    &document,
                    &lock.holder.host,
                    &user_name(),
                    &lock.holder.operation,
                ],
            )
            .await
            .map_err(error)?;
        transaction.commit().await.map_err(error)
    }

    async fn versions(&self) -> Result<Vec<Version>, StateError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("connected");
        let rows = client
            .query(
                "SELECT serial, written_at, host, username, command, \
                 (SELECT count(*) FROM jsonb_object_keys(coalesce(document->'resources', '{}'))) \
                 FROM dingform.state_versions WHERE key = $1 ORDER BY serial DESC",
                &[&self.key],
            )
            .await
            .map_err(|e| self.database_error("read the history of", &e))?;
        Ok(rows
            .iter()
            .map(|row| Version {
                serial: from_i64(row.get(0)),
                written_at: Some(row.get(1)),
                host: Some(row.get(2)),
                user: Some(row.get(3)),
                command: Some(row.get(4)),
                resources: usize::try_from(row.get::<_, i64>(5)).unwrap_or(0),
            })
            .collect())
    }
}

fn to_i64(serial: u64) -> i64 {
    i64::try_from(serial).unwrap_or(i64::MAX)
}

fn from_i64(serial: i64) -> u64 {
    u64::try_from(serial).unwrap_or(0)
}

impl StateStore for PostgresStore {
    fn location(&self) -> Location {
        self.location_of()
    }

    fn read(&self) -> StoreFuture<'_, Option<State>> {
        Box::pin(self.read_serial(None))
    }

    fn lock<'a>(&'a self, operation: &'a str, timeout: Duration) -> StoreFuture<'a, StoreLock> {
        Box::pin(self.take_lock(operation, timeout))
    }

    fn compare_and_swap<'a>(
        &'a self,
        expected: u64,
        next: &'a State,
        lock: &'a StoreLock,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.swap(expected, next, lock))
    }

    fn history(&self) -> StoreFuture<'_, Vec<Version>> {
        Box::pin(self.versions())
    }

    fn version(&self, serial: u64) -> StoreFuture<'_, Option<State>> {
        Box::pin(self.read_serial(Some(serial)))
    }

    fn unlock<'a>(&'a self, lock_id: &'a str) -> StoreFuture<'a, LockHolder> {
        Box::pin(self.remove_lock(lock_id))
    }

    fn release(&self, lock: StoreLock) -> StoreFuture<'_, ()> {
        Box::pin(self.give_back(lock))
    }
}
