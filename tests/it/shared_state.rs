//! State in a shared store, end to end: the real binary, a real emulator process, a real server
//! (PostgreSQL and S3: `./scripts/test` starts both; a test that stops the database mid-apply
//! starts its own). Each case runs against both stores.

use crate::s3_support;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::postgres::{PrivateCluster, TestDatabase};
use crate::common::workspace::finish;
use crate::common::{EmulatorProcess, Run, Workspace, scene_groups};
use serde_json::json;

const KEY: &str = "payments";

/// The shared store a case runs against.
enum Store {
    Postgres(TestDatabase),
    S3(s3_support::TestBucket),
}

impl Store {
    fn postgres() -> Store {
        Store::Postgres(TestDatabase::fresh_blocking())
    }

    /// `None` (the case is skipped) when no S3 server is set.
    fn s3() -> Option<Store> {
        s3_support::TestBucket::fresh_blocking().map(Store::S3)
    }

    /// The store's environment for a run (the URL as a CI secret would give it).
    fn configure(&self, command: &mut std::process::Command) {
        command
            .env("DINGFORM_STATE_KEY", KEY)
            .env_remove("PGPASSWORD");
        match self {
            Store::Postgres(db) => {
                command.env("DINGFORM_STATE_URL", &db.url);
            }
            Store::S3(bucket) => {
                command.env("DINGFORM_STATE_URL", &bucket.url);
                command.envs(bucket.env());
            }
        }
    }

    /// Its name in snapshot names (what a run prints names the store).
    fn name(&self) -> &'static str {
        match self {
            Store::Postgres(_) => "postgres",
            Store::S3(_) => "s3",
        }
    }

    /// A snapshot of `text` named `name` for this store, its database or bucket (a fresh name
    /// each run) named as such.
    fn snapshot(&self, name: &str, text: String) {
        let text = match self {
            Store::Postgres(db) => text.replace(&db.name, "[THE DATABASE]"),
            Store::S3(bucket) => text.replace(&bucket.bucket, "[THE BUCKET]"),
        };
        crate::assert_filtered_snapshot!(format!("{name}_{}", self.name()), text);
    }

    /// Whether a run holds the state lock.
    fn lock_held(&self) -> bool {
        match self {
            Store::Postgres(db) => lock_rows(db) == 1,
            Store::S3(bucket) => bucket.exists_blocking(&format!("{KEY}/lock.json")),
        }
    }

    /// Every run's output is checked for the store's secret.
    fn checked(&self, run: Run) -> Run {
        if let Store::S3(_) = self {
            assert!(
                !run.text().contains(s3_support::SECRET_KEY),
                "the secret key was printed: {}",
                run.text()
            );
        }
        run
    }
}

fn run_shared(ws: &Workspace, emu: &EmulatorProcess, store: &Store, args: &[&str]) -> Run {
    let mut command = ws.command(emu, args);
    store.configure(&mut command);
    store.checked(finish(command))
}

