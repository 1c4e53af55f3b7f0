//! The fuzzer's world, on the common harness: one emulator (the real server, in process, on
//! 127.0.0.1:0: [`Emu`]) per case, a [`Workspace`] with the real `dingform` binary run in it, and
//! the changes people make behind dingform's back, sent to the emulator's DingTalk endpoints in
//! the platform's wire format (the `model::wire` types) or through its admin API. The world is
//! driven from a test that is not async: it keeps the runtime the emulator runs on.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

use dingform::model::wire::chat::OapiUpdateChatRequest;
use dingform::model::wire::robot::AddRobotRequest;
use dingform::model::wire::scene_group::{
    CreateSceneGroupRequest, DisbandSceneGroupRequest, SceneGroupMembersRequest,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::workspace::finish;
use crate::common::{APP_SECRET, Emu, Run, Workspace};

/// The fuzzer's `dingform.yaml`: a pinned pace well above what a few groups need (the fuzzer is
/// about convergence, not pacing: pacing.rs), and the emulator sets no QPS limit here.
const SETTINGS: &str = "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\n\
                        defaults: {template: tpl-default}\nrate: 500\n";

/// The emulator, the workspace and a log of every command run.
pub struct World {
    // Declared before the runtime: the server stops before its runtime goes away.
    emu: Emu,
    runtime: tokio::runtime::Runtime,
    workspace: Workspace,
    /// Access tokens seen (secrets: checked absent from every output).
    tokens: Vec<String>,
    /// What was run, in order (the failure message shows the tail).
    pub log: Vec<String>,
}

impl World {
    /// A fresh emulator with the demo organization and an empty workspace.
    pub fn start() -> World {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let emu = runtime.block_on(Emu::start());
        World {
            emu,
            runtime,
            workspace: Workspace::with_settings(SETTINGS),
            tokens: Vec::new(),
            log: Vec::new(),
        }
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.workspace.state_path()
    }

    /// The state as JSON (`Null` before the first apply).
    pub fn state(&self) -> Value {
        self.workspace.state()
    }

    /// The id the state holds for `address`.
    pub fn state_id(&self, address: &str) -> Option<String> {
        self.state()["resources"][address]["id"]
            .as_str()
            .map(str::to_owned)
    }

    /// (Over)write the manifests.
    pub fn write(&self, files: &[(&str, String)]) {
        for (name, text) in files {
            self.workspace.write(name, text);
        }
    }

    /// Run `dingform ARGS` to the end; every output is checked for secrets.
    pub fn run(&mut self, args: &[&str]) -> Result<Run, String> {
        self.log.push(format!("dingform {}", args.join(" ")));
        let run = finish(self.workspace.command(&self.emu, args));
        self.no_secrets(&run)?;
        Ok(run)
    }

    /// `dingform apply --yes`, killed with SIGKILL after its `lines`-th step line (the event:
    /// a line per step on stderr when it is not a terminal). True when it was killed, false
    /// when it ended first.
    pub fn apply_killed_after(&mut self, lines: usize) -> Result<bool, String> {
        self.log.push(format!(
            "dingform apply --yes (kill -9 after {lines} step lines)"
        ));
        let mut child = self
            .workspace
            .command(&self.emu, &["apply", "--yes", "--concurrency", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut seen = String::new();
        let mut steps = 0;
        let mut killed = false;
        loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            seen.push_str(&line);
            // A change's line (`group.ops: created`, `bot.b: registered`, `… failed: …`).
            let change_line = ["group.", "bot.", "notification."]
                .iter()
                .any(|kind| line.starts_with(kind))
                && !line.contains(": skipped (");
            if change_line {
                steps += 1;
                if steps >= lines {
                    killed = child.kill().is_ok();
                    break;
                }
            }
        }
        let status = child.wait().expect("wait for apply");
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: seen,
        };
        self.no_secrets(&run)?;
        Ok(killed && status.code().is_none())
    }

    /// Secrets never appear: the app secret and the access tokens the emulator issued, in
    /// the output and in the state file.
    fn no_secrets(&self, run: &Run) -> Result<(), String> {
        let state = std::fs::read_to_string(self.state_path()).unwrap_or_default();
        for secret in std::iter::once(APP_SECRET).chain(self.tokens.iter().map(String::as_str)) {
            if run.stdout.contains(secret) || run.stderr.contains(secret) {
                return Err(format!(
                    "a secret ({}…) was printed:\n{}",
                    &secret[..4],
                    run.snapshot()
                ));
            }
            if state.contains(secret) {
                return Err(format!("a secret ({}…) is in the state", &secret[..4]));
            }
        }
        Ok(())
    }

    /// `POST /_emulator/faults` (replaces the whole set).
    pub fn faults(&mut self, faults: Value) {
        self.log.push(format!("faults {faults}"));
        self.admin("faults", faults);
    }

    fn admin(&self, path: &str, body: Value) -> Value {
        self.runtime.block_on(self.emu.admin(path, body))
    }

    /// Every group the emulator holds (disbanded ones too).
    pub fn live_groups(&self) -> Vec<Value> {
        match self.runtime.block_on(self.emu.state())["groups"].take() {
            Value::Array(groups) => groups,
            _ => Vec::new(),
        }
    }

    /// A token for the demo app, remembered as a secret no output may show.
    fn token(&mut self) -> String {
        let token = self.runtime.block_on(self.emu.fetch_token());
        if !self.tokens.contains(&token) {
            self.tokens.push(token.clone());
        }
        token
    }

    /// A v1.0 call as the demo app (a person's script, or the client acting for a person).
    fn api(&mut self, path: &str, body: Value) -> Value {
        let token = self.token();
        let (_, answer) =
            self.runtime
                .block_on(self.emu.api_with(Method::POST, path, body, &token));
        answer
    }

    /// An oapi call as the demo app.
    fn oapi(&mut self, path: &str, body: Value) -> Value {
        let token = self.token();
        self.runtime
            .block_on(self.emu.oapi_with(path, body, &token))
    }

    /// Someone adds `user` to a group in the client.
    pub fn outside_add_member(&mut self, group: &Value, user: &str) {
        self.log.push(format!(
            "outside: add {user} to {}",
            group["open_conversation_id"]
        ));
        if group["kind"] == "scene" {
            let request = SceneGroupMembersRequest {
                open_conversation_id: text(group, "open_conversation_id"),
                user_ids: Some(vec![user.to_owned()]),
                ..SceneGroupMembersRequest::default()
            };
            self.api(
                "/v1.0/im/sceneGroup/member/add",
                serde_json::to_value(request).expect("JSON"),
            );
        } else {
            let request = OapiUpdateChatRequest {
                chatid: text(group, "chat_id"),
                add_useridlist: Some(vec![user.to_owned()]),
                ..OapiUpdateChatRequest::default()
            };
            self.oapi("/chat/update", serde_json::to_value(request).expect("JSON"));
        }
    }

    /// Someone adds a bot to a group in the client.
    pub fn outside_add_bot(&mut self, group: &Value, robot_code: &str) {
        self.log.push(format!(
            "outside: add bot {robot_code} to {}",
            group["open_conversation_id"]
        ));
        let request = AddRobotRequest {
            open_conversation_id: text(group, "open_conversation_id"),
            robot_code: robot_code.to_owned(),
            ..AddRobotRequest::default()
        };
        self.api(
            "/v1.0/im/conversations/robots",
            serde_json::to_value(request).expect("JSON"),
        );
    }

    /// Someone disbands a scene group.
    pub fn outside_disband(&mut self, open_conversation_id: &str) {
        self.log
            .push(format!("outside: disband {open_conversation_id}"));
        let request = DisbandSceneGroupRequest {
            open_conversation_id: open_conversation_id.to_owned(),
        };
        self.api(
            "/v1.0/im/chat/scenegroup/disband",
            serde_json::to_value(request).expect("JSON"),
        );
    }

    /// A person's script makes a scene group; returns (open conversation id, chat id).
    pub fn outside_scene_group(
        &mut self,
        title: &str,
        template: &str,
        owner: &str,
        members: &[String],
    ) -> (String, String) {
        self.log
            .push(format!("outside: make scene group {title:?}"));
        let request = CreateSceneGroupRequest {
            title: title.to_owned(),
            template_id: template.to_owned(),
            owner_user_id: owner.to_owned(),
            user_ids: Some(members.to_vec()),
            ..CreateSceneGroupRequest::default()
        };
        let answer = self.api(
            "/v1.0/im/sceneGroup/create",
            serde_json::to_value(request).expect("JSON"),
        );
        (
            text(&answer, "open_conversation_id"),
            text(&answer, "chat_id"),
        )
    }

    /// `user` leaves the organization.
    pub fn leave(&mut self, user: &str) {
        self.log.push(format!("outside: {user} leaves"));
        self.admin(&format!("users/{user}/leave"), json!({}));
    }

    /// `user` comes back (department 2).
    pub fn rejoin(&mut self, user: &str) {
        self.log.push(format!("outside: {user} comes back"));
        self.admin(
            "users",
            json!({"userid": user, "name": format!("Back {user}"), "departments": [2]}),
        );
    }
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}
