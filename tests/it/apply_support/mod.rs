//! Helpers for the apply tests: the real `dingform emulator` binary as a child process, a
//! workspace in a temporary directory, and the real `dingform` binary run against them.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use serde_json::{Value, json};

/// The app secret of the demo organization (must never appear in output or state).
pub const SECRET: &str = "demo-secret";

/// `dingform emulator --listen 127.0.0.1:0 --data FILE`, killed when dropped.
pub struct EmulatorProcess {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// Its base URL, from its first stdout line.
    pub base: String,
    http: reqwest::blocking::Client,
}

impl EmulatorProcess {
    /// Start it on `data` and wait for its first line (no sleeps).
    pub fn start(data: &Path) -> EmulatorProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dingform"))
            .args(["emulator", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("first line");
        let base = line.trim().to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "first line: {line:?}"
        );
        EmulatorProcess {
            child,
            _stdout: stdout,
            base,
            http: reqwest::blocking::Client::new(),
        }
    }

    /// `POST /_emulator/faults` (replaces the whole fault set).
    pub fn faults(&self, faults: Value) {
        let response = self
            .http
            .post(format!("{}/_emulator/faults", self.base))
            .json(&faults)
            .send()
            .expect("admin API answers");
        assert!(
            response.status().is_success(),
            "faults: {}",
            response.status()
        );
    }

    /// `GET /_emulator/state`.
    pub fn state(&self) -> Value {
        self.http
            .get(format!("{}/_emulator/state", self.base))
            .send()
            .expect("admin API answers")
            .json()
            .expect("JSON")
    }

    /// Live (not disbanded) groups as the emulator holds them.
    pub fn groups(&self) -> Vec<Value> {
        let state = self.state();
        let groups = match &state["groups"] {
            Value::Array(groups) => groups.clone(),
            Value::Object(groups) => groups.values().cloned().collect(),
            _ => Vec::new(),
        };
        groups.into_iter().filter(|g| !is_disbanded(g)).collect()
    }

    /// Titles of the live groups, sorted (duplicates kept).
    pub fn titles(&self) -> Vec<String> {
        // Groups the organization had before (its Internal Group) are not dingform's doing.
        let seeded: Vec<String> = dingform::emulator::Seed::demo()
            .groups
            .into_iter()
            .map(|g| g.open_conversation_id)
            .collect();
        let mut titles: Vec<String> = self
            .groups()
            .iter()
            .filter(|g| {
                !seeded
                    .iter()
                    .any(|id| g["open_conversation_id"] == id.as_str())
            })
            .filter_map(|g| g["title"].as_str().map(str::to_owned))
            .collect();
        titles.sort();
        titles
    }

    /// Call a v1.0 API as the demo app (to change the live world behind dingform's back).
    pub fn api(&self, path: &str, body: Value) -> Value {
        let token: Value = self
            .http
            .post(format!("{}/v1.0/oauth2/accessToken", self.base))
            .json(&json!({"appKey": "demo-key", "appSecret": SECRET}))
            .send()
            .expect("token")
            .json()
            .expect("JSON");
        let token = token["accessToken"].as_str().expect("a token").to_owned();
        self.http
            .post(format!("{}{path}", self.base))
            .header("x-acs-dingtalk-access-token", token)
            .json(&body)
            .send()
            .expect("API answers")
            .json()
            .expect("JSON")
    }
}

fn is_disbanded(group: &Value) -> bool {
    group["status"] == json!("disbanded")
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A workspace directory with `dingform.yaml` for the demo organization.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace whose manifests are `files` (name, YAML).
    pub fn new(files: &[(&str, &str)]) -> Workspace {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(
            dir.path().join("dingform.yaml"),
            "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\n\
             defaults: {template: tpl-default}\n",
        )
        .unwrap();
        let workspace = Workspace { dir };
        for (name, text) in files {
            workspace.write(name, text);
        }
        workspace
    }

    /// (Over)write one manifest.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join(".dingform/state.json")
    }

    /// The state as JSON (`Null` when there is none).
    pub fn state(&self) -> Value {
        std::fs::read_to_string(self.state_path())
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null)
    }

    /// `dingform ARGS` against `emulator`, stdin closed (not a terminal).
    pub fn command(&self, emulator: &EmulatorProcess, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dingform"));
        command
            .args(args)
            .current_dir(self.path())
            .env("DINGFORM_ENDPOINT", &emulator.base)
            .env("DINGTALK_APP_KEY", "demo-key")
            .env("DINGTALK_APP_SECRET", SECRET)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// Run `dingform ARGS` to completion.
    pub fn run(&self, emulator: &EmulatorProcess, args: &[&str]) -> Run {
        let output = self
            .command(emulator, args)
            .output()
            .expect("the binary runs");
        Run(output)
    }
}

/// A finished command.
pub struct Run(pub Output);

impl Run {
    /// Exit code.
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    /// stdout + stderr.
    pub fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.0.stdout),
            String::from_utf8_lossy(&self.0.stderr)
        )
    }

    /// Assert the exit code, showing the output when it differs.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code(), code, "output:\n{}", self.text());
        self
    }
}

/// `count` scene groups `g000…`, each with a member and the alerts bot.
pub fn scene_groups(count: usize) -> String {
    let mut yaml =
        String::from("bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n");
    for i in 0..count {
        yaml.push_str(&format!(
            "  g{i:03}: {{title: Group {i:03}, type: scene, owner: manager4220, members: [u1001], bots: [alerts]}}\n"
        ));
    }
    yaml
}
