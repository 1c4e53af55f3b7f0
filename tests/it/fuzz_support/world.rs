//! The fuzzer's world: one emulator (the real server, in process, on 127.0.0.1:0) per case, a
//! workspace directory, the real `dingform` binary run against them, and the changes people
//! make behind dingform's back, sent to the emulator's DingTalk endpoints in the platform's
//! wire format (the `model::wire` types) or through its admin API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use dingform::model::wire::ACCESS_TOKEN_HEADER;
use dingform::model::wire::chat::OapiUpdateChatRequest;
use dingform::model::wire::robot::AddRobotRequest;
use dingform::model::wire::scene_group::{
    CreateSceneGroupRequest, DisbandSceneGroupRequest, SceneGroupMembersRequest,
};
use serde_json::{Value, json};

/// The demo app's key.
pub const APP_KEY: &str = "demo-key";
/// The demo app's secret: never in any output or in the state.
pub const APP_SECRET: &str = "demo-secret";

/// What one run of the binary printed.
#[derive(Debug)]
pub struct Output {
    /// Exit code (-1 when killed).
    pub code: i32,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl Output {
    /// Both streams, for failure messages.
    pub fn text(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The emulator, the workspace and a log of every command run.
pub struct World {
    // Declared before the runtime: the server stops before its runtime goes away.
    _server: RunningEmulator,
    _runtime: tokio::runtime::Runtime,
    /// The emulator's base URL.
    pub base: String,
    http: reqwest::blocking::Client,
    dir: tempfile::TempDir,
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
        let server = runtime
            .block_on(Emulator::start(EmulatorConfig {
                listen: "127.0.0.1:0".parse().expect("address"),
                data_file: None,
                seed: Seed::demo(),
            }))
            .expect("the emulator starts");
        let base = server.base_url();
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(
            dir.path().join("dingform.yaml"),
            // A pinned pace well above what a few groups need: the fuzzer is about
            // convergence, not pacing (pacing.rs), and the emulator sets no QPS limit here.
            "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\n\
             defaults: {template: tpl-default}\nrate: 500\n",
        )
        .expect("write dingform.yaml");
        World {
            _server: server,
            _runtime: runtime,
            base,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("a client"),
            dir,
            tokens: Vec::new(),
            log: Vec::new(),
        }
    }

    /// The workspace directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.path().join(".dingform/state.json")
    }

    /// The state as JSON (`Null` before the first apply).
    pub fn state(&self) -> Value {
        std::fs::read_to_string(self.state_path())
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null)
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
            std::fs::write(self.path().join(name), text).expect("write a manifest");
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dingform"));
        command
            .args(args)
            .current_dir(self.path())
            .env("DINGFORM_ENDPOINT", &self.base)
            .env("DINGTALK_APP_KEY", APP_KEY)
            .env("DINGTALK_APP_SECRET", APP_SECRET)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        command
    }

    /// Run `dingform ARGS` to the end; every output is checked for secrets.
    pub fn run(&mut self, args: &[&str]) -> Result<Output, String> {
        self.log.push(format!("dingform {}", args.join(" ")));
        let output = self.command(args).output().expect("the binary runs");
        let output = Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        self.no_secrets(&output)?;
        Ok(output)
    }

    /// `dingform apply --yes`, killed with SIGKILL after its `lines`-th step line (the event:
    /// a line per step on stderr when it is not a terminal). True when it was killed, false
    /// when it ended first.
    pub fn apply_killed_after(&mut self, lines: usize) -> Result<bool, String> {
        self.log.push(format!(
            "dingform apply --yes (kill -9 after {lines} step lines)"
        ));
        let mut child = self
            .command(&["apply", "--yes", "--concurrency", "2"])
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
        let output = Output {
            code: status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: seen,
        };
        self.no_secrets(&output)?;
        Ok(killed && status.code().is_none())
    }

    /// Secrets never appear: the app secret and the access tokens the emulator issued, in
    /// the output and in the state file.
    fn no_secrets(&self, output: &Output) -> Result<(), String> {
        let state = std::fs::read_to_string(self.state_path()).unwrap_or_default();
        for secret in std::iter::once(APP_SECRET).chain(self.tokens.iter().map(String::as_str)) {
            if output.stdout.contains(secret) || output.stderr.contains(secret) {
                return Err(format!(
                    "a secret ({}…) was printed:\n{}",
                    &secret[..4],
                    output.text()
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
        let response = self
            .http
            .post(format!("{}/_emulator/{path}", self.base))
            .json(&body)
            .send()
            .expect("the admin API answers");
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().expect("JSON")
    }

    /// `GET /_emulator/state`.
    pub fn emulator_state(&self) -> Value {
        self.http
            .get(format!("{}/_emulator/state", self.base))
            .send()
            .expect("the admin API answers")
            .json()
            .expect("JSON")
    }

    /// Every group the emulator holds (disbanded ones too).
    pub fn live_groups(&self) -> Vec<Value> {
        match self.emulator_state()["groups"].take() {
            Value::Array(groups) => groups,
            _ => Vec::new(),
        }
    }

    fn token(&mut self) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/v1.0/oauth2/accessToken", self.base))
            .json(&json!({"appKey": APP_KEY, "appSecret": APP_SECRET}))
            .send()
            .expect("token")
            .json()
            .expect("JSON");
        let token = answer["accessToken"]
            .as_str()
            .expect("an access token")
            .to_owned();
        if !self.tokens.contains(&token) {
            self.tokens.push(token.clone());
        }
        token
    }

    /// A v1.0 call as the demo app (a person's script, or the client acting for a person).
    fn api(&mut self, path: &str, body: Value) -> Value {
        let token = self.token();
        let answer: Value = self
            .http
            .post(format!("{}{path}", self.base))
            .header(ACCESS_TOKEN_HEADER, token)
            .json(&body)
            .send()
            .expect("the API answers")
            .json()
            .expect("JSON");
        answer
    }

    /// An oapi call as the demo app.
    fn oapi(&mut self, path: &str, body: Value) -> Value {
        let token = self.token();
        self.http
            .post(format!("{}{path}", self.base))
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .expect("the API answers")
            .json()
            .expect("JSON")
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
