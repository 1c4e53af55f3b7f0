//! What a run of the binary printed, and the one filter set that makes it a stable snapshot.

use std::process::Output;

use serde_json::Value;

/// A finished `dingform` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// stdout, then stderr.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Assert the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "output:\n{}", self.text());
        self
    }

    /// stdout as JSON (a `--format json` run).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The run as a snapshot: exit code, stdout and stderr, through [`filters`].
    pub fn snapshot(&self) -> String {
        let mut text = format!("exit: {}\n", self.code);
        if !self.stdout.is_empty() {
            text.push_str("--- stdout\n");
            text.push_str(&self.stdout);
        }
        if !self.stderr.is_empty() {
            text.push_str("--- stderr\n");
            text.push_str(&self.stderr);
        }
        text
    }
}

impl Run {
    /// [`Run::snapshot`] with stderr's lines sorted: for a run whose concurrent work reports on
    /// stderr in the order it ends (apply's progress lines), so the snapshot does not depend on
    /// which request answered first.
    pub fn snapshot_unordered_stderr(&self) -> String {
        let mut lines: Vec<&str> = self.stderr.lines().collect();
        lines.sort_unstable();
        let sorted = Run {
            code: self.code,
            stdout: self.stdout.clone(),
            stderr: lines.iter().map(|line| format!("{line}\n")).collect(),
        };
        sorted
            .snapshot()
            .replacen("--- stderr\n", "--- stderr (lines sorted)\n", 1)
    }
}

/// The filters every snapshot of the binary's output goes through: what differs from run to
/// run (ports, temporary directories, times of the wall clock, uuids, durations, the ids of a
/// group the emulator made, a lock holder's pid and host) becomes a placeholder.
///
/// Only times and dates from a day before the wall clock's to two days after are the clock's
/// (validate judges the days to come): an instant a test chose (`--at 2026-03-02T09:00:00Z`, an
/// occurrence, a lateness) is what the test checks, so it stays.
pub fn filters() -> Vec<(String, &'static str)> {
    let today = chrono::Utc::now().date_naive();
    let days = (-1..=2)
        .filter_map(|offset| today.checked_add_signed(chrono::TimeDelta::days(offset)))
        .map(|day| day.format("%Y-%m-%d").to_string())
        .collect::<Vec<_>>()
        .join("|");
    vec![
        (r"127\.0\.0\.1:\d+".into(), "127.0.0.1:[PORT]"),
        (r"(/private)?/tmp/[^\s/:'`\x22]+".into(), "[TMP]"),
        (
            format!(r"({days})[T ]\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?(Z|[+-]\d{{2}}:?\d{{2}})?( UTC)?"),
            "[TIME]",
        ),
        (format!(r"\b({days})\b"), "[DATE]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".into(),
            "[UUID]",
        ),
        (r"\b\d+(\.\d+)?(ms|s)\b".into(), "[DURATION]"),
        // The ids the emulator makes for a new group (open conversation id, chat id).
        (r"\bcid[A-Za-z0-9]{22}==".into(), "cid[ID]=="),
        (r"\bchat[0-9a-f]{32}\b".into(), "chat[ID]"),
        // Who holds a lock: `pid 4242 on HOST since …`.
        (r"\bpid \d+\b".into(), "pid [PID]"),
        (r" on \S+ since ".into(), " on [HOST] since "),
    ]
}

/// Assert an insta snapshot of `text` with the harness's [`filters`].
#[macro_export]
macro_rules! assert_filtered_snapshot {
    ($name:expr, $text:expr) => {{
        let mut settings = insta::Settings::clone_current();
        for (pattern, replacement) in $crate::common::run::filters() {
            settings.add_filter(&pattern, replacement);
        }
        settings.bind(|| insta::assert_snapshot!($name, $text));
    }};
}

/// Run a future to completion on a runtime of its own (for a test that is not async).
pub fn blocking<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}
