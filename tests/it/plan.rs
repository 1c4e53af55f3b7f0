//! `dingform plan` end to end: the real binary against the emulator over real HTTP, with state
//! written through the real state file (as apply or import would leave it).

use crate::plan_support;

use dingform::provider::prelude::*;
use dingform::state::ResourceState;
use plan_support::*;
use serde_json::json;

const GROUPS: &str = "groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    members: [u1001, u1002]\n";

fn workspace(groups: &str) -> Workspace {
    Workspace::new().file("groups.yaml", groups)
}

fn last_applied(title: &str, members: &[&str]) -> serde_json::Value {
    json!({"type": "scene", "title": title, "owner": "manager4220", "members": members})
}

/// Record `id` in state as `group.oncall`, last applied as GROUPS declares it.
fn record_oncall(ws: &Workspace, id: &str) {
    let applied = last_applied("On-call", &["manager4220", "u1001", "u1002"]);
    write_state(ws, &[("group.oncall", group_entry(id, applied))]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_workspace_plans_a_create_per_resource_and_exits_2_with_detailed_exitcode() {
    let emu = Emu::start().await;
    let ws = workspace(GROUPS);
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan:#}");
    assert_eq!(plan["format_version"], 1);
    let create = change(&plan, "group.oncall");
    assert_eq!(create["action"], "create");
    assert_eq!(
        create["after"]["members"],
        json!(["manager4220", "u1001", "u1002"])
    );
    let uuid = create["after"]["uuid"]
        .as_str()
        .expect("a creation uuid is shown");
    let (_, again) = plan_json(&ws, &emu, &[]);
    assert_eq!(
        change(&again, "group.oncall")["after"]["uuid"],
        uuid,
        "uuids are derived, not random"
    );
    assert_eq!(plan["summary"]["add"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_matching_the_manifest_is_a_no_op_and_exits_0() {
    let emu = Emu::start().await;
    let id = scene_group(&emu, "On-call", "manager4220", &["u1001", "u1002"]).await;
    let ws = workspace(GROUPS);
    record_oncall(&ws, &id);
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(change(&plan, "group.oncall")["action"], "no-op");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_made_outside_dingform_is_planned_back_field_by_field() {
    let emu = Emu::start().await;
    // Made by hand with another title and an extra member.
    let id = scene_group(&emu, "Oncall (old)", "manager4220", &["u1001", "u1003"]).await;
    let ws = workspace(GROUPS);
    record_oncall(&ws, &id);
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan:#}");
    let update = change(&plan, "group.oncall");
    assert_eq!(update["action"], "update");
    let fields = update["fields"].as_array().unwrap();
    assert!(fields.contains(&json!({"kind": "value", "field": "title", "before": "Oncall (old)", "after": "On-call"})), "{fields:#?}");
    assert!(
        fields.contains(
            &json!({"kind": "set", "field": "members", "added": ["u1002"], "removed": ["u1003"],
                "reasons": {"u1002": "removed in DingTalk, not by dingform (drift)",
                            "u1003": "added in DingTalk, not by dingform (drift)"}})
        ),
        "{fields:#?}"
    );
    assert!(update["notes"].to_string().contains("drift"), "{update:#}");
    // Renaming a group makes its join URL expire: the reviewer is told, at the title's line.
    let expiry = findings(&plan, "group-url-expiry");
    assert_eq!(expiry.len(), 1, "{plan:#}");
    assert_eq!(expiry[0]["severity"], "warning");
    assert_eq!(expiry[0]["file"], "groups.yaml");
    assert_eq!(expiry[0]["line"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn additive_members_leave_out_of_band_members_alone() {
    let emu = Emu::start().await;
    let id = scene_group(&emu, "On-call", "manager4220", &["u1001", "u1002", "u1007"]).await;
    let ws = workspace(&format!("{GROUPS}    members_policy: additive\n"));
    record_oncall(&ws, &id);
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(change(&plan, "group.oncall")["action"], "no-op");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_disbanded_outside_is_made_again_with_a_new_uuid() {
    let emu = Emu::start().await;
    let id = scene_group(&emu, "On-call", "manager4220", &["u1001", "u1002"]).await;
    emu.client()
        .disband_scene_group(&id)
        .await
        .expect("disband");
    let ws = workspace(GROUPS);
    let mut entry = group_entry(
        &id,
        last_applied("On-call", &["manager4220", "u1001", "u1002"]),
    );
    entry.creation_uuid = Some("first-uuid".into());
    write_state(&ws, &[("group.oncall", entry)]);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    let create = change(&plan, "group.oncall");
    assert_eq!(create["action"], "create", "{plan:#}");
    assert_eq!(create["after"]["generation"], 1);
    assert_ne!(create["after"]["uuid"], "first-uuid");
    assert!(create["notes"].to_string().contains("outside dingform"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_group_plans_a_disband_and_prevent_destroy_blocks_it() {
    let emu = Emu::start().await;
    let id = scene_group(&emu, "Old", "manager4220", &["u1001"]).await;
    let ws = workspace("groups: {}\n");
    let mut attributes = last_applied("Old", &["manager4220", "u1001"]);
    write_state(&ws, &[("group.old", group_entry(&id, attributes.clone()))]);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "{plan:#}");
    let delete = change(&plan, "group.old");
    assert_eq!(delete["action"], "delete");
    assert!(
        delete["notes"].to_string().contains("2 members"),
        "{delete:#}"
    );

    attributes["prevent_destroy"] = json!(true);
    write_state(&ws, &[("group.old", group_entry(&id, attributes))]);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    assert_eq!(findings(&plan, "prevent-destroy").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disbanding_most_managed_groups_needs_allow_mass_delete() {
    let emu = Emu::start().await;
    let mut entries = Vec::new();
    for name in ["a", "b", "c"] {
        let id = scene_group(&emu, name, "manager4220", &[]).await;
        entries.push((
            format!("group.{name}"),
            group_entry(&id, last_applied(name, &["manager4220"])),
        ));
    }
    let ws = workspace("groups: {}\n");
    let entries: Vec<(&str, ResourceState)> = entries
        .iter()
        .map(|(a, e)| (a.as_str(), e.clone()))
        .collect();
    write_state(&ws, &entries);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    assert_eq!(findings(&plan, "mass-delete").len(), 1);
    let (code, plan) = plan_json(&ws, &emu, &["--allow-mass-delete"]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(plan["summary"]["destroy"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_unknown_to_the_organization_is_a_manual_console_step() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file(
        "bots.yaml",
        "bots:\n  ghost: {robot_code: dingbot-nobody, name: Ghost}\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "a manual step does not block: {plan:#}");
    let manual = findings(&plan, "bot-needs-console");
    assert_eq!(manual.len(), 1, "{plan:#}");
    assert_eq!(manual[0]["severity"], "manual");
    assert_eq!(manual[0]["line"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_bot_is_an_update_with_a_manual_step() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file(
        "bots.yaml",
        "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alerts v2}\n",
    );
    let entry = ResourceState {
        id: Some("dingbot-alerts".into()),
        attributes: json!({"robot_code": "dingbot-alerts", "name": "Alert Bot"}),
        ..ResourceState::default()
    };
    write_state(&ws, &[("bot.alerts", entry)]);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(change(&plan, "bot.alerts")["action"], "update");
    assert_eq!(
        findings(&plan, "bot-rename-test-group").len(),
        1,
        "{plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_group_keeping_departed_members_is_reported() {
    let emu = Emu::start().await;
    let client = emu.client();
    let created = client
        .create_group(&dingform::provider::NewGroup {
            kind: dingform::model::live::GroupKind::Standard,
            title: "Lunch".into(),
            owner: "u1006".into(),
            members: vec!["u1006".into(), "u1002".into()],
            settings: Default::default(),
        })
        .await
        .expect("create standard group");
    emu.admin("users/u1002/leave", json!({})).await;
    let ws = workspace("groups:\n  lunch: {title: Lunch, type: standard, owner: u1006}\n");
    let mut entry = group_entry(&created.open_conversation_id, json!({"type": "standard"}));
    entry
        .ids
        .insert("chat_id".into(), created.chat_id.clone().expect("chat id"));
    write_state(&ws, &[("group.lunch", entry)]);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    let departed = findings(&plan, "standard-group-departed");
    assert_eq!(departed.len(), 1, "{plan:#}");
    assert!(departed[0]["message"].as_str().unwrap().contains("u1002"));
    let update = change(&plan, "group.lunch");
    assert!(
        update["fields"].to_string().contains("u1002"),
        "the exact policy removes them: {update:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_static_platform_error_blocks_the_plan_with_exit_1() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file(
        "n.yaml",
        "notifications:\n  review:\n    schedule: \"0 10 * * 1\"\n    via: {work_notification: {all_users: true}}\n    message:\n      oa:\n        message_url: https://example.com\n        head: {text: Review, bgcolor: FFBBBBBB}\n        status_bar: {status_value: Open, status_bg: \"0xFF78C06E\"}\n        body: {title: Weekly}\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 1, "{plan:#}");
    assert_eq!(
        findings(&plan, "oa-status-bar-recipients")[0]["severity"],
        "error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_secret_and_tokens_never_appear_in_any_output() {
    let emu = Emu::start().await;
    let id = scene_group(&emu, "Oncall (old)", "manager4220", &["u1001"]).await;
    let ws = workspace(GROUPS);
    write_state(&ws, &[("group.oncall", group_entry(&id, json!(null)))]);
    let token = emu.current_token().await;
    for args in [
        vec!["-vv", "plan"],
        vec!["plan", "--format", "json"],
        vec!["plan", "--format", "markdown", "-o", "plan.json"],
    ] {
        let run = dingform(&ws, &emu, &args);
        for output in [&run.stdout, &run.stderr] {
            assert!(!output.contains(APP_SECRET), "{args:?} leaked the secret");
            assert!(!output.contains(&token), "{args:?} leaked the token");
        }
    }
    let saved = std::fs::read_to_string(ws.join("plan.json")).unwrap();
    assert!(!saved.contains(APP_SECRET) && !saved.contains(&token));
}

#[test]
fn without_credentials_or_a_sandbox_plan_stops_with_a_clear_error() {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\ndefaults: {template: tpl-default}\n",
    )
    .file("groups.yaml", GROUPS);
    let output = assert_cmd::Command::cargo_bin("dingform")
        .unwrap()
        .current_dir(ws.path())
        .arg("plan")
        .env_remove("DINGFORM_ENDPOINT")
        .env_remove("DINGTALK_APP_KEY")
        .env_remove("DINGTALK_APP_SECRET")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DINGTALK_APP_KEY"), "{stderr}");
    assert!(stderr.contains("sandbox"), "{stderr}");
}

#[test]
fn manifests_that_do_not_load_stop_the_plan_with_their_diagnostics() {
    let ws = Workspace::new().file(
        "groups.yaml",
        "groups:\n  oncall: {title: On-call, type: scene, owner: manager4220, colour: red}\n",
    );
    let output = assert_cmd::Command::cargo_bin("dingform")
        .unwrap()
        .current_dir(ws.path())
        .arg("plan")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("groups.yaml:2:"), "{stderr}");
    assert!(stderr.contains("unknown-key"), "{stderr}");
}

const WITH_PLUGIN: &str = "groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    plugins: [{name: 手册, url: \"https://runbooks.example/a\"}]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installed_plugin_can_be_neither_edited_nor_removed() {
    let emu = Emu::start().await;
    let ws = workspace(WITH_PLUGIN);
    let run = dingform(&ws, &emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    std::fs::write(
        ws.join("groups.yaml"),
        WITH_PLUGIN.replace("runbooks.example/a", "runbooks.example/b"),
    )
    .unwrap();
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let edit = findings(&plan, "plugin-immutable");
    assert_eq!(edit.len(), 1, "{plan:#}");
    assert_eq!(edit[0]["line"], 6);
    assert!(
        edit[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be edited")
    );

    std::fs::write(ws.join("groups.yaml"), GROUPS).unwrap();
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    assert!(
        findings(&plan, "plugin-immutable")[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be deleted")
    );

    // Adding a second plugin is an install, which the platform allows.
    let two = WITH_PLUGIN.replace(
        "}]\n",
        "}, {name: 值班, url: \"https://oncall.example\"}]\n",
    );
    std::fs::write(ws.join("groups.yaml"), two).unwrap();
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "{plan:#}");
    assert!(
        change(&plan, "group.oncall")["fields"]
            .to_string()
            .contains("值班"),
        "{plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_url_seen_more_than_335_days_ago_is_about_to_expire() {
    let emu = Emu::start().await;
    let ws = workspace(GROUPS);
    let run = dingform(&ws, &emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert!(
        findings(&plan, "group-url-expiry").is_empty(),
        "a fresh URL is fine: {plan:#}"
    );

    // The URL was first seen 340 days ago (as an old state would say).
    let path = ws.join(".dingform/state.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let old = (chrono::Utc::now() - chrono::Duration::days(340)).to_rfc3339();
    state["resources"]["group.oncall"]["observed"]["group_url_since"] = json!(old);
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "a warning does not block: {plan:#}");
    let expiry = findings(&plan, "group-url-expiry");
    assert_eq!(expiry.len(), 1, "{plan:#}");
    assert!(
        expiry[0]["message"]
            .as_str()
            .unwrap()
            .contains("340 days old"),
        "{plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_limit_found_statically_is_a_finding_in_the_plan_not_a_load_error() {
    let emu = Emu::start().await;
    let ws = workspace(
        "groups:\n  oncall:\n    title: A title far longer than the thirty characters allowed\n    type: scene\n    owner: manager4220\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    assert_eq!(findings(&plan, "group-title-length").len(), 1, "{plan:#}");
    assert!(
        findings(&plan, "title-length").is_empty(),
        "reported once: {plan:#}"
    );
    assert_eq!(change(&plan, "group.oncall")["action"], "create");
}