fn spawn_shared(ws: &Workspace, emu: &EmulatorProcess, store: &Store, args: &[&str]) -> Child {
    let mut command = ws.command(emu, args);
    store.configure(&mut command);
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

fn output_of(child: Child) -> Run {
    Run::from(child.wait_with_output().expect("the child ends"))
}

/// Each case against PostgreSQL and against S3.
macro_rules! every_shared_store {
    ($($case:ident),* $(,)?) => {
        mod postgres {
            $(
                #[test]
                fn $case() {
                    super::$case(&super::Store::postgres());
                }
            )*
        }
        mod s3 {
            $(
                #[test]
                fn $case() {
                    let Some(store) = super::Store::s3() else { return };
                    super::$case(&store);
                }
            )*
        }
    };
}

every_shared_store!(
    apply_keeps_state_in_the_store_and_every_version_is_listed,
    three_fresh_runners_converge_with_no_duplicate_group,
    two_applies_at_once_never_both_change_anything,
    a_killed_lock_holder_blocks_the_next_apply_for_at_most_30s,
    a_frozen_holder_loses_the_lock_when_its_lease_lapses,
    a_refusal_names_the_holder_and_state_unlock_removes_its_lock,
    pull_and_push_move_a_workspace_from_the_file_store_to_the_shared_store,
);

/// Wait (bounded) until `condition` holds: an event observed in the store, not a guessed
/// duration. Looked for every 50 ms, not `wait::until`'s 10: the S3 check is a request to the
/// throwaway moto, which serves one request at a time, and seeing the lock sooner makes the
/// frozen-holder case stop the holder in the middle of its next request to moto more often
/// (moto then waits on a stopped client, and the next apply's probe times out).
fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn lock_rows(db: &TestDatabase) -> usize {
    db.count_blocking("SELECT count(*) FROM dingform.state_locks")
}

fn assert_no_duplicates(emu: &EmulatorProcess, expected: usize) {
    let titles = emu.titles();
    let mut unique = titles.clone();
    unique.dedup();
    assert_eq!(titles, unique, "a group was made twice");
    assert_eq!(titles.len(), expected, "{titles:?}");
}

fn apply_keeps_state_in_the_store_and_every_version_is_listed(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[("groups.yaml", &scene_groups(3))]);
    run_shared(&ws, &emu, db, &["apply", "--yes"]).expect_code(0);
    assert!(
        !ws.state_path().exists(),
        "no state file with a shared store"
    );
    run_shared(&ws, &emu, db, &["plan", "--detailed-exitcode"]).expect_code(0);

    let history = run_shared(&ws, &emu, db, &["state", "history"]);
    history.expect_code(0);
    let text = history.text();
    assert!(
        text.starts_with("SERIAL\tWRITTEN\tHOST\tUSER\tCOMMAND"),
        "{text}"
    );
    assert!(text.contains("\tapply\t"), "{text}");
    let serials: Vec<u64> = text
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap().parse().unwrap())
        .collect();
    assert!(serials.len() >= 2, "{text}");
    assert!(
        serials.windows(2).all(|w| w[0] > w[1]),
        "newest first: {text}"
    );

    let pulled = run_shared(&ws, &emu, db, &["state", "pull"]);
    pulled.expect_code(0);
    let current: serde_json::Value = serde_json::from_str(&pulled.stdout).unwrap();
    assert_eq!(current["serial"], serials[0]);
    assert_eq!(current["resources"].as_object().unwrap().len(), 4);
    let first = run_shared(
        &ws,
        &emu,
        db,
        &[
            "state",
            "pull",
            "--serial",
            &serials.last().unwrap().to_string(),
        ],
    );
    first.expect_code(0);
    let first: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(first["serial"], *serials.last().unwrap());
    let missing = run_shared(&ws, &emu, db, &["state", "pull", "--serial", "999"]);
    db.snapshot("pull_missing_serial", missing.snapshot());
}

fn three_fresh_runners_converge_with_no_duplicate_group(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let manifests = scene_groups(4);
    let runners: Vec<Workspace> = (0..3)
        .map(|_| Workspace::with_files(&[("groups.yaml", &manifests)]))
        .collect();
    // Runner 1: the pull request's plan, saved.
    run_shared(&runners[0], &emu, db, &["plan", "-o", "plan.json"]).expect_code(0);
    std::fs::copy(
        runners[0].path().join("plan.json"),
        runners[1].path().join("plan.json"),
    )
    .unwrap();
    // Runner 2: the merge's apply of that very file, in another checkout.
    let applied = run_shared(&runners[1], &emu, db, &["apply", "plan.json", "--yes"]);
    db.snapshot(
        "runner_applies_the_plan_file",
        applied.snapshot_unordered_stderr(),
    );
    // Runner 3: a fresh plan sees everything in place.
    let plan = run_shared(&runners[2], &emu, db, &["plan", "--detailed-exitcode"]);
    plan.expect_code(0);
    let again = run_shared(&runners[2], &emu, db, &["apply", "--yes"]);
    db.snapshot("runner_finds_no_changes", again.snapshot());
    assert_no_duplicates(&emu, 4);
    for runner in &runners {
        assert!(!runner.state_path().exists());
    }
}

