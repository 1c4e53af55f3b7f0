//! Scratch workspaces for the `validate` tests: a tempdir with a `dingform.yaml`, files added
//! by name, and the real binary run inside it (so findings name files relative to it).

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The settings most tests use: the demo organization, an internal app.
pub const SETTINGS: &str = "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\nendpoint: sandbox\ndefaults: {template: tpl-default}\n";

/// A bot and two groups that notifications can refer to.
pub const BASE: &str = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n  oncall: {title: On-call, type: scene, owner: manager4220, bots: [alerts]}\n";

/// A scratch workspace.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace holding only the default `dingform.yaml`.
    pub fn new() -> Self {
        Self::with_settings(SETTINGS)
    }

    /// A workspace whose `dingform.yaml` is `settings`.
    pub fn with_settings(settings: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("dingform.yaml"), settings).expect("write settings");
        Self { dir }
    }

    /// A workspace with no files at all.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Adds (or replaces) a file, creating parent directories.
    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write file");
        self
    }

    /// The workspace directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the workspace.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `dingform validate` run inside the workspace with extra arguments.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("dingform").expect("binary");
        command
            .current_dir(self.dir.path())
            .arg("validate")
            .args(args)
            .env_remove("NO_COLOR")
            .timeout(Duration::from_secs(60));
        command
    }

    /// Runs `validate` (human output); returns exit code and stderr.
    pub fn validate(&self) -> (i32, String) {
        let output = self.command(&[]).output().expect("run dingform");
        let code = output
            .status
            .code()
            .expect("exit code (not killed by the timeout)");
        (
            code,
            String::from_utf8(output.stderr).expect("utf-8 stderr"),
        )
    }

    /// Runs `validate --format json`; returns exit code and the parsed report.
    pub fn validate_json(&self) -> (i32, Value) {
        let output = self
            .command(&["--format", "json"])
            .output()
            .expect("run dingform");
        let code = output
            .status
            .code()
            .expect("exit code (not killed by the timeout)");
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
        (code, report)
    }

    /// The diagnostics of a JSON run, as `(rule, severity, "file:line:col")`.
    pub fn diagnostics(&self) -> (i32, Vec<(String, String, String)>) {
        let (code, report) = self.validate_json();
        let list = report["diagnostics"]
            .as_array()
            .expect("diagnostics array")
            .iter()
            .map(|d| {
                let place = match (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()) {
                    (Some(file), Some(line), Some(col)) => format!("{file}:{line}:{col}"),
                    (Some(file), _, _) => file.to_owned(),
                    _ => String::new(),
                };
                (
                    d["rule"].as_str().unwrap_or_default().to_owned(),
                    d["severity"].as_str().unwrap_or_default().to_owned(),
                    place,
                )
            })
            .collect();
        (code, list)
    }

    /// Asserts that validation fails (exit 1) with an error of `rule` at `place`
    /// (`file:line:col`), both in JSON and in the human output.
    pub fn expect_error(&self, rule: &str, place: &str) {
        self.expect(1, rule, "error", place);
        let (_, stderr) = self.validate();
        assert!(
            stderr.contains(&format!("error[{rule}]")),
            "no error[{rule}] in:\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("--> {place}")),
            "no `--> {place}` in:\n{stderr}"
        );
    }

    /// Asserts that validation passes (exit 0) with a warning of `rule` at `place`.
    pub fn expect_warning(&self, rule: &str, place: &str) {
        self.expect(0, rule, "warning", place);
    }

    /// Asserts exit code and one diagnostic of `rule` with `severity` at `place`.
    pub fn expect(&self, code: i32, rule: &str, severity: &str, place: &str) {
        let (actual, diagnostics) = self.diagnostics();
        let wanted = (rule.to_owned(), severity.to_owned(), place.to_owned());
        assert!(
            diagnostics.contains(&wanted),
            "no {wanted:?} among {diagnostics:#?}"
        );
        assert_eq!(actual, code, "exit code; diagnostics: {diagnostics:#?}");
    }

    /// Asserts that no diagnostic of `rule` is reported.
    pub fn expect_no(&self, rule: &str) {
        let (_, diagnostics) = self.diagnostics();
        assert!(
            diagnostics.iter().all(|(r, _, _)| r != rule),
            "unexpected {rule} among {diagnostics:#?}"
        );
    }

    /// Asserts a clean run: exit 0 and no diagnostics at all.
    pub fn expect_clean(&self) {
        let (code, diagnostics) = self.diagnostics();
        assert_eq!((code, diagnostics), (0, vec![]));
    }
}

/// A PNG header (signature and IHDR) of the given size: enough for a size reader, which is
/// all the rules look at.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes
}
