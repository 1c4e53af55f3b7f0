//! Runners on several hosts sharing one delivery log (PostgreSQL, S3): the real binary (each run in
//! its own copy of the workspace, as on its own machine) against the real emulator and a real
//! PostgreSQL or S3-compatible server (moto). Each due occurrence goes out once however many run at once; a runner killed
//! with `kill -9` mid-request blocks nobody and its request becomes `unknown` once its lease
//! lapses, never resent; and the per-minute pace is one for all of them.

use crate::s3_support;

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::AGENT_ID;
use crate::common::Run;
use crate::common::postgres::TestDatabase;
use crate::common::wait::until_async;
use crate::notify_support::{Fixture, bot_daily, output, work};
use chrono::{TimeZone, Utc};
use dingform::notify::delivery::{DeliveryStore, LEASE, SendStatus};
use dingform::notify::{Pace, RunOptions, Runner};

/// The shared store the runners log to.
enum LogStore {
    Postgres(TestDatabase),
    S3(s3_support::TestBucket),
}

impl LogStore {
    async fn postgres() -> LogStore {
        LogStore::Postgres(TestDatabase::fresh().await)
    }

    /// `None` (the case is skipped) when no S3 server is set.
    async fn s3() -> Option<LogStore> {
        s3_support::TestBucket::fresh().await.map(LogStore::S3)
    }

    /// Environment for the binary: the state and its delivery log in this store, under `key`.
    fn env(&self, key: &str) -> Vec<(&'static str, String)> {
        match self {
            LogStore::Postgres(db) => db.env(key).to_vec(),
            LogStore::S3(bucket) => bucket.env_with_key(key),
        }
    }

    /// The log of workspace `key`, as another runner opens it.
    async fn log(&self, key: &str) -> Box<dyn DeliveryStore> {
        match self {
            LogStore::Postgres(db) => Box::new(db.log(key).await),
            LogStore::S3(bucket) => Box::new(
                dingform::notify::S3DeliveryLog::with_target(bucket.target(), key)
                    .await
                    .expect("open the S3 delivery log"),
            ),
        }
    }

    /// A snapshot of `run` named `name` for this store (what a run prints names the store),
    /// its database or bucket (a fresh name each run) named as such.
    fn snapshot(&self, name: &str, run: &Run) {
        let (store, text) = match self {
            LogStore::Postgres(db) => (
                "postgres",
                run.snapshot().replace(&db.name, "[THE DATABASE]"),
            ),
            LogStore::S3(bucket) => ("s3", run.snapshot().replace(&bucket.bucket, "[THE BUCKET]")),
        };
        crate::assert_filtered_snapshot!(format!("{name}_{store}"), text);
    }

    /// Whether `text` shows the store's secret (the S3 secret key).
    fn leaks(&self, text: &str) -> bool {
        matches!(self, LogStore::S3(_)) && text.contains(s3_support::SECRET_KEY)
    }
}

/// Each case against PostgreSQL and against S3.
macro_rules! every_shared_log {
    ($($case:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::LogStore::postgres().await).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(store) = super::LogStore::s3().await else { return };
                    super::$case(store).await;
                }
            )*
        }
    };
}

every_shared_log!(
    two_runners_on_two_hosts_send_each_occurrence_once,
    four_runners_on_four_hosts_send_each_occurrence_once,
    a_runner_killed_mid_request_is_unknown_after_its_lease_never_resent,
    four_runners_share_one_pace,
);

/// Another machine: a copy of the workspace (dingform.yaml and its state) in its own directory.
fn host(fx: &Fixture) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        fx.root().join("dingform.yaml"),
        dir.path().join("dingform.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join(".dingform")).unwrap();
    std::fs::copy(
        fx.root().join(".dingform/state.json"),
        dir.path().join(".dingform/state.json"),
    )
    .unwrap();
    dir
}

/// Put what the fixture registered into the shared store, as `apply` on another machine would
/// have: with `DINGFORM_STATE_URL` set, state lives there too, not in the workspace.
fn share_state(fx: &Fixture, envs: &[(&str, String)]) {
    let file = fx.root().join(".dingform/state.json").display().to_string();
    let root = fx.root().display().to_string();
    let mut push = fx.command(&["state", "-C", &root, "push", &file, "--force"]);
    push.envs(envs.iter().map(|(k, v)| (*k, v.clone())));
    let pushed = output(push);
    assert_eq!(pushed.code, 0, "state push: {pushed:?}");
}

/// `dingform notify run HOST --once --at AT`, logging to `db`.
fn runner(fx: &Fixture, db: &LogStore, dir: &std::path::Path, at: &str) -> Command {
    let root = dir.display().to_string();
    let mut command = fx.command(&["notify", "run", &root, "--once", "--at", at]);
    command.envs(db.env("oncall"));
    command
}

/// Start all, then wait for all.
async fn all_at_once(commands: Vec<Command>) -> Vec<Run> {
    tokio::task::spawn_blocking(move || {
        let children: Vec<_> = commands
            .into_iter()
            .map(|mut c| {
                c.stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().expect("wait");
                Run {
                    code: out.status.code().unwrap_or(-1),
                    stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                }
            })
            .collect()
    })
    .await
    .expect("join")
}

