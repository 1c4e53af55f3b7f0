//! What the notify benches share: an emulator seeded with 20,000 users, a state naming them all
//! in one work notification, the client, the pace (the platform's 5,000 recipients a minute,
//! its window scaled by `NOTIFY_BENCH_WINDOW_SECS`), and reading back when the emulator took
//! each request.

// Not `expect`: each bench uses a different part, so what is dead differs between them.
#![allow(
    dead_code,
    reason = "each bench that includes this module uses a part of it"
)]

use std::time::Duration;

use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use dingform::model::limits::RECIPIENTS_PER_MINUTE;
use dingform::notify::{Pace, RunOptions};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient};
use dingform::state::{ResourceState, State, StateFile};
use serde_json::json;

/// The users the one notification goes to.
pub const USERS: usize = 20_000;

/// One notification to [`USERS`] users, ready to run.
pub struct World {
    /// The emulator, seeded with the users.
    pub server: RunningEmulator,
    /// The state recording `notification.all-hands`.
    pub state: State,
    /// A client of the emulator.
    pub client: HttpClient,
    /// The platform's pace, its window scaled.
    pub pace: Pace,
    /// Run options with that pace.
    pub options: RunOptions,
    /// The pace's window, in seconds.
    pub window: u64,
    /// Where the state (and a SQLite log) live.
    pub dir: tempfile::TempDir,
}

impl World {
    /// Start the emulator and write the state.
    pub async fn start() -> World {
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
            dingform::model::Address::notification("all-hands"),
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
            users: RECIPIENTS_PER_MINUTE,
            per: Duration::from_secs(window),
        };
        let options = RunOptions {
            agent_id: Some(123456),
            pace,
            follow_up_wait: Duration::from_secs(window * 2),
            poll_interval: Duration::from_millis(500),
            ..RunOptions::default()
        };
        World {
            server,
            state,
            client,
            pace,
            options,
            window,
            dir,
        }
    }

    /// The messages the emulator took, through its admin API.
    pub async fn messages(&self) -> Vec<serde_json::Value> {
        let world: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/_emulator/state", self.server.base_url()))
            .send()
            .await
            .expect("admin API")
            .json()
            .await
            .expect("JSON");
        world["messages"].as_array().expect("messages").clone()
    }

    /// Move the emulator's clock forward.
    pub async fn advance_clock(&self, seconds: u64) {
        reqwest::Client::new()
            .post(format!("{}/_emulator/clock", self.server.base_url()))
            .json(&json!({"advance_seconds": seconds}))
            .send()
            .await
            .expect("admin API");
    }
}

/// When the emulator took each message (milliseconds), oldest first.
pub fn accepted_at(messages: &[serde_json::Value]) -> Vec<i64> {
    let mut times: Vec<i64> = messages.iter().filter_map(|m| m["at"].as_i64()).collect();
    times.sort();
    times
}

/// Each time as seconds after the first, for printing.
pub fn offsets(times: &[i64]) -> Vec<String> {
    times
        .iter()
        .map(|t| format!("{:.1}s", (t - times[0]) as f64 / 1000.0))
        .collect()
}
