//! A scratch workspace: a temporary directory with a `dingform.yaml`, manifests written by name,
//! the state file, and the real `dingform` binary run inside it the way a user or CI runs it
//! (`DINGFORM_ENDPOINT` and the app's credentials in the environment, stdin closed, nothing of
//! the developer's own environment leaking in).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::emulator::Target;
use super::fixtures::SETTINGS;
use super::run::Run;
use super::{APP_KEY, APP_SECRET};

/// How long one run may take before the test fails instead of hanging the suite.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Variables of the developer's shell that would change what the binary does.
const SCRUBBED: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "RUST_LOG",
    "DINGFORM_ENDPOINT",
    "DINGFORM_STATE_URL",
    "DINGFORM_STATE_KEY",
    "DINGTALK_APP_KEY",
    "DINGTALK_APP_SECRET",
];

/// A scratch workspace, removed when dropped.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl Workspace {
    /// A workspace holding only the default `dingform.yaml` ([`SETTINGS`]).
    pub fn new() -> Workspace {
        Self::with_settings(SETTINGS)
    }

    /// The default `dingform.yaml` and these manifests (name, YAML).
    pub fn with_files(files: &[(&str, &str)]) -> Workspace {
        let workspace = Self::new();
        for (name, text) in files {
            workspace.write(name, text);
        }
        workspace
    }

    /// A workspace whose `dingform.yaml` is `settings`.
    pub fn with_settings(settings: &str) -> Workspace {
        let workspace = Self::empty();
        workspace.write("dingform.yaml", settings);
        workspace
    }

    /// A workspace with no files at all.
    pub fn empty() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// Add (or replace) a file, creating parent directories.
    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Workspace {
        self.write_bytes(name, contents.as_ref());
        self
    }

    /// (Over)write a text file, creating parent directories.
    pub fn write(&self, name: &str, text: &str) {
        self.write_bytes(name, text.as_bytes());
    }

    /// (Over)write a file, creating parent directories.
    pub fn write_bytes(&self, name: &str, contents: &[u8]) {
        let path = self.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write file");
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the workspace.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.join(".dingform/state.json")
    }

    /// The state file as JSON (`Null` when there is none).
    pub fn state(&self) -> Value {
        std::fs::read_to_string(self.state_path())
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null)
    }

    /// The platform id the state records for `address` (`group.payments`).
    #[track_caller]
    pub fn id_of(&self, address: &str) -> String {
        let state = self.state();
        state["resources"][address]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id for {address} in the state: {state}"))
            .to_owned()
    }

    /// `dingform ARGS` in the workspace, aimed at `target` with the demo app's credentials; not
    /// started.
    pub fn command(&self, target: &impl Target, args: &[&str]) -> Command {
        let mut command = self.offline_command(args);
        command
            .env("DINGFORM_ENDPOINT", target.base())
            .env("DINGTALK_APP_KEY", APP_KEY)
            .env("DINGTALK_APP_SECRET", APP_SECRET);
        command
    }

    /// `dingform ARGS` in the workspace with no endpoint and no credentials (what
    /// `dingform.yaml` says is all there is); not started.
    pub fn offline_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dingform"));
        command
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null());
        for name in SCRUBBED {
            command.env_remove(name);
        }
        command
    }

    /// Run `dingform ARGS` against `target` to completion.
    pub fn run(&self, target: &impl Target, args: &[&str]) -> Run {
        finish(self.command(target, args))
    }

    /// Run `dingform ARGS` with no endpoint or credentials to completion.
    pub fn run_offline(&self, args: &[&str]) -> Run {
        finish(self.offline_command(args))
    }
}

/// Run `dingform ARGS` to completion in an empty directory, with no endpoint or credentials: for
/// what needs no workspace (`--help`, `rules`, `schema`, `completions`).
pub fn dingform(args: &[&str]) -> Run {
    Workspace::empty().run_offline(args)
}

/// Run a command to completion, failing the test (not hanging it) after [`RUN_TIMEOUT`].
pub fn finish(command: Command) -> Run {
    let output = assert_cmd::Command::from_std(command)
        .timeout(RUN_TIMEOUT)
        .output()
        .expect("the binary runs");
    Run::from(output)
}
