//! A bot renamed in the manifests is renamed in DingTalk only in the Developer Console (#18):
//! the manual step stays in every plan until the plan sees the new name in one of the bot's
//! groups, or, for a bot in no group, until `dingform state done` says it is done.

use crate::common::{EmulatorProcess, Run, Workspace};

fn manifest(name: &str, in_group: bool) -> String {
    let mut yaml = format!("bots:\n  alerts: {{robot_code: dingbot-alerts, name: {name}}}\n");
    if in_group {
        yaml.push_str(
            "groups:\n  payments: {title: Payments, type: scene, owner: manager4220, members: [u1001], bots: [alerts]}\n",
        );
    }
    yaml
}

/// The findings of rule `bot-rename-test-group` in a JSON plan.
fn rename_steps(workspace: &Workspace, emulator: &EmulatorProcess) -> Vec<serde_json::Value> {
    let run = workspace.run(
        emulator,
        &["plan", "--format", "json", "--detailed-exitcode"],
    );
    run.expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "bot-rename-test-group")
        .cloned()
        .collect()
}

/// A person renames the bot in the Developer Console.
fn rename_in_console(emulator: &EmulatorProcess, name: &str) {
    emulator.admin_post(
        "bots",
        serde_json::json!({"robot_code": "dingbot-alerts", "name": name}),
    );
}

fn human_plan(workspace: &Workspace, emulator: &EmulatorProcess) -> Run {
    let run = workspace.run(emulator, &["plan"]);
    run.expect_code(0);
    run
}

#[test]
fn a_bot_rename_stays_a_manual_step_until_its_groups_show_the_new_name() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("dingform-bots.yaml", &manifest("Alert Bot", true))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert!(rename_steps(&workspace, &emulator).is_empty());

    workspace.write("dingform-bots.yaml", &manifest("Alerts", true));
    let apply = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("rename_applied_still_to_do", apply.snapshot());

    // Applied, but not done: every plan says so, with what DingTalk still shows.
    for _ in 0..2 {
        let steps = rename_steps(&workspace, &emulator);
        assert_eq!(steps.len(), 1, "{steps:?}");
        assert_eq!(steps[0]["severity"], "manual");
        assert_eq!(steps[0]["address"], "bot.alerts");
        assert!(
            steps[0]["message"]
                .as_str()
                .unwrap()
                .contains("still shows it as `Alert Bot`"),
            "{steps:?}"
        );
        let human = human_plan(&workspace, &emulator).text();
        assert!(
            !human.contains("No changes. DingTalk matches the manifests."),
            "{human}"
        );
        assert!(human.contains("but for the manual steps"), "{human}");
    }
    let apply = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("rename_applied_again", apply.snapshot());

    rename_in_console(&emulator, "Alerts");
    assert!(rename_steps(&workspace, &emulator).is_empty());
    assert!(
        human_plan(&workspace, &emulator)
            .text()
            .contains("No changes. DingTalk matches the manifests.")
    );
}

#[test]
fn a_renamed_bot_in_no_group_stays_manual_until_state_done_says_it_is_done() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("dingform-bots.yaml", &manifest("Alert Bot", false))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    workspace.write("dingform-bots.yaml", &manifest("Alerts", false));
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);

    let steps = rename_steps(&workspace, &emulator);
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(
        steps[0]["help"]
            .as_str()
            .unwrap()
            .contains("dingform state done bot.alerts"),
        "{steps:?}"
    );
    assert!(
        !rename_steps(&workspace, &emulator).is_empty(),
        "still there"
    );

    let done = workspace.run(&emulator, &["state", "done", "bot.alerts"]);
    crate::assert_filtered_snapshot!("state_done", done.snapshot());
    assert!(rename_steps(&workspace, &emulator).is_empty());

    let again = workspace.run(&emulator, &["state", "done", "bot.alerts"]);
    crate::assert_filtered_snapshot!("state_done_again", again.snapshot());
}

#[test]
fn renaming_a_bot_back_before_the_console_step_leaves_nothing_to_do() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("dingform-bots.yaml", &manifest("Alert Bot", false))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    workspace.write("dingform-bots.yaml", &manifest("Alerts", false));
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    workspace.write("dingform-bots.yaml", &manifest("Alert Bot", false));
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert!(rename_steps(&workspace, &emulator).is_empty());
    assert!(
        workspace.state()["resources"]["bot.alerts"]
            .get("observed")
            .is_none(),
        "{}",
        workspace.state()
    );
}
