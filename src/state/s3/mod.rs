//! [`S3Store`]: state in S3-compatible object storage, locked by conditional writes alone (no
//! lock table, no bucket versioning). Under `PREFIX/KEY/`:
//!
//! - `state.json`: the current state, replaced only with `If-Match` on the ETag it was read
//!   with (compare-and-swap: of two writers over one version, exactly one wins); the first
//!   write is a create with `If-None-Match: *`;
//! - `versions/SERIAL.json`: every version, its own object, with who wrote it and when
//!   (`state history`, `state pull --serial N`);
//! - `lock.json`: the lock ([`lock`]), created with `If-None-Match: *`.
//!
//! At first use the store is checked to refuse a second conditional create of one object and
//! a write over a stale ETag ([`S3Target::check_conditional_writes`]); one that accepts either
//! is refused, since nothing here would be safe on it. The check runs once per bucket, prefix
//! and endpoint: `PREFIX/.dingform-probe/verified-ENDPOINT.json` records that it passed, so
//! later runs make one GET ([`probe`]).
//!
//! The [`StateStore`] methods mirror the PostgreSQL store's, but their bodies are another
//! protocol (ETags instead of transactions; the history listed from objects, the current state
//! added when its copy is missing), so only the shape repeats; reading a document back is
//! shared ([`State::from_document`]).

pub mod connect;
mod lock;
mod probe;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, UpdateVersion};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

pub use connect::{ENVIRONMENT, ProbeError, S3Error, S3Target};
pub use lock::{LEASE, RENEW_EVERY, S3LockGuard};
pub use probe::PROBE_VERSION;

use super::store::{StateStore, StoreFuture, StoreLock, Version, user_name};
use super::{Location, LockHolder, State, StateError};

/// State kept under `key` in an S3 bucket prefix.
pub struct S3Store {
    target: S3Target,
    key: String,
    client: OnceCell<Arc<dyn ObjectStore>>,
    /// The serial and ETag of `state.json` as this process last read or wrote it: a write
    /// over it needs no read first (the `If-Match` still refuses it if another moved on).
    seen: std::sync::Mutex<Option<(u64, Option<String>)>>,
}

/// A kept version: the state with who wrote it.
#[derive(Serialize, Deserialize)]
struct VersionObject {
    serial: u64,
    written_at: DateTime<Utc>,
    host: String,
    user: String,
    command: String,
    resources: usize,
    state: serde_json::Value,
}

impl S3Store {
    /// The store at `url` (`s3://BUCKET/PREFIX`, configured by the `AWS_*` environment) under
    /// `key`; nothing is sent until first use.
    pub fn new(url: &str, key: &str) -> Result<S3Store, S3Error> {
        Ok(S3Store::with_target(S3Target::from_url(url)?, key))
    }

    /// The store of an already-built target.
    pub fn with_target(target: S3Target, key: &str) -> S3Store {
        S3Store {
            target,
            key: key.trim_matches('/').to_owned(),
            client: OnceCell::new(),
            seen: std::sync::Mutex::new(None),
        }
    }

    fn location_of(&self) -> Location {
        Location::shared(&self.target.url(), &self.key)
    }

    fn store_error(&self, action: &'static str, error: &object_store::Error) -> StateError {
        StateError::Store {
            action,
            location: self.location_of(),
            reason: self.target.explain(error),
        }
    }

    /// The client, checked at first use (see [`S3Target::check_conditional_writes`]).
    async fn client(&self, action: &'static str) -> Result<&Arc<dyn ObjectStore>, StateError> {
        self.client
            .get_or_try_init(|| async {
                let fail = |reason: String| StateError::Store {
                    action,
                    location: self.location_of(),
                    reason,
                };
                let client = self.target.build().map_err(|e| fail(e.to_string()))?;
                self.target
                    .check_conditional_writes(&*client)
                    .await
                    .map_err(|e| fail(e.into_message()))?;
                Ok(client)
            })
            .await
    }

    fn path(&self, name: &str) -> object_store::path::Path {
        self.target.path(&self.key, name)
    }

    fn version_path(&self, serial: u64) -> object_store::path::Path {
        self.path(&format!("versions/{serial:020}.json"))
    }

    fn parse(&self, bytes: &[u8], serial_hint: &str) -> Result<State, StateError> {
        let invalid = |error: serde_json::Error| StateError::Invalid {
            location: self.location_of(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
            hint: format!("{serial_hint}; earlier versions are in `dingform state history`"),
        };
        let document: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
        self.parse_value(document, serial_hint)
    }

    fn parse_value(
        &self,
        document: serde_json::Value,
        serial_hint: &str,
    ) -> Result<State, StateError> {
        State::from_document(
            document,
            self.location_of(),
            format!("{serial_hint}; earlier versions are in `dingform state history`"),
        )
    }

    /// The current state and the ETag it was read with.
    async fn read_current(&self) -> Result<Option<(State, Option<String>)>, StateError> {
        let client = self.client("read").await?;
        let got = match client.get(&self.path("state.json")).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(self.store_error("read", &error)),
        };
        let e_tag = got.meta.e_tag.clone();
        let bytes = got
            .bytes()
            .await
            .map_err(|error| self.store_error("read", &error))?;
        let state = self.parse(&bytes, " (state.json)")?;
        self.remember(state.serial, e_tag.clone());
        Ok(Some((state, e_tag)))
    }

    fn remember(&self, serial: u64, e_tag: Option<String>) {
        *self.seen.lock().expect("never poisoned") = Some((serial, e_tag));
    }

