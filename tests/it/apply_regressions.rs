//! Sequences of edits that once broke apply, each kept as a regression test (#18).

use crate::common::{EmulatorProcess, Workspace};

fn live_group(emulator: &EmulatorProcess, title: &str) -> serde_json::Value {
    emulator
        .groups()
        .into_iter()
        .find(|g| g["title"] == title)
        .unwrap_or_else(|| panic!("no live group {title}"))
}

#[test]
fn someone_removed_from_a_standard_groups_admins_and_members_in_one_change_converges() {
    let emulator = EmulatorProcess::fresh();
    let before = "groups:\n  operations:\n    title: Operations\n    type: standard\n    owner: u1005\n    admins: [u1006]\n    members: [u1006, u1007]\n";
    let workspace = Workspace::with_files(&[("groups.yaml", before)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);

    // u1006 stops being an admin and leaves the group in the same edit: the platform refuses
    // to demote someone who is no longer a member, so the demotion must come first.
    workspace.write(
        "groups.yaml",
        &before
            .replace("    admins: [u1006]\n", "")
            .replace("u1006, ", ""),
    );
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    run.expect_code(0);
    let live = live_group(&emulator, "Operations");
    assert!(!live["members"].to_string().contains("u1006"), "{live}");
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn a_bot_added_to_a_group_outside_dingform_is_removed_by_the_next_apply() {
    let emulator = EmulatorProcess::fresh();
    let groups = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n  payments: {title: Payments, type: scene, owner: manager4220, members: [u1001]}\n";
    let workspace = Workspace::with_files(&[("groups.yaml", groups)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let id = workspace.id_of("group.payments");

    // Someone adds the bot in the client: the state has no chatBotUserId for it.
    let added = emulator.api(
        "/v1.0/im/conversations/robots",
        serde_json::json!({"openConversationId": id, "robotCode": "dingbot-alerts"}),
    );
    assert!(added["chatBotUserId"].is_string(), "{added}");
    assert_eq!(
        live_group(&emulator, "Payments")["bots"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let run = workspace.run(&emulator, &["apply", "--yes"]);
    run.expect_code(0);
    let live = live_group(&emulator, "Payments");
    assert_eq!(live["bots"].as_array().unwrap().len(), 0, "{live}");
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn prevent_destroy_stops_a_replace_as_it_stops_a_delete() {
    let emulator = EmulatorProcess::fresh();
    let groups = "groups:\n  vault:\n    title: Vault\n    type: scene\n    template: tpl-default\n    owner: manager4220\n    members: [u1001]\n    prevent_destroy: true\n";
    let workspace = Workspace::with_files(&[("groups.yaml", groups)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let id = workspace.state()["resources"]["group.vault"]["id"].clone();

    for edit in [
        groups.replace("tpl-default", "tpl-oncall"),
        groups
            .replace("type: scene", "type: standard")
            .replace("    template: tpl-default\n", ""),
    ] {
        workspace.write("groups.yaml", &edit);
        let plan = workspace.run(&emulator, &["plan", "--format", "json"]);
        plan.expect_code(1);
        let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
        let finding = plan["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "prevent-destroy")
            .unwrap_or_else(|| panic!("no prevent-destroy finding: {plan:#}"));
        assert_eq!(finding["line"], 4, "at the group's type: {finding}");
        let change = &plan["changes"][0];
        assert_eq!(change["action"], "replace", "{change}");
        assert!(
            change
                .to_string()
                .contains("2 members lose the chat history"),
            "{change}"
        );

        workspace.run(&emulator, &["apply", "--yes"]).expect_code(1);
        assert_eq!(workspace.state()["resources"]["group.vault"]["id"], id);
        assert_eq!(
            emulator.titles(),
            ["Vault"],
            "the group was never disbanded"
        );
    }
}
