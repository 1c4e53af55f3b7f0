//! One work notification to 20,000 users through the real runner, over real HTTP to the
//! emulator seeded with 20,000 users, paced to the platform's 5,000 recipients a minute.
//!
//! The floor the per-minute limit sets: 20,000 users are 4 requests of 5,000, and at most one
//! fits in each minute, so the last request can leave no earlier than 3 minutes after the
//! first, and the last recipients are delivered inside the 4th minute. Measured in wall time
//! (real tokio clock, real emulator clock).
//!
//!     cargo bench --bench notify                  # the real pace: about 3 minutes
//!     NOTIFY_BENCH_WINDOW_SECS=6 cargo bench --bench notify   # the pace scaled 10× faster

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use dingform::emulator::{Emulator, EmulatorConfig, Seed};
use dingform::notify::{DeliveryLog, Pace, RunOptions, Runner};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient};
use dingform::state::{ResourceState, StateFile};
use serde_json::json;

const USERS: usize = 20_000;

#[tokio::main]
async fn main() {
    let window = std::env::var("NOTIFY_BENCH_WINDOW_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(60);
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
    let log = DeliveryLog::open(&dir.path().join("notify.db")).expect("log");
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
    let mut runner = Runner::new(&client, log, options);
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let start = Instant::now();
    let report = runner.cycle(&state, at).await.expect("cycle");
    let elapsed = start.elapsed();
    let paced = report.paced;
    let admin = reqwest::Client::new();
    let world: serde_json::Value = admin
        .get(format!("{}/_emulator/state", server.base_url()))
        .send()
        .await
        .expect("admin API")
        .json()
        .await
        .expect("JSON");
    let times: Vec<i64> = world["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["at"].as_i64())
        .collect();
    let offsets: Vec<String> = times
        .iter()
        .map(|t| format!("{:.1}s", (t - times[0]) as f64 / 1000.0))
        .collect();
    let mut report = report;
    if report.occurrences[0].summary.pending > 0 {
        // A scaled pace outruns the emulator's own per-minute throttle (by its clock): move
        // its clock past the backlog and follow up.
        println!(
            "(faster than 5,000 a minute: the emulator still delivers; advancing its clock 4 minutes)"
        );
        admin
            .post(format!("{}/_emulator/clock", server.base_url()))
            .json(&json!({"advance_seconds": 240}))
            .send()
            .await
            .expect("admin API");
        report = runner.cycle(&state, at).await.expect("cycle");
    }
    let occurrence = &report.occurrences[0];
    let floor_last_request = Duration::from_secs(3 * window);
    let floor_delivered = Duration::from_secs(4 * window);
    println!(
        "notify bench: {USERS} users, {} requests, status {}, delivered {}",
        occurrence.summary.requests,
        occurrence.status.as_str(),
        occurrence.summary.delivered
    );
    println!(
        "requests accepted at {} (after the first)",
        offsets.join(", ")
    );
    println!(
        "pace {} users / {}s: cycle wall time {:.1}s (send, pace, follow-up; {:.1}s of it waiting for the pace); floor: last request at >= {}s, all delivered within {}s",
        pace.users,
        window,
        elapsed.as_secs_f64(),
        paced.as_secs_f64(),
        floor_last_request.as_secs(),
        floor_delivered.as_secs()
    );
    assert_eq!(occurrence.summary.delivered, USERS, "{report:?}");
    assert!(
        elapsed >= floor_last_request,
        "faster than the platform allows"
    );
    server.shutdown().await;
}
