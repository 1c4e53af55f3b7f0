//! [`StateStore`]: what plan, apply, import and the `state` commands need from wherever the
//! state is kept. One implementation per store: a file ([`StateFile`](super::StateFile)) and
//! PostgreSQL ([`PostgresStore`](super::postgres::PostgresStore)); callers see only the trait.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Location, LockHolder, State, StateError};

/// The future a store method returns (boxed, so that `&dyn StateStore` works).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StateError>> + Send + 'a>>;

/// Where the state is kept: read it, lock it, write it as a compare-and-swap on its serial,
/// and list (and read) the versions kept.
pub trait StateStore: Send + Sync {
    /// Where the state lives, for messages: a path, or a masked URL and key.
    fn location(&self) -> Location;

    /// What tells this store's state apart from every other workspace's before anything is
    /// written: a state never written takes a lineage derived from it ([`first_lineage`]), so
    /// that every plan before the first apply shows the same creation uuids. A shared store's
    /// location by default; a file store gives its absolute path.
    fn identity(&self) -> String {
        self.location().as_str().to_owned()
    }

    /// The current state; `None` when nothing was ever written.
    fn read(&self) -> StoreFuture<'_, Option<State>>;

    /// Take the exclusive lock for a run that will write, waiting up to `timeout` for another
    /// holder; a refusal names the holder ([`StateError::Locked`]).
    fn lock<'a>(&'a self, operation: &'a str, timeout: Duration) -> StoreFuture<'a, StoreLock>;

    /// Make `next` the current state if the current serial is `expected` (0: none yet), in one
    /// atomic step; otherwise [`StateError::SerialMismatch`] and nothing changes. `next.serial`
    /// must be greater than `expected`. The caller holds `lock`.
    fn compare_and_swap<'a>(
        &'a self,
        expected: u64,
        next: &'a State,
        lock: &'a StoreLock,
    ) -> StoreFuture<'a, ()>;

    /// The versions kept, newest first.
    fn history(&self) -> StoreFuture<'_, Vec<Version>>;

    /// The version with this serial, if it is kept.
    fn version(&self, serial: u64) -> StoreFuture<'_, Option<State>>;

    /// Remove the lock `lock_id`, whose holder is gone; returns who held it.
    fn unlock<'a>(&'a self, lock_id: &'a str) -> StoreFuture<'a, LockHolder>;

    /// Give the lock back (dropping it releases it too, less promptly in a shared store).
    fn release(&self, lock: StoreLock) -> StoreFuture<'_, ()>;
}

/// A held lock: released when given to [`StateStore::release`] or dropped.
pub struct StoreLock {
    /// Who holds it (this process), with the lock's id in a shared store.
    pub holder: LockHolder,
    guard: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreLock")
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

impl StoreLock {
    /// A lock whose release is `guard`'s drop.
    pub fn new(holder: LockHolder, guard: impl Any + Send + Sync) -> StoreLock {
        StoreLock {
            holder,
            guard: Box::new(guard),
        }
    }

    /// The store's own guard, for the store that made it.
    pub fn guard<T: Any>(&self) -> Option<&T> {
        self.guard.downcast_ref()
    }

    /// The store's own guard, taken back.
    pub fn into_guard<T: Any>(self) -> Option<T> {
        self.guard.downcast().ok().map(|guard| *guard)
    }
}

/// One kept version of the state (`dingform state history`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    /// Its serial.
    pub serial: u64,
    /// When it was written.
    pub written_at: Option<DateTime<Utc>>,
    /// The machine that wrote it.
    pub host: Option<String>,
    /// The user that wrote it.
    pub user: Option<String>,
    /// The command that wrote it (`apply`, `state push`…).
    pub command: Option<String>,
    /// How many resources it records.
    pub resources: usize,
}

/// Write `state` as the next version (its serial incremented) over the one it was read as.
pub async fn write(
    store: &dyn StateStore,
    state: &mut State,
    lock: &StoreLock,
) -> Result<(), StateError> {
    state.serial += 1;
    let written = store.compare_and_swap(state.serial - 1, state, lock).await;
    if written.is_err() {
        state.serial -= 1;
    }
    written
}