    /// The ETag `state.json` had at `serial`, if this process saw it there.
    fn seen_at(&self, serial: u64) -> Option<Option<String>> {
        match &*self.seen.lock().expect("never poisoned") {
            Some((seen, e_tag)) if *seen == serial && e_tag.is_some() => Some(e_tag.clone()),
            _ => None,
        }
    }

    async fn swap(&self, expected: u64, next: &State, lock: &StoreLock) -> Result<(), StateError> {
        let client = self.client("write").await?;
        let e_tag = match self.seen_at(expected).filter(|_| expected > 0) {
            Some(e_tag) => Some(e_tag),
            None => {
                let current = self.read_current().await?;
                let found = current.as_ref().map_or(0, |(state, _)| state.serial);
                if found != expected {
                    return Err(StateError::SerialMismatch {
                        location: self.location_of(),
                        expected,
                        found,
                    });
                }
                current.map(|(_, e_tag)| e_tag)
            }
        };
        let mode = match e_tag {
            None => PutMode::Create,
            Some(Some(e_tag)) => PutMode::Update(UpdateVersion {
                e_tag: Some(e_tag),
                version: None,
            }),
            Some(None) => {
                return Err(StateError::Store {
                    action: "write",
                    location: self.location_of(),
                    reason: "the store gave state.json no ETag, so it cannot be replaced safely \
                             (If-Match needs one)"
                        .into(),
                });
            }
        };
        let document = serde_json::to_vec_pretty(next).expect("state serializes");
        match client
            .put_opts(&self.path("state.json"), document.into(), mode.into())
            .await
        {
            Ok(put) => self.remember(next.serial, put.e_tag),
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. },
            ) => {
                // Another writer won between our read and our write.
                let found = self
                    .read_current()
                    .await?
                    .map_or(expected + 1, |(state, _)| state.serial);
                return Err(StateError::SerialMismatch {
                    location: self.location_of(),
                    expected,
                    found,
                });
            }
            Err(error) => return Err(self.store_error("write", &error)),
        }
        // The state is written; its copy in the history follows. Should this process die in
        // between, `history` still lists the current version (read from state.json).
        let version = VersionObject {
            serial: next.serial,
            written_at: Utc::now(),
            host: lock.holder.host.clone(),
            user: user_name(),
            command: lock.holder.operation.clone(),
            resources: next.resources.len(),
            state: serde_json::to_value(next).expect("state serializes"),
        };
        let bytes = serde_json::to_vec(&version).expect("version serializes");
        client
            .put_opts(
                &self.version_path(next.serial),
                bytes.into(),
                PutOptions::default(),
            )
            .await
            .map_err(|error| self.store_error("write the history of", &error))?;
        Ok(())
    }

    async fn read_version_object(
        &self,
        path: &object_store::path::Path,
    ) -> Result<Option<VersionObject>, StateError> {
        let client = self.client("read the history of").await?;
        let got = match client.get(path).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(self.store_error("read the history of", &error)),
        };
        let bytes = got
            .bytes()
            .await
            .map_err(|error| self.store_error("read the history of", &error))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| StateError::Invalid {
                location: self.location_of(),
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
                hint: format!(" ({path})"),
            })
    }

    async fn versions(&self) -> Result<Vec<Version>, StateError> {
        let client = self.client("read the history of").await?;
        let prefix = self.path("versions");
        let listed: Vec<object_store::ObjectMeta> = client
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|error| self.store_error("read the history of", &error))?;
        let mut versions: Vec<Version> = futures_util::stream::iter(listed)
            .map(|meta| async move { self.read_version_object(&meta.location).await })
            .buffer_unordered(16)
            .try_filter_map(|object| async move {
                Ok(object.map(|object| Version {
                    serial: object.serial,
                    written_at: Some(object.written_at),
                    host: Some(object.host),
                    user: Some(object.user),
                    command: Some(object.command),
                    resources: object.resources,
                }))
            })
            .try_collect()
            .await?;
        if let Some((current, _)) = self.read_current().await?
            && !versions.iter().any(|v| v.serial == current.serial)
        {
            // Written, but its history copy was not (the writer died in between).
            versions.push(Version {
                serial: current.serial,
                written_at: None,
                host: None,
                user: None,
                command: None,
                resources: current.resources.len(),
            });
        }
        versions.sort_by_key(|version| std::cmp::Reverse(version.serial));
        Ok(versions)
    }

    async fn read_serial(&self, serial: u64) -> Result<Option<State>, StateError> {
        match self.read_version_object(&self.version_path(serial)).await? {
            Some(object) => self
                .parse_value(object.state, &format!(" (serial {serial})"))
                .map(Some),
            None => Ok(self
                .read_current()
                .await?
                .map(|(state, _)| state)
                .filter(|state| state.serial == serial)),
        }
    }
}

impl StateStore for S3Store {
    fn location(&self) -> Location {
        self.location_of()
    }

    fn read(&self) -> StoreFuture<'_, Option<State>> {
        Box::pin(async move { Ok(self.read_current().await?.map(|(state, _)| state)) })
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
        Box::pin(self.read_serial(serial))
    }

    fn unlock<'a>(&'a self, lock_id: &'a str) -> StoreFuture<'a, LockHolder> {
        Box::pin(self.remove_lock(lock_id))
    }

    fn release(&self, lock: StoreLock) -> StoreFuture<'_, ()> {
        Box::pin(self.give_back(lock))
    }
}
