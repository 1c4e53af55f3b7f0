//! The "(drift)" mark: a plan marks exactly what it does because DingTalk differs from what
//! dingform last applied (a member added in the client), never what the manifests changed
//! (a new title), in every renderer. The real binary against the real emulator binary.

use crate::common::{EmulatorProcess, Workspace};
use serde_json::{Value, json};

const GROUPS: &str = "groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    members: [u1001, u1002]\n";

fn applied() -> (EmulatorProcess, Workspace) {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", GROUPS)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    (emulator, workspace)
}

fn plan(emulator: &EmulatorProcess, workspace: &Workspace, format: &str) -> String {
    let run = workspace.run(emulator, &["plan", "--format", format]);
    assert_eq!(run.code, 0, "{}", run.text());
    run.stdout.clone()
}

fn oncall(plan: &Value) -> &Value {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "group.oncall")
        .expect("group.oncall is planned")
}

/// Someone adds u1003 to the group in the DingTalk client.
fn add_member_in_the_client(emulator: &EmulatorProcess, workspace: &Workspace) {
    let id = workspace.id_of("group.oncall");
    let answer = emulator.api(
        "/v1.0/im/sceneGroup/member/add",
        json!({"open_conversation_id": id, "user_ids": ["u1003"]}),
    );
    assert!(answer.get("code").is_none(), "{answer}");
}

#[test]
fn a_manifest_only_edit_is_not_drift() {
    let (emulator, workspace) = applied();
    workspace.write(
        "groups.yaml",
        &GROUPS.replace("On-call", "Payments On-call"),
    );
    let plan: Value = serde_json::from_str(&plan(&emulator, &workspace, "json")).unwrap();
    let change = oncall(&plan);
    assert_eq!(change["action"], "update", "{change:#}");
    assert!(!change.to_string().contains("drift"), "{change:#}");
}

#[test]
fn a_member_added_in_the_client_is_marked_as_drift_and_only_it() {
    let (emulator, workspace) = applied();
    add_member_in_the_client(&emulator, &workspace);
    // And, in the same plan, a manifest edit: a new title and a new member.
    workspace.write(
        "groups.yaml",
        &GROUPS
            .replace("On-call", "Payments On-call")
            .replace("u1002]", "u1002, u1004]"),
    );

    let json: Value = serde_json::from_str(&plan(&emulator, &workspace, "json")).unwrap();
    let change = oncall(&json);
    assert_eq!(
        change["notes"],
        json!(["changed in DingTalk since the last apply (drift): members"]),
        "{change:#}"
    );
    let members = change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "members")
        .expect("members change");
    assert_eq!(members["added"], json!(["u1004"]), "{members:#}");
    assert_eq!(members["removed"], json!(["u1003"]), "{members:#}");
    assert_eq!(
        members["reasons"],
        json!({"u1003": "added in DingTalk, not by dingform (drift)"}),
        "only the member added in the client: {members:#}"
    );

    let human = plan(&emulator, &workspace, "human");
    insta::assert_snapshot!("drift_plan_human", human);
    let markdown = plan(&emulator, &workspace, "markdown");
    crate::assert_filtered_snapshot!("drift_plan_markdown", markdown);
}

#[test]
fn a_member_removed_in_the_client_is_drift_once_and_gone_after_apply() {
    let (emulator, workspace) = applied();
    let id = workspace.id_of("group.oncall");
    emulator.api(
        "/v1.0/im/sceneGroup/member/delete",
        json!({"open_conversation_id": id, "user_ids": ["u1002"]}),
    );
    let json: Value = serde_json::from_str(&plan(&emulator, &workspace, "json")).unwrap();
    let members = oncall(&json)["fields"][0].clone();
    assert_eq!(members["added"], json!(["u1002"]), "{json:#}");
    assert_eq!(
        members["reasons"]["u1002"],
        "removed in DingTalk, not by dingform (drift)"
    );
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let after: Value = serde_json::from_str(&plan(&emulator, &workspace, "json")).unwrap();
    assert_eq!(oncall(&after)["action"], "no-op", "{after:#}");
    assert!(!after.to_string().contains("drift"), "{after:#}");
}

#[test]
fn a_bot_added_in_the_client_is_marked_as_drift() {
    let (emulator, workspace) = applied();
    // The group declares no bots, so dingform owns the list: a bot added in the client is
    // planned for removal, and that line says why.
    let id = workspace.id_of("group.oncall");
    let answer = emulator.api(
        "/v1.0/im/conversations/robots",
        json!({"openConversationId": id, "robotCode": "dingbot-alerts"}),
    );
    assert!(answer.get("code").is_none(), "{answer}");
    let json: Value = serde_json::from_str(&plan(&emulator, &workspace, "json")).unwrap();
    let change = oncall(&json);
    let bots = change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "bots")
        .unwrap_or_else(|| panic!("a bots change: {change:#}"));
    assert_eq!(bots["removed"], json!(["dingbot-alerts"]), "{bots:#}");
    assert_eq!(
        bots["reasons"]["dingbot-alerts"],
        "added in DingTalk, not by dingform (drift)"
    );
    assert_eq!(
        change["notes"],
        json!(["changed in DingTalk since the last apply (drift): bots"])
    );
}