fn two_applies_at_once_never_both_change_anything(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let manifests = scene_groups(5);
    let first = Workspace::with_files(&[("groups.yaml", &manifests)]);
    let second = Workspace::with_files(&[("groups.yaml", &manifests)]);
    // Slow answers keep the first apply inside its lock while the second starts.
    emu.faults(json!({"latency_ms": 150}));
    let a = spawn_shared(
        &first,
        &emu,
        db,
        &["apply", "--yes", "--lock-timeout", "0s"],
    );
    let b = spawn_shared(
        &second,
        &emu,
        db,
        &["apply", "--yes", "--lock-timeout", "0s"],
    );
    let (a, b) = (output_of(a), output_of(b));
    let outputs = [a.text(), b.text()];
    let changed = outputs
        .iter()
        .filter(|text| text.contains("Apply complete"))
        .count();
    assert_eq!(changed, 1, "exactly one apply changes things: {outputs:#?}");
    let other = outputs
        .iter()
        .find(|text| !text.contains("Apply complete"))
        .unwrap();
    assert!(
        other.contains("the state is locked by pid") || other.contains("No changes"),
        "{other}"
    );
    emu.faults(json!({}));
    assert_no_duplicates(&emu, 5);
}

fn a_killed_lock_holder_blocks_the_next_apply_for_at_most_30s(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[("groups.yaml", &scene_groups(2))]);
    // The holder takes the lock, then hangs on DingTalk's (very slow) answers.
    emu.faults(json!({"latency_ms": 600_000}));
    let mut holder = spawn_shared(&ws, &emu, db, &["apply", "--yes"]);
    wait_for("the holder's lock", || db.lock_held());
    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();
    emu.faults(json!({}));
    let started = Instant::now();
    run_shared(&ws, &emu, db, &["apply", "--yes", "--lock-timeout", "60s"]).expect_code(0);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(30), "blocked {waited:?}");
    assert_no_duplicates(&emu, 2);
}

