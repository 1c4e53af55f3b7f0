//! One suite, every store: each behaviour of `StateStore` is checked against the file store,
//! PostgreSQL and S3 (real servers: `./scripts/test` starts PostgreSQL and moto), the way
//! object_store tests every backend with one suite.

use crate::s3_support;

use std::time::Duration;

use crate::common::postgres::TestDatabase;
use dingform::state::postgres::PostgresStore;
use dingform::state::s3::S3Store;
use dingform::state::store::{self, StateStore};
use dingform::state::{ResourceState, State, StateError, StateFile};

/// A store under test, and a way to open it again (as another process would).
struct Fixture {
    open: Box<dyn Fn() -> Box<dyn StateStore> + Send + Sync>,
    /// Whether old versions beyond the previous one are kept (a file keeps one backup).
    keeps_every_version: bool,
    /// Whether locks have ids to remove with `state unlock`.
    has_lock_ids: bool,
    _keep: Option<tempfile::TempDir>,
}

impl Fixture {
    fn store(&self) -> Box<dyn StateStore> {
        (self.open)()
    }
}

async fn file_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dingform/state.json");
    Fixture {
        open: Box::new(move || Box::new(StateFile::new(&path))),
        keeps_every_version: false,
        has_lock_ids: false,
        _keep: Some(dir),
    }
}

async fn postgres_store() -> Fixture {
    let database = TestDatabase::fresh().await;
    let url = database.url.clone();
    Fixture {
        open: Box::new(move || Box::new(PostgresStore::new(&url, "payments").unwrap())),
        keeps_every_version: true,
        has_lock_ids: true,
        _keep: None,
    }
}

/// `None` (the test is skipped) when no S3 server is set.
async fn s3_store() -> Option<Fixture> {
    let bucket = s3_support::TestBucket::fresh().await?;
    Some(Fixture {
        open: Box::new(move || Box::new(S3Store::with_target(bucket.target(), "payments"))),
        keeps_every_version: true,
        has_lock_ids: true,
        _keep: None,
    })
}

fn group(id: &str) -> ResourceState {
    ResourceState {
        id: Some(id.into()),
        creation_uuid: Some("7d3c0c3e-0000-5000-8000-000000000000".into()),
        ..ResourceState::default()
    }
}

/// Write `count` versions, each adding `group.gN`.
async fn write_versions(store: &dyn StateStore, count: usize) -> State {
    let lock = store.lock("test", Duration::ZERO).await.unwrap();
    let mut state = store::read_or_new(store, Some("Test Organization Demo".into()))
        .await
        .unwrap();
    for n in 0..count {
        state.resources.insert(
            format!("group.g{n}").parse().unwrap(),
            group(&format!("cid-{n}")),
        );
        store::write(store, &mut state, &lock).await.unwrap();
    }
    store.release(lock).await.unwrap();
    state
}

async fn an_empty_store_reads_as_no_state(fixture: Fixture) {
    let store = fixture.store();
    assert!(store.read().await.unwrap().is_none());
    assert!(store.history().await.unwrap().is_empty());
}

async fn writes_bump_the_serial_and_read_back_whole(fixture: Fixture) {
    let store = fixture.store();
    let written = write_versions(&*store, 2).await;
    assert_eq!(written.serial, 2);
    let read = fixture.store().read().await.unwrap().unwrap();
    assert_eq!(read, written);
    assert_eq!(read.resources.len(), 2);
}

