//! Shared plumbing for the notify tests: the real emulator on 127.0.0.1:0, a workspace in a
//! temporary directory whose state registers notifications the way apply does, the real
//! `dingform` binary run against them, and the emulator's admin API.
#![allow(dead_code, reason = "each test file uses a different part")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use dingform::provider::{
    ClientOptions, Credentials, Endpoint, HttpClient, NewSceneGroup, RateLimit, RetryPolicy,
    RobotApi, SceneGroupApi,
};
use dingform::state::{ResourceState, StateFile};
use serde_json::{Value, json};

/// The demo seed's agent id.
pub const AGENT_ID: i64 = 123456;

/// A running emulator and a workspace aimed at it.
pub struct Fixture {
    pub server: RunningEmulator,
    pub base: String,
    pub dir: tempfile::TempDir,
    admin: reqwest::Client,
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Fixture {
    /// Start the emulator (demo organization) and write `dingform.yaml`.
    pub async fn start() -> Fixture {
        Self::start_with(Seed::demo()).await
    }

    /// The demo organization with `count` more users (`bulk00001`…) in department 5.
    pub fn seed_with_users(count: usize) -> Seed {
        let mut seed = Seed::demo();
        let template = seed.users[0].clone();
        for n in 1..=count {
            let mut user = template.clone();
            user.userid = format!("bulk{n:05}");
            user.name = format!("Bulk {n}");
            user.departments = vec![5];
            seed.users.push(user);
        }
        seed
    }

    /// Start the emulator with `seed` and write `dingform.yaml`.
    pub async fn start_with(seed: Seed) -> Fixture {
        let server = Emulator::start(EmulatorConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            data_file: None,
            seed,
        })
        .await
        .expect("emulator starts");
        let base = server.base_url();
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("dingform.yaml"),
            format!(
                "organization: Test Organization Demo\napp:\n  kind: internal\n  agent_id: {AGENT_ID}\nendpoint: {base}\n"
            ),
        )
        .expect("write dingform.yaml");
        Fixture {
            server,
            base,
            dir,
            admin: reqwest::Client::new(),
        }
    }

    /// The workspace directory.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The delivery log.
    pub fn db(&self) -> PathBuf {
        self.root().join(".dingform/notify.db")
    }

    /// A client for the demo app.
    pub fn client(&self) -> HttpClient {
        HttpClient::with_options(
            Endpoint::parse(&self.base).expect("URL"),
            Credentials::new("demo-key", "demo-secret"),
            ClientOptions {
                rate_limit: RateLimit::unlimited(),
                retry: RetryPolicy {
                    max_attempts: 3,
                    base_delay: Duration::from_millis(5),
                    max_delay: Duration::from_millis(50),
                },
                ..ClientOptions::default()
            },
        )
        .expect("client")
    }

    /// Make a scene group with the alerts bot in it, and register both in state as apply
    /// would (`group.oncall` with its id, `bot.alerts` with its robot code).
    pub async fn group_with_bot(&self) -> String {
        let client = self.client();
        let id = client
            .create_scene_group(&NewSceneGroup {
                title: "On-call".into(),
                template_id: "tpl-default".into(),
                owner: "manager4220".into(),
                members: vec!["manager4220".into(), "u1001".into()],
                uuid: Some("group.oncall".into()),
                ..NewSceneGroup::default()
            })
            .await
            .expect("create group")
            .open_conversation_id;
        client
            .add_bot(&id, "dingbot-alerts")
            .await
            .expect("add bot");
        self.put(
            "group.oncall",
            ResourceState {
                id: Some(id.clone()),
                ..ResourceState::default()
            },
        );
        self.put(
            "bot.alerts",
            ResourceState {
                id: Some("dingbot-alerts".into()),
                attributes: json!({"robot_code": "dingbot-alerts", "name": "Alert Bot"}),
                ..ResourceState::default()
            },
        );
        id
    }

    /// Register `notification.NAME` in state with these attributes (the JSON of
    /// `NotificationAttributes`).
    pub fn register(&self, name: &str, attributes: Value) {
        self.put(
            &format!("notification.{name}"),
            ResourceState {
                attributes,
                ..ResourceState::default()
            },
        );
    }

    /// The state as written.
    pub fn state(&self) -> dingform::state::State {
        StateFile::new(self.root().join(".dingform/state.json"))
            .read()
            .expect("read state")
            .expect("state exists")
    }

    fn put(&self, address: &str, resource: ResourceState) {
        let file = StateFile::new(self.root().join(".dingform/state.json"));
        let lock = file.lock("test", Duration::from_secs(10)).expect("lock");
        let mut state = file
            .read_or_new(Some("Test Organization Demo".into()))
            .expect("read state");
        state.resources.insert(address.to_owned(), resource);
        file.write(&mut state, &lock).expect("write state");
    }

    /// Run `dingform ARGS` (the real binary) with the demo app's credentials.
    pub async fn dingform(&self, args: &[&str]) -> Run {
        let command = self.command(args);
        tokio::task::spawn_blocking(move || output(command))
            .await
            .expect("join")
    }

    /// The command, not started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("dingform").expect("binary");
        command
            .args(args)
            .env("DINGTALK_APP_KEY", "demo-key")
            .env("DINGTALK_APP_SECRET", "demo-secret")
            .env_remove("DINGFORM_ENDPOINT")
            .env("NO_COLOR", "1");
        command
    }

    /// `dingform notify run DIR --once --at AT`.
    pub async fn run_once(&self, at: &str) -> Run {
        let root = self.root().display().to_string();
        self.dingform(&["notify", "run", &root, "--once", "--at", at])
            .await
    }

    /// `dingform notify status DIR`.
    pub async fn status(&self) -> Run {
        let root = self.root().display().to_string();
        self.dingform(&["notify", "status", &root]).await
    }

    /// POST to the admin API.
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let response = self
            .admin
            .post(format!("{}/_emulator/{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("admin API reachable");
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// Every accepted send request the emulator recorded.
    pub async fn messages(&self) -> Vec<Value> {
        let state: Value = self
            .admin
            .get(format!("{}/_emulator/state", self.base))
            .send()
            .await
            .expect("admin API reachable")
            .json()
            .await
            .expect("JSON");
        state["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Accepted sends of one kind (`bot` or `work_notification`, as the emulator names them).
    pub async fn messages_of(&self, kind: &str) -> Vec<Value> {
        self.messages()
            .await
            .into_iter()
            .filter(|m| m["kind"].as_str().is_some_and(|k| k.contains(kind)))
            .collect()
    }
}

/// Run a command to completion.
pub fn output(mut command: Command) -> Run {
    let output = command.output().expect("runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Attributes of a daily 09:00 UTC bot message to `group.oncall`.
pub fn bot_daily(text: &str) -> Value {
    json!({
        "schedule": "0 9 * * *",
        "timezone": "UTC",
        "via": {"bot": "alerts", "group": "oncall"},
        "message": {"text": {"content": text}},
    })
}

/// Attributes of a work notification on `schedule` (UTC) to `users`.
pub fn work(schedule: &str, users: &[&str], text: &str) -> Value {
    json!({
        "schedule": schedule,
        "timezone": "UTC",
        "via": {"work_notification": {"users": users}},
        "message": {"text": {"content": text}},
    })
}