/// The current state, or an empty one for `organization` whose lineage is
/// [`first_lineage`]: the one its first write will keep.
pub async fn read_or_new(
    store: &dyn StateStore,
    organization: Option<String>,
) -> Result<State, StateError> {
    Ok(store.read().await?.unwrap_or_else(|| {
        let mut state = State::new(organization);
        state.lineage = first_lineage(state.organization.as_deref(), &store.identity());
        state
    }))
}

/// The lineage of a workspace's state before it is first written: a UUIDv5 of the organization
/// and the store's [`StateStore::identity`]. Derived, not random, because the lineage is the
/// workspace's part of every creation uuid (`plan::identity`): two plans before the first apply
/// must show the same uuids, and two workspaces must never send the same ones. Once written, the
/// lineage travels with the state (`state pull`, `state push`) and never changes.
pub fn first_lineage(organization: Option<&str>, identity: &str) -> String {
    let name = format!("{}\n{identity}", organization.unwrap_or_default());
    uuid::Uuid::new_v5(&FIRST_LINEAGE_NAMESPACE, name.as_bytes()).to_string()
}

/// `uuid5(NAMESPACE_URL, "https://dingform.dev/ns/lineage")`.
const FIRST_LINEAGE_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x01da_b0b8_a420_5af7_a774_5062_bcfc_8681);

/// `state push`: make `pushed` the current state, under `lock`. Refused without `force` when it
/// is of another lineage, or older than (or as old as, but different from) the current one.
/// It keeps its serial when that is newer; otherwise it becomes the next one.
pub async fn push(
    store: &dyn StateStore,
    mut pushed: State,
    force: bool,
    lock: &StoreLock,
) -> Result<State, StateError> {
    let current = store.read().await?;
    let current_serial = current.as_ref().map_or(0, |state| state.serial);
    if let Some(current) = &current
        && !force
    {
        if current.lineage != pushed.lineage {
            return Err(StateError::LineageMismatch {
                location: store.location(),
                current: current.lineage.clone(),
                pushed: pushed.lineage,
            });
        }
        let refusal = if pushed.serial < current.serial {
            Some("the pushed state is older")
        } else if pushed.serial == current.serial && pushed.resources != current.resources {
            Some("it has the same serial but different contents")
        } else {
            None
        };
        if let Some(reason) = refusal {
            return Err(StateError::OlderSerial {
                location: store.location(),
                current: current.serial,
                pushed: pushed.serial,
                reason,
            });
        }
    }
    pushed.serial = pushed.serial.max(current_serial + 1);
    store
        .compare_and_swap(current_serial, &pushed, lock)
        .await?;
    Ok(pushed)
}

/// The user running this process, for history (`USER`, `LOGNAME`, `USERNAME`, else the
/// account of its uid in `/etc/passwd`).
pub fn user_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .or_else(account_of_uid)
        .unwrap_or_else(|| "unknown".into())
}

fn account_of_uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    std::fs::read_to_string("/etc/passwd")
        .ok()?
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            (fields.nth(1)? == uid).then(|| name.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_lineage_namespace_is_the_documented_one() {
        let derived = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            b"https://dingform.dev/ns/lineage",
        );
        assert_eq!(
            FIRST_LINEAGE_NAMESPACE, derived,
            "update it to {derived:#x}"
        );
    }

    #[test]
    fn first_lineages_are_stable_and_distinct_per_store_and_organization() {
        let a = first_lineage(Some("Org"), "/work/a/.dingform/state.json");
        assert_eq!(
            a,
            first_lineage(Some("Org"), "/work/a/.dingform/state.json")
        );
        assert_ne!(
            a,
            first_lineage(Some("Org"), "/work/b/.dingform/state.json")
        );
        assert_ne!(
            a,
            first_lineage(Some("Other"), "/work/a/.dingform/state.json")
        );
    }
}
