//! What is particular to the PostgreSQL store: its schema and migrations, many workspaces in
//! one database, lapsed leases, and how connection faults read (host and database named, the
//! password never).

use std::time::{Duration, Instant};

use crate::common::postgres::{TestDatabase, server_url};
use crate::common::workspace::finish;
use crate::common::{EmulatorProcess, Run, Workspace};
use dingform::state::postgres::PostgresStore;
use dingform::state::store::{self, StateStore};
use dingform::state::{ResourceState, StateError};

const PASSWORD: &str = "dingform-test-password";

fn entry(id: &str) -> ResourceState {
    ResourceState {
        id: Some(id.into()),
        ..ResourceState::default()
    }
}

async fn write_one(store: &dyn StateStore, address: &str) {
    let lock = store.lock("test", Duration::ZERO).await.unwrap();
    let mut state = store::read_or_new(store, None).await.unwrap();
    state
        .resources
        .insert(address.parse().unwrap(), entry("cid"));
    store::write(store, &mut state, &lock).await.unwrap();
    store.release(lock).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_database_holds_many_workspaces_one_per_key() {
    let db = TestDatabase::fresh().await;
    let payments = PostgresStore::new(&db.url, "payments").unwrap();
    let platform = PostgresStore::new(&db.url, "platform").unwrap();
    write_one(&payments, "group.pay").await;
    // Locks are per key too: one workspace's apply never blocks another's.
    let _held = payments.lock("apply", Duration::ZERO).await.unwrap();
    write_one(&platform, "group.plat").await;
    let pay = payments.read().await.unwrap().unwrap();
    let plat = platform.read().await.unwrap().unwrap();
    assert_eq!(pay.resources.keys().collect::<Vec<_>>(), ["group.pay"]);
    assert_eq!(plat.resources.keys().collect::<Vec<_>>(), ["group.plat"]);
    assert_ne!(pay.lineage, plat.lineage);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_are_made_on_first_use_in_their_own_schema_and_a_newer_schema_is_refused() {
    let db = TestDatabase::fresh().await;
    let store = PostgresStore::new(&db.url, "payments").unwrap();
    assert!(store.read().await.unwrap().is_none());
    let tables = db
        .query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'dingform' \
             ORDER BY table_name",
        )
        .await;
    assert_eq!(
        tables,
        ["migrations", "state_locks", "state_versions", "workspaces"]
    );
    assert_eq!(
        db.query("SELECT max(version) FROM dingform.migrations WHERE component = 'state'")
            .await,
        ["1"]
    );
    // A newer dingform migrated this database further: this one refuses to touch it.
    db.query("INSERT INTO dingform.migrations (component, version) VALUES ('state', 2)")
        .await;
    let error = PostgresStore::new(&db.url, "payments")
        .unwrap()
        .read()
        .await
        .unwrap_err()
        .to_string();
    crate::assert_filtered_snapshot!("newer_migration", error.replace(&db.name, "[THE DATABASE]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_use_by_many_processes_at_once_makes_the_tables_once() {
    let db = TestDatabase::fresh().await;
    let mut tasks = Vec::new();
    for n in 0..6 {
        let url = db.url.clone();
        tasks.push(tokio::spawn(async move {
            PostgresStore::new(&url, &format!("k{n}"))
                .unwrap()
                .read()
                .await
                .map(|_| ())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lapsed_lease_is_taken_over_even_while_its_holder_session_lives() {
    let db = TestDatabase::fresh().await;
    let holder = PostgresStore::new(&db.url, "payments").unwrap();
    let held = holder.lock("apply", Duration::ZERO).await.unwrap();
    let waiter = PostgresStore::new(&db.url, "payments").unwrap();
    assert!(matches!(
        waiter.lock("apply", Duration::ZERO).await,
        Err(StateError::Locked { .. })
    ));
    // As if the holder had stopped renewing LEASE ago (cut off, frozen).
    db.query("UPDATE dingform.state_locks SET expires_at = now() - interval '1 second'")
        .await;
    let started = Instant::now();
    let taken = waiter.lock("apply", Duration::from_secs(5)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_ne!(taken.holder.id, held.holder.id);
    // The old holder's writes are still safe: they check the serial, not the lock.
    let mut state = store::read_or_new(&waiter, None).await.unwrap();
    store::write(&waiter, &mut state, &taken).await.unwrap();
    let mut stale = dingform::state::State::new(None);
    let error = store::write(&holder, &mut stale, &held).await.unwrap_err();
    assert!(
        matches!(error, StateError::SerialMismatch { .. }),
        "{error:?}"
    );
}

#[test]
fn the_lease_bounds_a_lost_holder_to_30_seconds() {
    use dingform::state::postgres::{LEASE, RENEW_EVERY};
    assert!(LEASE <= Duration::from_secs(30));
    assert!(RENEW_EVERY * 3 <= LEASE, "renewed several times per lease");
}

/// The server's port, and a URL for the password-protected `dingform` role.
fn dingform_role_url(database: &str) -> (u16, String) {
    let server = url::Url::parse(&server_url()).unwrap();
    let port = server.port().unwrap();
    (
        port,
        format!("postgres://dingform@127.0.0.1:{port}/{database}"),
    )
}

/// `dingform state list` on the store at `url`, with `PGPASSWORD` set or not.
fn state_list(url: &str, password: Option<&str>) -> Run {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[]);
    let mut command = ws.command(&emu, &["state", "list"]);
    command
        .env("DINGFORM_STATE_URL", url)
        .env("DINGFORM_STATE_KEY", "payments");
    match password {
        Some(password) => command.env("PGPASSWORD", password),
        None => command.env_remove("PGPASSWORD"),
    };
    finish(command)
}

#[test]
fn the_password_from_the_environment_works_and_is_never_printed() {
    let db = TestDatabase::fresh_blocking();
    let (_, url) = dingform_role_url(&db.name);
    state_list(&url, Some(PASSWORD)).expect_code(0);
    // In the URL (a CI secret) it works too, and messages mask it.
    let (port, _) = dingform_role_url(&db.name);
    let with_password = format!("postgres://dingform:{PASSWORD}@127.0.0.1:{port}/nope_db");
    let run = state_list(&with_password, None);
    assert!(!run.text().contains(PASSWORD), "{}", run.text());
    crate::assert_filtered_snapshot!("password_in_url_masked", run.snapshot());
}

#[test]
fn a_wrong_password_names_host_and_database_never_the_password() {
    let db = TestDatabase::fresh_blocking();
    let (port, url) = dingform_role_url(&db.name);
    let run = state_list(&url, Some("hunter2-not-it"));
    assert!(!run.text().contains("hunter2-not-it"), "{}", run.text());
    // Host, port and database named; says where the password comes from (PGPASSWORD).
    crate::assert_filtered_snapshot!("wrong_password", naming(&run, port, &db.name));
}

/// A run's snapshot with the server's port and the test's database named: the filters would
/// hide that the message names the right ones.
fn naming(run: &Run, port: u16, database: &str) -> String {
    run.snapshot()
        .replace(&format!("127.0.0.1:{port}"), "127.0.0.1:[THE PORT]")
        .replace(database, "[THE DATABASE]")
}

#[test]
fn an_unreachable_host_names_host_and_database() {
    // Port 1 (tcpmux) has no server, and the kernel never hands it to a `:0` bind: a port
    // found free and let go could be taken by another test's server before the run connects.
    let port = 1;
    let url = format!("postgres://dingform@127.0.0.1:{port}/infra");
    let run = state_list(&url, Some(PASSWORD));
    assert!(!run.text().contains(PASSWORD), "{}", run.text());
    crate::assert_filtered_snapshot!("unreachable_host", naming(&run, port, "infra"));
}

#[test]
fn a_missing_database_is_named() {
    let (port, url) = dingform_role_url("no_such_database");
    let run = state_list(&url, Some(PASSWORD));
    assert!(!run.text().contains(PASSWORD), "{}", run.text());
    crate::assert_filtered_snapshot!("missing_database", naming(&run, port, "no_such_database"));
}

#[test]
fn a_password_written_in_dingform_yaml_is_an_error_at_its_line_and_is_not_shown() {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[]);
    std::fs::write(
        ws.path().join("dingform.yaml"),
        "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\nstate:\n  \
         url: postgres://dingform:hunter2@db.internal/infra\n  key: payments\n",
    )
    .unwrap();
    let mut runs = Vec::new();
    for args in [&["validate"][..], &["plan"], &["state", "list"]] {
        let run = ws.run(&emu, args);
        assert!(!run.text().contains("hunter2"), "{args:?}: {}", run.text());
        runs.push(format!(
            "--- dingform {}\n{}",
            args.join(" "),
            run.snapshot()
        ));
    }
    crate::assert_filtered_snapshot!("password_in_settings", runs.join("\n"));
}

#[test]
fn a_shared_store_without_a_key_is_an_error_naming_the_setting() {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[]);
    std::fs::write(
        ws.path().join("dingform.yaml"),
        "organization: Test Organization Demo\nstate: {url: \"postgres://db.internal/infra\"}\n",
    )
    .unwrap();
    let run = ws.run(&emu, &["state", "list"]);
    crate::assert_filtered_snapshot!("shared_store_without_key", run.snapshot());
}
