//! One work notification to 20,000 users with four runners on one PostgreSQL delivery log, at
//! once, over real HTTP to the emulator seeded with 20,000 users: still paced to the
//! platform's 5,000 recipients a minute (the pace is shared through the database), and each
//! user reached once.
//!
//! The floor is the single runner's: 4 requests of 5,000, at most one a minute, so the last
//! request leaves no earlier than 3 windows after the first. Four runners sending four times
//! as fast would put all four in the first window.
//!
//!     DINGFORM_TEST_POSTGRES=postgres://postgres@127.0.0.1:55432/postgres \
//!       cargo bench --bench notify_shared --profile dev            # the real pace: ~3 minutes
//!     NOTIFY_BENCH_WINDOW_SECS=6 … cargo bench --bench notify_shared   # scaled 10× faster

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use dingform::emulator::{Emulator, EmulatorConfig, Seed};
use dingform::notify::{Pace, PostgresDeliveryLog, RunOptions, Runner};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient};
use dingform::state::{ResourceState, StateFile};
use serde_json::json;

const USERS: usize = 20_000;
const RUNNERS: usize = 4;

#[tokio::main]
async fn main() {
    let window = std::env::var("NOTIFY_BENCH_WINDOW_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(60);
    let server_url = std::env::var("DINGFORM_TEST_POSTGRES")
        .expect("DINGFORM_TEST_POSTGRES: a superuser URL to a throwaway PostgreSQL");
    let (admin_db, connection) = tokio_postgres::connect(&server_url, tokio_postgres::NoTls)
        .await
        .expect("connect to DINGFORM_TEST_POSTGRES");
    tokio::spawn(connection);
    let name = format!("dingform_bench_{}", uuid::Uuid::new_v4().simple());
    admin_db
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the bench database");
    let mut db_url = url::Url::parse(&server_url).expect("URL");
    db_url.set_path(&name);

    let mut seed = Seed::demo();
    let template = seed.users[0].clone();
    for n in 1..=USERS {
        let mut user = template.clone();
        user.userid = format!("bulk{n:05}");
        user.departments = vec![5];
        seed.users.push(user);
    }
    let server = Emulator::start(EmulatorConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_file: None,
        seed,
    })
    .await
    .expect("emulator");
    let dir = tempfile::tempdir().expect("temp dir");
    let state_file = StateFile::new(dir.path().join("state.json"));
    let lock = state_file
        .lock("bench", Duration::from_secs(5))
        .expect("lock");
    let mut state = state_file.read_or_new(None).expect("state");
    let users: Vec<String> = (1..=USERS).map(|n| format!("bulk{n:05}")).collect();
    state.resources.insert(
        "notification.all-hands".parse().unwrap(),
        ResourceState {
            attributes: json!({
                "schedule": "0 9 * * *",
                "timezone": "UTC",
                "via": {"work_notification": {"users": users}},
                "message": {"text": {"content": "All hands {{date}}"}},
            }),
            ..ResourceState::default()
        },
    );
    state_file.write(&mut state, &lock).expect("write state");
    drop(lock);

    let client = HttpClient::with_options(
        Endpoint::parse(&server.base_url()).expect("URL"),
        Credentials::new("demo-key", "demo-secret"),
        ClientOptions::default(),
    )
    .expect("client");
    let pace = Pace {
        users: 5_000,
        per: Duration::from_secs(window),
    };
    let options = RunOptions {
        agent_id: Some(123456),
        pace,
        follow_up_wait: Duration::from_secs(window * 2),
        poll_interval: Duration::from_millis(500),
        ..RunOptions::default()
    };
    let mut runners = Vec::new();
    for _ in 0..RUNNERS {
        let log = PostgresDeliveryLog::open(db_url.as_str(), "bench")
            .await
            .expect("log");
        runners.push(Runner::new(&client, log, options.clone()));
    }
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let start = Instant::now();
    let [a, b, c, d] = &mut runners[..] else {
        unreachable!("four runners")
    };
    let reports = tokio::join!(
        a.cycle(&state, at),
        b.cycle(&state, at),
        c.cycle(&state, at),
        d.cycle(&state, at)
    );
    let elapsed = start.elapsed();
    let reports = [reports.0, reports.1, reports.2, reports.3].map(|r| r.expect("cycle"));
    let admin = reqwest::Client::new();
    let world: serde_json::Value = admin
        .get(format!("{}/_emulator/state", server.base_url()))
        .send()
        .await
        .expect("admin API")
        .json()
        .await
        .expect("JSON");
    let messages = world["messages"].as_array().expect("messages").clone();
    let mut times: Vec<i64> = messages.iter().filter_map(|m| m["at"].as_i64()).collect();
    times.sort();
    let offsets: Vec<String> = times
        .iter()
        .map(|t| format!("{:.1}s", (t - times[0]) as f64 / 1000.0))
        .collect();
    let mut recipients: Vec<&str> = messages
        .iter()
        .flat_map(|m| m["recipients"].as_array().into_iter().flatten())
        .filter_map(|u| u.as_str())
        .collect();
    let named = recipients.len();
    recipients.sort_unstable();
    recipients.dedup();
    let senders = reports
        .iter()
        .filter(|r| r.occurrences.iter().any(|o| o.summary.requests > 0))
        .count();
    let last_request =
        Duration::from_millis(u64::try_from(times[times.len() - 1] - times[0]).unwrap_or(0));
    println!(
        "notify_shared bench: {USERS} users, {RUNNERS} runners on one PostgreSQL log, {} requests naming {named} users ({} distinct)",
        messages.len(),
        recipients.len()
    );
    println!(
        "requests accepted at {} (after the first); last request {:.1}s after the first, floor {}s",
        offsets.join(", "),
        last_request.as_secs_f64(),
        3 * window
    );
    println!(
        "pace {} users / {}s: wall time {:.1}s for all four cycles; runners that reported the occurrence: {senders}",
        pace.users,
        window,
        elapsed.as_secs_f64()
    );
    assert_eq!(named, USERS, "each user named once");
    assert_eq!(recipients.len(), USERS);
    assert!(
        last_request + Duration::from_millis(500) >= Duration::from_secs(3 * window),
        "faster than the platform allows"
    );
    server.shutdown().await;
}
