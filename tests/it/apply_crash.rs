//! Crash safety and convergence: kill -9 an apply in the middle, or inject platform errors,
//! and the next applies finish the job with every group made exactly once.

use std::time::Duration;

use crate::common::wait::until;
use crate::common::{EmulatorProcess, Workspace, scene_groups};
use serde_json::{Value, json};

fn serial(state: &Value) -> u64 {
    state["serial"].as_u64().unwrap_or(0)
}

fn groups_with_ids(state: &Value) -> usize {
    state["resources"].as_object().map_or(0, |resources| {
        resources
            .iter()
            .filter(|(address, entry)| address.starts_with("group.") && entry["id"].is_string())
            .count()
    })
}

fn assert_each_group_once(emulator: &EmulatorProcess, expected: &[String]) {
    assert_eq!(
        emulator.titles(),
        expected,
        "every group exists exactly once"
    );
}

#[test]
fn kill_9_in_the_middle_of_an_apply_then_apply_again_makes_each_group_once() {
    const GROUPS: usize = 20;
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &scene_groups(GROUPS))]);
    emulator.faults(json!({"latency_ms": 150}));

    let mut apply = workspace
        .command(&emulator, &["apply", "--yes", "--concurrency", "4"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for progress on disk: the intents, then at least two batches of answers.
    until(
        "the apply's progress in state",
        Duration::from_secs(60),
        || {
            assert!(
                apply.try_wait().unwrap().is_none(),
                "the apply ended before it could be killed"
            );
            serial(&workspace.state()) >= 3
        },
    );
    let at_kill = workspace.state();
    apply.kill().unwrap(); // SIGKILL
    apply.wait().unwrap();
    let after_kill = workspace.state();
    let pending = after_kill["resources"].as_object().map_or(0, |r| {
        r.values()
            .filter(|e| e["id"].is_null() && e["creation_uuid"].is_string())
            .count()
    });
    assert!(
        pending > 0,
        "creates were in flight at the kill, their intents on disk: {after_kill}"
    );
    let made_before_kill = groups_with_ids(&at_kill);
    assert!(
        made_before_kill < GROUPS,
        "killed in the middle, not after the end ({made_before_kill} of {GROUPS} recorded)"
    );

    emulator.faults(json!({}));
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let expected: Vec<String> = (0..GROUPS).map(|i| format!("Group {i:03}")).collect();
    assert_each_group_once(&emulator, &expected);
    assert_eq!(groups_with_ids(&workspace.state()), GROUPS);
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn with_30_percent_platform_errors_repeated_applies_converge_without_duplicates() {
    let emulator = EmulatorProcess::fresh();
    let mut manifests = scene_groups(8);
    manifests.push_str(
        "  ops: {title: Operations, type: standard, owner: u1005, members: [u1006]}\n  \
         sales: {title: Sales Floor, type: standard, owner: u1007, members: [u1008]}\n",
    );
    let workspace = Workspace::with_files(&[("groups.yaml", &manifests)]);
    emulator.faults(json!({"error_rate": 0.3}));
    let mut attempts = 0;
    loop {
        attempts += 1;
        let run = workspace.run(&emulator, &["apply", "--yes"]);
        if run.code == 0 {
            break;
        }
        let text = run.text();
        assert!(
            !text.contains("create-unverified"),
            "a refused create is known not to have made anything: {text}"
        );
        assert!(
            attempts < 15,
            "no convergence after {attempts} applies:\n{text}"
        );
    }
    emulator.faults(json!({}));
    let mut expected: Vec<String> = (0..8).map(|i| format!("Group {i:03}")).collect();
    expected.extend(["Operations".to_owned(), "Sales Floor".to_owned()]);
    expected.sort();
    assert_each_group_once(&emulator, &expected);
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn kill_9_while_applying_renames_then_apply_again_keeps_every_group_once() {
    const GROUPS: usize = 10;
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &scene_groups(GROUPS))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let ids = |state: &Value, prefix: &str| -> Vec<String> {
        (0..GROUPS)
            .filter_map(|i| {
                state["resources"][format!("group.{prefix}{i:03}")]["id"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    };
    let before = ids(&workspace.state(), "g");
    assert_eq!(before.len(), GROUPS);

    // Rename every group (moved blocks) and retitle it, so each move is a state step then an
    // update request; slow answers leave room to kill the apply between the two.
    let mut renamed =
        String::from("bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n");
    let mut moved = String::from("moved:\n");
    for i in 0..GROUPS {
        renamed.push_str(&format!(
            "  team{i:03}: {{title: Team {i:03}, type: scene, owner: manager4220, members: [u1001], bots: [alerts]}}\n"
        ));
        moved.push_str(&format!(
            "  - {{from: group.g{i:03}, to: group.team{i:03}}}\n"
        ));
    }
    workspace.write("groups.yaml", &format!("{renamed}{moved}"));
    emulator.faults(json!({"latency_ms": 200}));
    let start_serial = serial(&workspace.state());
    let mut apply = workspace
        .command(&emulator, &["apply", "--yes", "--concurrency", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    until(
        "the apply's first recorded step",
        Duration::from_secs(60),
        || {
            assert!(
                apply.try_wait().unwrap().is_none(),
                "the apply ended before it could be killed"
            );
            serial(&workspace.state()) > start_serial
        },
    );
    apply.kill().unwrap(); // SIGKILL
    apply.wait().unwrap();
    emulator.faults(json!({}));
    let titles_at_kill = emulator.titles();
    assert!(
        titles_at_kill.iter().any(|t| t.starts_with("Group ")),
        "killed before every retitle went out: {titles_at_kill:?}"
    );

    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let expected: Vec<String> = (0..GROUPS).map(|i| format!("Team {i:03}")).collect();
    assert_each_group_once(&emulator, &expected);
    assert_eq!(
        ids(&workspace.state(), "team"),
        before,
        "the same groups, under their new names"
    );
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}
