//! Changing the manifests without losing a group: `moved` and `removed` blocks, end to end
//! against the emulator (apply first, then refactor, then plan and apply again).

use crate::common::*;
use crate::plan_support::*;

const SETTINGS_AND_BOT: &str = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\n";

fn group(name: &str, title: &str) -> String {
    format!(
        "groups:\n  {name}:\n    title: {title}\n    type: scene\n    owner: manager4220\n    members: [u1001]\n    bots: [alerts]\n"
    )
}

fn applied(emu: &Emu, manifest: &str) -> Workspace {
    let ws = Workspace::new()
        .file("bots.yaml", SETTINGS_AND_BOT)
        .file("groups.yaml", manifest);
    let run = ws.run(emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    ws
}

fn group_id(ws: &Workspace, address: &str) -> Option<String> {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join(".dingform/state.json")).unwrap())
            .unwrap();
    state["resources"][address]["id"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_with_moved_is_a_move_never_a_disband_and_keeps_the_group() {
    let emu = Emu::start().await;
    let ws = applied(&emu, &group("oncall", "On-call"));
    let id = group_id(&ws, "group.oncall").expect("created");
    let ws = ws.file(
        "groups.yaml",
        format!(
            "{}moved:\n  - {{from: group.oncall, to: group.payments-oncall}}\n",
            group("payments-oncall", "On-call")
        ),
    );
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan:#}");
    let moved = change(&plan, "group.payments-oncall");
    assert_eq!(moved["action"], "move", "{plan:#}");
    assert_eq!(moved["from"], "group.oncall");
    assert_eq!(plan["summary"]["add"], 0);
    assert_eq!(plan["summary"]["destroy"], 0);
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        group_id(&ws, "group.payments-oncall"),
        Some(id),
        "the same open conversation id"
    );
    assert_eq!(group_id(&ws, "group.oncall"), None);
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "the block is harmless once applied: {plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_with_changes_moves_then_updates_and_chains_are_followed() {
    let emu = Emu::start().await;
    let ws = applied(&emu, &group("a", "Team A"));
    let ws = ws.file(
        "groups.yaml",
        format!(
            "{}moved:\n  - {{from: group.a, to: group.b}}\n  - {{from: group.b, to: group.c}}\n",
            group("c", "Team C")
        ),
    );
    let (_, plan) = plan_json(&ws, &emu, &[]);
    let moved = change(&plan, "group.c");
    assert_eq!(moved["action"], "move", "{plan:#}");
    assert_eq!(moved["from"], "group.a");
    assert_eq!(moved["fields"][0]["field"], "title");
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let titles: Vec<String> = emu.state().await["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["title"].as_str().map(str::to_owned))
        .collect();
    assert!(
        titles.contains(&"Team C".to_owned()) && !titles.contains(&"Team A".to_owned()),
        "{titles:?}"
    );
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_moved_blocks_are_errors_at_their_line() {
    let emu = Emu::start().await;
    let ws = applied(
        &emu,
        &format!(
            "{}  other:\n    title: Other\n    type: scene\n    owner: manager4220\n",
            group("a", "Team A")
        ),
    );
    let cases = [
        (
            format!(
                "{}moved:\n  - {{from: group.a, to: group.a}}\n",
                group("a", "Team A")
            ),
            "moved-from-declared",
        ),
        (
            format!(
                "{}moved:\n  - {{from: group.a, to: group.other}}\n",
                group("other", "Other")
            ),
            "moved-target-taken",
        ),
        (
            format!(
                "{}moved:\n  - {{from: group.a, to: group.b}}\n  - {{from: group.b, to: group.a}}\n",
                group("x", "X")
            ),
            "moved-cycle",
        ),
    ];
    for (manifest, rule) in cases {
        std::fs::write(ws.join("groups.yaml"), &manifest).unwrap();
        let (code, plan) = plan_json(&ws, &emu, &["--allow-mass-delete"]);
        assert_eq!(code, 1, "{rule}: {plan:#}");
        let found = findings(&plan, rule);
        assert_eq!(found.len(), 1, "{rule}: {plan:#}");
        assert_eq!(found[0]["file"], "groups.yaml");
        assert!(found[0]["line"].as_u64().unwrap() > 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_block_forgets_the_group_without_disbanding_it() {
    let emu = Emu::start().await;
    let ws = applied(&emu, &group("oncall", "On-call"));
    let ws = ws.file("groups.yaml", "removed:\n  - {from: group.oncall}\n");
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(
        change(&plan, "group.oncall")["action"],
        "forget",
        "{plan:#}"
    );
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(group_id(&ws, "group.oncall"), None);
    let live = emu.state().await;
    let group = live["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["title"] == "On-call")
        .expect("still there");
    assert_ne!(group["active"], false, "not disbanded: {group}");
}