async fn n_runners_send_each_occurrence_once(n: usize, db: LogStore) {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    fx.register("standup", bot_daily("Stand-up {{date}}"));
    let names: Vec<String> = (1..=6).map(|i| format!("digest-{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let user = format!("u100{}", i % 4 + 1);
        fx.register(
            name,
            work(
                "0 9 * * *",
                &[user.as_str()],
                &format!("{name} {{{{date}}}}"),
            ),
        );
    }
    share_state(&fx, &db.env("oncall"));
    let hosts: Vec<_> = (0..n).map(|_| host(&fx)).collect();
    let runs = all_at_once(
        hosts
            .iter()
            .map(|h| runner(&fx, &db, h.path(), "2026-03-02T09:01:00Z"))
            .collect(),
    )
    .await;
    for run in &runs {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            !db.leaks(&format!("{run:?}")),
            "the secret was printed: {run:?}"
        );
    }
    assert_eq!(fx.messages_of("bot").await.len(), 1, "one stand-up");
    let works = fx.messages_of("work_notification").await;
    for name in &names {
        let sent = works
            .iter()
            .filter(|m| {
                m["content"]
                    .to_string()
                    .contains(&format!("{name} 2026-03-02"))
            })
            .count();
        assert_eq!(sent, 1, "{name} sent once: {works:?}");
        let reported = runs
            .iter()
            .filter(|r| r.stdout.contains(&format!("notification.{name} ")))
            .count();
        assert_eq!(reported, 1, "{name} reported by one runner: {runs:?}");
    }
    assert_eq!(works.len(), names.len());
    // And again from every host: nothing more.
    let again = all_at_once(
        hosts
            .iter()
            .map(|h| runner(&fx, &db, h.path(), "2026-03-02T09:03:00Z"))
            .collect(),
    )
    .await;
    assert!(
        again
            .iter()
            .all(|r| r.code == 0 && r.stdout.contains("nothing due")),
        "{again:?}"
    );
    assert_eq!(fx.messages().await.len(), names.len() + 1);
}

async fn two_runners_on_two_hosts_send_each_occurrence_once(db: LogStore) {
    n_runners_send_each_occurrence_once(2, db).await;
}

async fn four_runners_on_four_hosts_send_each_occurrence_once(db: LogStore) {
    n_runners_send_each_occurrence_once(4, db).await;
}

async fn a_runner_killed_mid_request_is_unknown_after_its_lease_never_resent(db: LogStore) {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    // Every answer takes 10 s: the runner is killed while its request is in flight.
    fx.admin("faults", serde_json::json!({"latency_ms": 10_000}))
        .await;
    share_state(&fx, &db.env("oncall"));
    let first = host(&fx);
    let mut child = runner(&fx, &db, first.path(), "2026-03-02T09:00:00Z")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // The event: the request's claim committed as `sending`.
    let log = db.log("oncall").await;
    let in_flight = until_async(Duration::from_secs(30), || async {
        log.sends_in(SendStatus::Sending)
            .await
            .is_ok_and(|rows| !rows.is_empty())
    })
    .await;
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert!(
        in_flight,
        "the request's claim was committed before it left"
    );
    fx.admin("faults", serde_json::json!({})).await;

    // Another host within the lease: the claim is someone's, left alone.
    let second = host(&fx);
    let within = output(runner(&fx, &db, second.path(), "2026-03-02T09:01:00Z"));
    db.snapshot("killed_within_lease", &within);
    // Past the lease: unknown, not resent.
    let lease_minutes = i64::try_from(LEASE.as_secs() / 60).unwrap() + 1;
    let past = (Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
        + chrono::Duration::minutes(lease_minutes))
    .to_rfc3339();
    let after = output(runner(&fx, &db, second.path(), &past));
    db.snapshot("killed_past_lease", &after);
    // The killed request is still inside the emulator's 10 s latency (or died with its
    // connection); the reruns answer at once, so a resend would already be recorded here.
    assert_eq!(fx.messages().await.len(), 0);
    let later = output(runner(&fx, &db, first.path(), "2026-03-02T09:30:00Z"));
    db.snapshot("killed_later", &later);
    assert_eq!(fx.messages().await.len(), 0);
    let root = second.path().display().to_string();
    let mut status = fx.command(&["notify", "status", &root]);
    status.envs(db.env("oncall"));
    let status = output(status);
    db.snapshot("killed_status", &status);
    assert!(!db.leaks(&format!("{within:?}{after:?}{status:?}")));
}