async fn a_write_over_a_state_that_moved_is_refused(fixture: Fixture) {
    let store = fixture.store();
    write_versions(&*store, 1).await;
    let lock = store.lock("test", Duration::ZERO).await.unwrap();
    let mut fresh = store.read().await.unwrap().unwrap();
    let mut stale = fresh.clone();
    store::write(&*store, &mut fresh, &lock).await.unwrap();
    stale
        .resources
        .insert("group.lost".parse().unwrap(), group("cid-lost"));
    let error = store::write(&*store, &mut stale, &lock).await.unwrap_err();
    assert!(
        matches!(
            error,
            StateError::SerialMismatch {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        stale.serial, 1,
        "a refused write leaves the serial as it was"
    );
    let now = store.read().await.unwrap().unwrap();
    assert_eq!(now.serial, 2);
    assert!(!now.resources.contains_key(&"group.lost".parse().unwrap()));
}

async fn a_second_lock_is_refused_and_names_the_holder(fixture: Fixture) {
    let holder = fixture.store();
    let held = holder.lock("apply", Duration::ZERO).await.unwrap();
    let other = fixture.store();
    let error = other.lock("plan", Duration::ZERO).await.unwrap_err();
    let StateError::Locked { holder: named, .. } = &error else {
        panic!("expected Locked, got {error:?}")
    };
    assert_eq!(named.pid, std::process::id());
    assert_eq!(named.operation, "apply");
    assert_eq!(named.id, held.holder.id);
    assert_eq!(named.id.is_some(), fixture.has_lock_ids);
    let message = error.to_string();
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(message.contains("since"), "{message}");
    if let Some(id) = &named.id {
        assert!(
            message.contains(&format!("dingform state unlock {id}")),
            "{message}"
        );
    }
    holder.release(held).await.unwrap();
    other.lock("plan", Duration::ZERO).await.unwrap();
}

async fn a_waiting_lock_gets_it_once_the_holder_releases(fixture: Fixture) {
    let holder = fixture.store();
    let held = holder.lock("apply", Duration::ZERO).await.unwrap();
    let waiter = fixture.store();
    let waiting = tokio::spawn(async move {
        waiter
            .lock("apply", Duration::from_secs(60))
            .await
            .map(|lock| lock.holder.operation.clone())
    });
    // The waiter is refused while the lock is held (asked with no timeout by a third).
    assert!(matches!(
        fixture.store().lock("x", Duration::ZERO).await,
        Err(StateError::Locked { .. })
    ));
    holder.release(held).await.unwrap();
    assert_eq!(waiting.await.unwrap().unwrap(), "apply");
}

async fn a_dropped_lock_is_released(fixture: Fixture) {
    let holder = fixture.store();
    drop(holder.lock("apply", Duration::ZERO).await.unwrap());
    drop(holder);
    let started = std::time::Instant::now();
    fixture
        .store()
        .lock("apply", Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

async fn history_lists_versions_newest_first_and_pull_reads_each(fixture: Fixture) {
    let store = fixture.store();
    write_versions(&*store, 3).await;
    let history = store.history().await.unwrap();
    let serials: Vec<u64> = history.iter().map(|v| v.serial).collect();
    if fixture.keeps_every_version {
        assert_eq!(serials, [3, 2, 1]);
        assert_eq!(history[0].command.as_deref(), Some("test"));
        assert!(history[0].host.is_some() && history[0].user.is_some());
    } else {
        assert_eq!(serials, [3, 2], "the file and its backup");
    }
    assert_eq!(history[0].resources, 3);
    assert!(history[0].written_at.is_some());
    let previous = store.version(2).await.unwrap().unwrap();
    assert_eq!(previous.serial, 2);
    assert_eq!(previous.resources.len(), 2);
    assert!(store.version(99).await.unwrap().is_none());
}

async fn push_refuses_another_lineage_or_an_older_serial_unless_forced(fixture: Fixture) {
    let store = fixture.store();
    let current = write_versions(&*store, 2).await;
    let lock = store.lock("state push", Duration::ZERO).await.unwrap();

    let mut foreign = State::new(None);
    foreign.serial = 9;
    let error = store::push(&*store, foreign.clone(), false, &lock)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StateError::LineageMismatch { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("--force"), "{error}");

    let mut older = current.clone();
    older.serial = 1;
    older.resources.clear();
    let error = store::push(&*store, older.clone(), false, &lock)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            StateError::OlderSerial {
                current: 2,
                pushed: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        store.read().await.unwrap().unwrap(),
        current,
        "nothing changed"
    );

    let forced = store::push(&*store, older, true, &lock).await.unwrap();
    assert_eq!(forced.serial, 3, "a forced push becomes the next version");
    let now = store.read().await.unwrap().unwrap();
    assert!(now.resources.is_empty());
    assert_eq!(now.serial, 3);
}

async fn push_of_a_newer_state_keeps_its_serial(fixture: Fixture) {
    let store = fixture.store();
    let mut newer = write_versions(&*store, 1).await;
    newer.serial = 12;
    newer
        .resources
        .insert("group.more".parse().unwrap(), group("cid-more"));
    let lock = store.lock("state push", Duration::ZERO).await.unwrap();
    let pushed = store::push(&*store, newer.clone(), false, &lock)
        .await
        .unwrap();
    assert_eq!(pushed.serial, 12);
    assert_eq!(store.read().await.unwrap().unwrap(), newer);
}

async fn unlock_removes_a_lock_by_its_id_where_locks_have_ids(fixture: Fixture) {
    let holder = fixture.store();
    let held = holder.lock("apply", Duration::ZERO).await.unwrap();
    let other = fixture.store();
    match &held.holder.id {
        Some(id) => {
            let error = other.unlock("no-such-lock").await.unwrap_err();
            assert!(matches!(error, StateError::NoSuchLock { .. }), "{error:?}");
            assert!(
                error.to_string().contains("apply"),
                "names the holder: {error}"
            );
            let removed = other.unlock(id).await.unwrap();
            assert_eq!(removed.operation, "apply");
            other.lock("plan", Duration::ZERO).await.unwrap();
        }
        None => {
            let error = other.unlock("anything").await.unwrap_err();
            assert!(error.to_string().contains("kernel"), "{error}");
        }
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::file_store().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::postgres_store().await).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(fixture) = super::s3_store().await else { return };
                    super::$name(fixture).await;
                }
            )*
        }
    };
}

conformance!(
    an_empty_store_reads_as_no_state,
    writes_bump_the_serial_and_read_back_whole,
    a_write_over_a_state_that_moved_is_refused,
    a_second_lock_is_refused_and_names_the_holder,
    a_waiting_lock_gets_it_once_the_holder_releases,
    a_dropped_lock_is_released,
    history_lists_versions_newest_first_and_pull_reads_each,
    push_refuses_another_lineage_or_an_older_serial_unless_forced,
    push_of_a_newer_state_keeps_its_serial,
    unlock_removes_a_lock_by_its_id_where_locks_have_ids,
);