fn a_frozen_holder_loses_the_lock_when_its_lease_lapses(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[("groups.yaml", &scene_groups(1))]);
    emu.faults(json!({"latency_ms": 600_000}));
    let mut holder = spawn_shared(&ws, &emu, db, &["apply", "--yes"]);
    wait_for("the holder's lock", || db.lock_held());
    // Frozen (as if cut off from the network): its session stays open, it renews nothing.
    let stopped = std::process::Command::new("kill")
        .args(["-STOP", &holder.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    emu.faults(json!({}));
    let started = Instant::now();
    let next = run_shared(&ws, &emu, db, &["apply", "--yes", "--lock-timeout", "60s"]);
    let waited = started.elapsed();
    holder.kill().unwrap();
    holder.wait().unwrap();
    next.expect_code(0);
    assert!(waited <= Duration::from_secs(30), "blocked {waited:?}");
    assert_no_duplicates(&emu, 1);
}

fn a_refusal_names_the_holder_and_state_unlock_removes_its_lock(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[("groups.yaml", &scene_groups(1))]);
    emu.faults(json!({"latency_ms": 600_000}));
    let mut holder = spawn_shared(&ws, &emu, db, &["apply", "--yes"]);
    wait_for("the holder's lock", || db.lock_held());
    let holder_pid = |run: &Run| {
        run.snapshot()
            .replace(&format!("pid {}", holder.id()), "pid [HOLDER PID]")
    };
    // Named: the holder's pid, taking it for `apply`, and the lock's id to unlock.
    let refused = run_shared(&ws, &emu, db, &["state", "rm", "group.g000"]);
    db.snapshot("refusal_names_the_holder", holder_pid(&refused));
    let text = refused.text();
    let id = text
        .split("dingform state unlock ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|id| id.trim_end_matches('`'))
        .unwrap_or_else(|| panic!("no lock id in {text}"))
        .to_owned();
    let wrong = run_shared(&ws, &emu, db, &["state", "unlock", "not-a-lock"]);
    db.snapshot("unlock_of_no_lock", holder_pid(&wrong));
    let unlocked = run_shared(&ws, &emu, db, &["state", "unlock", &id]);
    db.snapshot("unlock_removes_the_lock", holder_pid(&unlocked));
    assert!(!db.lock_held());
    holder.kill().unwrap();
    holder.wait().unwrap();
}

fn pull_and_push_move_a_workspace_from_the_file_store_to_the_shared_store(db: &Store) {
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[("groups.yaml", &scene_groups(2))]);
    ws.run(&emu, &["apply", "--yes"]).expect_code(0);
    let pulled = ws.run(&emu, &["state", "pull"]);
    pulled.expect_code(0);
    std::fs::write(ws.path().join("moved.json"), &pulled.stdout).unwrap();
    let pushed = run_shared(&ws, &emu, db, &["state", "push", "moved.json"]);
    // The pulled serial counts the apply's state writes, which depend on how its steps
    // finished together; pushed to an empty store, the state keeps it.
    let serial = serde_json::from_str::<serde_json::Value>(&pulled.stdout).unwrap()["serial"]
        .as_u64()
        .expect("a pulled state has a serial");
    let kept = format!("as serial {serial}.");
    let text = pushed.snapshot();
    assert!(text.contains(&kept), "{text}");
    db.snapshot(
        "push_to_the_shared_store",
        text.replace(&kept, "as serial [THE PULLED SERIAL]."),
    );
    std::fs::remove_dir_all(ws.path().join(".dingform")).unwrap();
    run_shared(&ws, &emu, db, &["plan", "--detailed-exitcode"]).expect_code(0);
    // Pushing it again over itself is harmless; another lineage is refused.
    let mut foreign: serde_json::Value = serde_json::from_str(&pulled.stdout).unwrap();
    foreign["lineage"] = json!("another-workspace");
    std::fs::write(ws.path().join("foreign.json"), foreign.to_string()).unwrap();
    let refused = run_shared(&ws, &emu, db, &["state", "push", "foreign.json"]);
    db.snapshot("push_of_another_lineage", refused.snapshot());
    assert_no_duplicates(&emu, 2);
}

#[test]
fn the_database_stopped_mid_apply_ends_it_clearly_and_the_next_apply_resumes() {
    let cluster = PrivateCluster::start();
    let store = Store::Postgres(TestDatabase::fresh_on_blocking(&cluster.url));
    let Store::Postgres(database) = &store else {
        unreachable!()
    };
    let db = &store;
    let emu = EmulatorProcess::fresh();
    let ws = Workspace::with_files(&[("groups.yaml", &scene_groups(60))]);
    emu.faults(json!({"latency_ms": 200}));
    let apply = spawn_shared(&ws, &emu, db, &["apply", "--yes", "--concurrency", "4"]);
    wait_for("some progress recorded", || {
        database.count_blocking("SELECT count(*) FROM dingform.state_versions") >= 3
    });
    cluster.stop_immediately();
    let stopped = output_of(apply);
    stopped.expect_code(1);
    let text = stopped.text();
    assert!(
        text.contains("cannot record progress in the state"),
        "{text}"
    );
    assert!(
        text.contains(&format!("127.0.0.1:{}", cluster.port)),
        "names the host: {text}"
    );
    assert!(!text.contains("panicked"), "{text}");
    cluster.start_again();
    emu.faults(json!({}));
    let resumed = run_shared(&ws, &emu, db, &["apply", "--yes"]);
    resumed.expect_code(0);
    run_shared(&ws, &emu, db, &["plan", "--detailed-exitcode"]).expect_code(0);
    assert_no_duplicates(&emu, 60);
}
