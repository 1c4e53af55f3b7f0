//! The notify tests' fixture, built on the common harness: an emulator in process and a
//! workspace whose `dingform.yaml` points at it and whose state registers notifications the way
//! apply does, plus message builders.

pub mod log;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use dingform::emulator::Seed;
use dingform::provider::{HttpClient, NewSceneGroup, RetryPolicy, RobotApi, SceneGroupApi};
use dingform::state::{ResourceState, StateFile};
use serde_json::{Value, json};

use crate::common::{self, AGENT_ID, Emu, Run, Workspace};

/// An emulator and a workspace aimed at it.
pub struct Fixture {
    pub emu: Emu,
    pub workspace: Workspace,
    pub base: String,
}

impl Fixture {
    /// The demo organization.
    pub async fn start() -> Fixture {
        Self::start_with(Seed::demo()).await
    }

    /// The demo organization with `count` more users ([`common::bulk_user`]) in department 5.
    pub fn seed_with_users(count: usize) -> Seed {
        common::seed_with_users(count, 5)
    }

    /// Start the emulator with `seed`; `dingform.yaml` names it as the endpoint.
    pub async fn start_with(seed: Seed) -> Fixture {
        let emu = Emu::start_with(seed, None).await;
        let base = emu.base.clone();
        let workspace = Workspace::with_settings(&format!(
            "organization: {}\napp:\n  kind: internal\n  agent_id: {AGENT_ID}\nendpoint: {base}\n",
            common::ORGANIZATION
        ));
        Fixture {
            emu,
            workspace,
            base,
        }
    }

    /// The workspace directory.
    pub fn root(&self) -> &Path {
        self.workspace.path()
    }

    /// The delivery log.
    pub fn db(&self) -> PathBuf {
        self.root().join(".dingform/notify.db")
    }

    /// A client for the demo app: no rate limit, three quick attempts.
    pub fn client(&self) -> HttpClient {
        self.emu.client_with(dingform::provider::ClientOptions {
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(50),
            },
            ..common::unlimited(3)
        })
    }

    /// A runner through `client` on the workspace's delivery log, polling quickly
    /// ([`log::runner_options`]).
    pub fn runner<'a>(&self, client: &'a HttpClient) -> dingform::notify::Runner<'a, HttpClient> {
        let log = dingform::notify::DeliveryLog::open(&self.db()).expect("the delivery log");
        dingform::notify::Runner::new(client, log, log::runner_options())
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
        StateFile::new(self.workspace.state_path())
            .read()
            .expect("read state")
            .expect("state exists")
    }

    fn put(&self, address: &str, resource: ResourceState) {
        let file = StateFile::new(self.workspace.state_path());
        let lock = file.lock("test", Duration::from_secs(10)).expect("lock");
        let mut state = file
            .read_or_new(Some(common::ORGANIZATION.into()))
            .expect("read state");
        state
            .resources
            .insert(address.parse().expect("an address"), resource);
        file.write(&mut state, &lock).expect("write state");
    }

    /// Run `dingform ARGS` (the real binary) with the demo app's credentials.
    pub async fn dingform(&self, args: &[&str]) -> Run {
        let command = self.command(args);
        tokio::task::spawn_blocking(move || output(command))
            .await
            .expect("join")
    }

    /// `dingform ARGS` with the demo app's credentials, the endpoint from `dingform.yaml`; not
    /// started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.workspace.command(&self.emu, args);
        command.env_remove("DINGFORM_ENDPOINT");
        command
    }

    /// `dingform notify run DIR --once --at AT`.
    pub async fn run_once(&self, at: &str) -> Run {
        let command = self.run_once_command(at);
        tokio::task::spawn_blocking(move || output(command))
            .await
            .expect("join")
    }

    /// [`Fixture::run_once`]'s command, not started: for a test that sets more of its
    /// environment, starts two at once or kills it.
    pub fn run_once_command(&self, at: &str) -> Command {
        let root = self.root().display().to_string();
        self.command(&["notify", "run", &root, "--once", "--at", at])
    }

    /// `dingform notify status DIR`.
    pub async fn status(&self) -> Run {
        let root = self.root().display().to_string();
        self.dingform(&["notify", "status", &root]).await
    }

    /// POST to the emulator's admin API.
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        self.emu.admin(path, body).await
    }

    /// Every accepted send request the emulator recorded.
    pub async fn messages(&self) -> Vec<Value> {
        self.emu.messages().await
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

/// Run a command to completion (with the harness's timeout).
pub fn output(command: Command) -> Run {
    common::workspace::finish(command)
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
