//! `dingform state list|show|rm|mv` on real state files, with real locks.

use std::time::Duration;

use dingform::state::{ResourceState, StateFile};

use crate::common::{Run, Workspace};

/// A workspace whose state holds `group.oncall` and `bot.alerts`.
struct Ws(Workspace);

impl Ws {
    fn new() -> Ws {
        let ws = Ws(Workspace::with_settings(
            "organization: Test Organization Demo\n",
        ));
        let file = ws.file();
        let lock = file.lock("test", Duration::ZERO).unwrap();
        let mut state = file.read_or_new(None).unwrap();
        for (address, id) in [("group.oncall", "cid-1"), ("bot.alerts", "dingbot-alerts")] {
            let entry = ResourceState {
                id: Some(id.into()),
                ..ResourceState::default()
            };
            state.resources.insert(address.parse().unwrap(), entry);
        }
        file.write(&mut state, &lock).unwrap();
        ws
    }

    fn file(&self) -> StateFile {
        StateFile::new(self.0.state_path())
    }

    /// `dingform state ARGS`: exit code, stdout, stderr.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let run = self.run_full(args);
        (run.code, run.stdout, run.stderr)
    }

    /// `dingform state ARGS`, as a [`Run`] to snapshot.
    fn run_full(&self, args: &[&str]) -> Run {
        self.0.run_offline(&[&["state"], args].concat())
    }

    fn text(&self) -> String {
        std::fs::read_to_string(self.file().path()).unwrap()
    }
}

#[test]
fn list_prints_every_address_with_its_id() {
    let ws = Ws::new();
    let (code, stdout, _) = ws.run(&["list"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "bot.alerts\tdingbot-alerts\ngroup.oncall\tcid-1\n");
}

#[test]
fn show_prints_the_entry_as_json() {
    let ws = Ws::new();
    let (code, stdout, _) = ws.run(&["show", "group.oncall"]);
    assert_eq!(code, 0);
    let entry: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(entry["id"], "cid-1");
}

#[test]
fn show_masks_anything_named_like_a_secret_in_a_hand_edited_state() {
    let ws = Ws::new();
    let edited = ws.text().replace(
        "\"id\": \"cid-1\"",
        "\"id\": \"cid-1\", \"ids\": {\"webhook_token\": \"abcdef123456\"}",
    );
    std::fs::write(ws.file().path(), edited).unwrap();
    let run = ws.run_full(&["show", "group.oncall"]);
    assert!(!run.text().contains("abcdef123456"), "{}", run.text());
    crate::assert_filtered_snapshot!("show_masks_secrets", run.snapshot());
}

#[test]
fn rm_forgets_the_address_and_keeps_a_backup() {
    let ws = Ws::new();
    let before = ws.text();
    let (code, _, _) = ws.run(&["rm", "group.oncall"]);
    assert_eq!(code, 0);
    let state = ws.file().read().unwrap().unwrap();
    assert!(
        !state
            .resources
            .contains_key(&"group.oncall".parse().unwrap())
    );
    assert_eq!(
        std::fs::read_to_string(ws.file().backup_path()).unwrap(),
        before
    );
}

#[test]
fn rm_of_an_unknown_address_is_refused_and_changes_nothing() {
    let ws = Ws::new();
    let before = ws.text();
    // Known addresses are suggested.
    let run = ws.run_full(&["rm", "group.nope"]);
    crate::assert_filtered_snapshot!("rm_unknown_address", run.snapshot());
    assert_eq!(ws.text(), before);
}

#[test]
fn mv_renames_and_keeps_the_ids() {
    let ws = Ws::new();
    let (code, _, _) = ws.run(&["mv", "group.oncall", "group.payments-oncall"]);
    assert_eq!(code, 0);
    let state = ws.file().read().unwrap().unwrap();
    assert_eq!(
        state.resources[&"group.payments-oncall".parse().unwrap()]
            .id
            .as_deref(),
        Some("cid-1")
    );
    assert!(
        !state
            .resources
            .contains_key(&"group.oncall".parse().unwrap())
    );
}

#[test]
fn mv_refuses_a_taken_address_and_a_change_of_kind() {
    let ws = Ws::new();
    let before = ws.text();
    let kind = ws.run_full(&["mv", "bot.alerts", "group.oncall"]);
    crate::assert_filtered_snapshot!("mv_changes_kind", kind.snapshot());
    let taken = ws.run_full(&["mv", "group.oncall", "group.oncall"]);
    crate::assert_filtered_snapshot!("mv_to_taken_address", taken.snapshot());
    assert_eq!(ws.text(), before);
}

#[test]
fn a_state_file_edited_into_invalid_json_is_reported_with_its_position() {
    let ws = Ws::new();
    assert_eq!(
        ws.run(&["mv", "bot.alerts", "bot.alert-bot"]).0,
        0,
        "a second write keeps a backup"
    );
    std::fs::write(ws.file().path(), "{\n  \"version\": 1,\n  oops\n").unwrap();
    let backup_before = std::fs::read(ws.file().backup_path()).unwrap();
    let runs: Vec<String> = [&["list"][..], &["rm", "group.oncall"]]
        .iter()
        .map(|args| {
            format!(
                "--- state {}\n{}",
                args.join(" "),
                ws.run_full(args).snapshot()
            )
        })
        .collect();
    crate::assert_filtered_snapshot!("invalid_json_position", runs.join("\n"));
    assert_eq!(ws.text(), "{\n  \"version\": 1,\n  oops\n");
    assert_eq!(
        std::fs::read(ws.file().backup_path()).unwrap(),
        backup_before,
        "the backup is intact"
    );
}

#[test]
fn a_state_of_an_unknown_version_is_refused() {
    let ws = Ws::new();
    std::fs::write(
        ws.file().path(),
        r#"{"version": 7, "serial": 1, "lineage": "x"}"#,
    )
    .unwrap();
    let run = ws.run_full(&["list"]);
    crate::assert_filtered_snapshot!("unknown_version", run.snapshot());
}

#[test]
fn a_change_while_another_run_holds_the_lock_is_refused_naming_it() {
    let ws = Ws::new();
    let _held = ws.file().lock("apply", Duration::ZERO).unwrap();
    let before = ws.text();
    // Named: this test's process, taking it for `apply`.
    let run = ws.run_full(&["rm", "group.oncall"]);
    crate::assert_filtered_snapshot!(
        "lock_held",
        run.snapshot()
            .replace(&format!("pid {}", std::process::id()), "pid [TEST PID]")
    );
    assert_eq!(ws.text(), before);
}