async fn four_runners_share_one_pace(db: LogStore) {
    const USERS: usize = 1_000;
    let fx = Fixture::start_with(Fixture::seed_with_users(4 * USERS)).await;
    let all: Vec<String> = (0..4 * USERS).map(crate::common::bulk_user).collect();
    for (i, users) in all.chunks(USERS).enumerate() {
        let refs: Vec<&str> = users.iter().map(String::as_str).collect();
        fx.register(
            &format!("wave-{i}"),
            work("0 9 * * *", &refs, "Wave {{date}}"),
        );
    }
    let pace = Pace {
        users: USERS,
        per: Duration::from_millis(600),
    };
    let options = RunOptions {
        agent_id: Some(AGENT_ID),
        pace,
        follow_up_wait: Duration::from_millis(100),
        poll_interval: Duration::from_millis(20),
        ..RunOptions::default()
    };
    let client = fx.client();
    let state = fx.state();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut runners = Vec::new();
    for _ in 0..4 {
        runners.push(Runner::with_store(
            &client,
            db.log("oncall").await,
            options.clone(),
        ));
    }
    let [a, b, c, d] = &mut runners[..] else {
        unreachable!("four runners")
    };
    let (a, b, c, d) = tokio::join!(
        a.cycle(&state, at),
        b.cycle(&state, at),
        c.cycle(&state, at),
        d.cycle(&state, at)
    );
    let paced: Duration = [a, b, c, d].iter().map(|r| r.as_ref().unwrap().paced).sum();

    let works = fx.messages_of("work_notification").await;
    assert_eq!(works.len(), 4, "one request per notification");
    let mut recipients: Vec<String> = works
        .iter()
        .flat_map(|m| m["recipients"].as_array().cloned().unwrap_or_default())
        .filter_map(|u| u.as_str().map(str::to_owned))
        .collect();
    recipients.sort();
    assert_eq!(recipients, all, "each user once");
    let mut times: Vec<i64> = works.iter().filter_map(|m| m["at"].as_i64()).collect();
    times.sort();
    let span = Duration::from_millis(u64::try_from(times[3] - times[0]).unwrap());
    // One request of 1,000 per 600 ms window, whoever sends it: the fourth three windows
    // after the first. Asserted with a window of slack for a loaded machine's request trips;
    // four runners pacing on their own send all four inside the first window.
    assert!(
        span >= 2 * pace.per,
        "four runners sent {USERS} users each within {span:?}: {times:?}"
    );
    assert!(
        paced >= 3 * pace.per - Duration::from_millis(100),
        "{paced:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_log_needs_a_key_and_its_errors_never_show_the_password() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let root = fx.root().display().to_string();
    let db = TestDatabase::fresh().await;
    let mut no_key = fx.command(&["notify", "run", &root, "--once"]);
    no_key
        .env("DINGFORM_STATE_URL", &db.url)
        .env_remove("DINGFORM_STATE_KEY");
    let no_key = output(no_key);
    crate::assert_filtered_snapshot!(
        "postgres_log_without_a_key",
        no_key.snapshot().replace(&db.name, "[THE DATABASE]")
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let mut runs = Vec::new();
    for command in ["run", "status"] {
        let mut args = vec!["notify", command, &root];
        if command == "run" {
            args.push("--once");
        }
        let mut down = fx.command(&args);
        down.env(
            "DINGFORM_STATE_URL",
            format!("postgres://dingform:hunter2-secret@127.0.0.1:{closed}/deliveries"),
        )
        .env("DINGFORM_STATE_KEY", "oncall");
        let down = output(down);
        assert!(!format!("{down:?}").contains("hunter2"), "{down:?}");
        runs.push(format!("--- notify {command}\n{}", down.snapshot()));
    }
    // Host, port and database named.
    crate::assert_filtered_snapshot!(
        "postgres_log_down",
        runs.join("\n").replace(
            &format!("127.0.0.1:{closed}"),
            "127.0.0.1:[THE CLOSED PORT]"
        )
    );
    assert!(fx.messages().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_libpq_environment_fills_in_what_the_url_leaves_out() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let db = TestDatabase::fresh().await;
    let server = url::Url::parse(&db.url).unwrap();
    let mut run = fx.run_once_command("2026-03-02T09:00:00Z");
    share_state(&fx, &db.env("oncall"));
    run.env("DINGFORM_STATE_URL", format!("postgres:///{}", db.name))
        .env("DINGFORM_STATE_KEY", "oncall")
        .env("PGHOST", server.host_str().unwrap())
        .env("PGPORT", server.port().unwrap_or(5432).to_string())
        .env("PGUSER", server.username())
        .env("PGPASSWORD", "unused-with-trust");
    let run = output(run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.messages().await.len(), 1);
    // The log is in that database, not in the workspace.
    assert!(!fx.db().exists());
    let sent = db.log("oncall").await.recent_occurrences(10).await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delivery_log_follows_the_state_of_dingform_yaml_into_the_shared_store() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let db = TestDatabase::fresh().await;
    // No environment: `state: {url, key}` alone moves the state and, with it, the log.
    let settings = fx.root().join("dingform.yaml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str(&format!("state: {{url: \"{}\", key: oncall}}\n", db.url));
    std::fs::write(&settings, text).unwrap();
    share_state(&fx, &[]);
    let mut run = fx.run_once_command("2026-03-02T09:00:00Z");
    run.env_remove("DINGFORM_STATE_URL")
        .env_remove("DINGFORM_STATE_KEY");
    let run = output(run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.messages().await.len(), 1);
    assert!(!fx.db().exists(), "no SQLite log beside a shared state");
    let sent = db.log("oncall").await.recent_occurrences(10).await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
}
