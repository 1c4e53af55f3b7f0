//! `dingform apply` end to end: the real binary against the real emulator binary over HTTP.

use crate::common::fixtures::payments_manifest;
use crate::common::{APP_SECRET, EmulatorProcess, Workspace};
use serde_json::json;

/// Two groups, one with a bot, admins, settings and a plugin, and a notification through it.
fn groups() -> String {
    payments_manifest(
        "    admins: [u1001]
    members: [u1001, u1002]
    settings: {searchable: false, mention_all: admins}
    bots: [alerts]
    plugins: [{name: 手册, url: 'https://runbooks.example/payments'}]
",
        "  operations:
    title: Operations
    type: standard
    owner: u1005
    admins: [u1006]
    members: [u1006]
    settings: {searchable: true}
",
    )
}

fn setup() -> (EmulatorProcess, Workspace) {
    (
        EmulatorProcess::fresh(),
        Workspace::with_files(&[("groups.yaml", &groups())]),
    )
}

#[test]
fn apply_makes_everything_records_it_and_the_next_plan_is_empty() {
    let (emulator, workspace) = setup();
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_everything", run.snapshot_unordered_stderr());
    assert_eq!(emulator.titles(), ["Operations", "Payments On-call"]);
    let state = workspace.state();
    let payments = &state["resources"]["group.payments"];
    let id = payments["id"].as_str().expect("the group's id is recorded");
    let live = emulator
        .groups()
        .into_iter()
        .find(|g| g["title"] == "Payments On-call")
        .unwrap();
    assert_eq!(live["open_conversation_id"], id);
    assert!(payments["ids"]["chat_id"].is_string());
    assert!(
        payments["ids"]["bot:dingbot-alerts"].is_string(),
        "the bot's chatBotUserId is kept to remove it later: {payments}"
    );
    assert!(payments["observed"]["group_url"].is_string());
    assert!(payments["observed"]["group_url_since"].is_string());
    assert!(state["resources"]["group.operations"]["ids"]["chat_id"].is_string());
    assert_eq!(
        state["resources"]["notification.standup"]["attributes"]["schedule"], "0 9 * * 1-5",
        "scheduled notifications are registered in state for the runner"
    );
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn the_app_secret_never_appears_in_state_or_output() {
    let (emulator, workspace) = setup();
    let mut output = workspace.run(&emulator, &["apply", "--yes", "-vv"]).text();
    output += &workspace
        .run(&emulator, &["plan", "--format", "json"])
        .text();
    let state = std::fs::read_to_string(workspace.state_path()).unwrap();
    assert!(state.contains("group.payments"), "the apply ran: {output}");
    assert!(!output.contains(APP_SECRET), "secret in output:\n{output}");
    assert!(!state.contains(APP_SECRET), "secret in state");
}

#[test]
fn updates_and_deletes_reach_the_platform_and_leave_an_empty_plan() {
    let (emulator, workspace) = setup();
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let changed = groups()
        .replace("title: Payments On-call", "title: Payments Duty")
        .replace("members: [u1001, u1002]", "members: [u1001, u1003]")
        .replace("    bots: [alerts]\n", "    bots: []\n")
        // A bot that leaves the group can no longer post there (`bot-not-in-group`).
        .replace(
            "via: {bot: alerts, group: payments}",
            "via: {work_notification: {users: [u1001]}}",
        );
    workspace.write("groups.yaml", &changed);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let live = emulator
        .groups()
        .into_iter()
        .find(|g| g["title"] == "Payments Duty")
        .expect("renamed");
    let members = live["members"].to_string();
    assert!(
        members.contains("u1003") && !members.contains("u1002"),
        "{members}"
    );
    assert_eq!(live["bots"].as_array().map_or(0, Vec::len), 0, "{live}");
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);

    // Dropping the scene group from the manifests disbands it.
    let without = changed.replace("  payments:\n", "  payments-gone:\n");
    let without = without.replace("group: payments}", "group: payments-gone}");
    workspace.write("groups.yaml", &without);
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_disbands", run.snapshot_unordered_stderr());
    assert_eq!(emulator.titles(), ["Operations", "Payments Duty"]);
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn an_ordinary_group_cannot_be_deleted_and_the_plan_says_so_before_apply() {
    let (emulator, workspace) = setup();
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let without = groups().replace("  operations:\n", "  operations-renamed:\n");
    workspace.write("groups.yaml", &without);
    // delete-unsupported, and the `removed` block to write with the group's own address.
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_delete_unsupported", run.snapshot());
    assert_eq!(emulator.titles(), ["Operations", "Payments On-call"]);
}

#[test]
fn without_yes_apply_refuses_when_stdin_is_not_a_terminal() {
    let (emulator, workspace) = setup();
    let run = workspace.run(&emulator, &["apply"]);
    crate::assert_filtered_snapshot!("apply_without_yes", run.snapshot());
    assert!(emulator.titles().is_empty(), "nothing was made");
}

#[test]
fn a_held_lock_refuses_a_second_apply_and_names_the_holder() {
    let (emulator, workspace) = setup();
    let file = dingform::state::StateFile::new(workspace.state_path());
    let lock = file
        .lock("apply", std::time::Duration::ZERO)
        .expect("the test takes the lock");
    // The refusal names the holder: this test's process.
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!(
        "apply_lock_held",
        run.snapshot()
            .replace(&format!("pid {}", std::process::id()), "pid [TEST PID]")
    );
    assert!(emulator.titles().is_empty(), "nothing was made");
    drop(lock);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
}

#[test]
fn a_plan_file_is_applied_as_reviewed_or_refused_when_stale() {
    let (emulator, workspace) = setup();
    let plan = workspace.path().join("plan.json");
    let plan = plan.to_str().unwrap();
    workspace
        .run(&emulator, &["plan", "-o", plan])
        .expect_code(0);
    // The manifests move after the plan was made: refused.
    workspace.write(
        "extra.yaml",
        "groups:\n  late: {title: Late, type: scene, owner: u1001}\n",
    );
    let run = workspace.run(&emulator, &["apply", plan, "--yes"]);
    crate::assert_filtered_snapshot!("apply_stale_manifests", run.snapshot());
    assert!(emulator.titles().is_empty());
    std::fs::remove_file(workspace.path().join("extra.yaml")).unwrap();
    workspace
        .run(&emulator, &["plan", "-o", plan])
        .expect_code(0);
    workspace
        .run(&emulator, &["apply", plan, "--yes"])
        .expect_code(0);
    assert_eq!(emulator.titles(), ["Operations", "Payments On-call"]);

    // The live group moves behind dingform's back after the plan: refused.
    let changed = groups().replace("title: Payments On-call", "title: Payments Duty");
    workspace.write("groups.yaml", &changed);
    workspace
        .run(&emulator, &["plan", "-o", plan])
        .expect_code(0);
    let id = workspace.id_of("group.payments");
    let answer = emulator.api(
        "/v1.0/im/sceneGroup/update",
        json!({"open_conversation_id": id, "title": "Renamed By Hand"}),
    );
    assert_eq!(answer["success"], true, "{answer}");
    let run = workspace.run(&emulator, &["apply", plan, "--yes"]);
    crate::assert_filtered_snapshot!("apply_stale_live", run.snapshot());
    assert!(emulator.titles().contains(&"Renamed By Hand".to_owned()));
}

#[test]
fn an_interrupted_create_of_an_ordinary_group_is_an_error_finding_not_a_second_create() {
    let (emulator, workspace) = setup();
    // The intent an apply killed between request and answer leaves behind.
    let file = dingform::state::StateFile::new(workspace.state_path());
    let lock = file.lock("test", std::time::Duration::ZERO).unwrap();
    let mut state = dingform::state::State::new(Some("Test Organization Demo".into()));
    state.resources.insert(
        "group.operations".parse().unwrap(),
        dingform::state::ResourceState {
            creation_uuid: Some("interrupted".into()),
            attributes: json!({"type": "standard", "pending_create": true}),
            ..Default::default()
        },
    );
    file.write(&mut state, &lock).unwrap();
    drop(lock);
    // create-unverified, with the `dingform import group.operations` to run.
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_create_unverified", run.snapshot());
    assert!(emulator.titles().is_empty(), "nothing was sent");

    // The advice works: the group turns out to exist (made by the interrupted create), and
    // importing it replaces the unconfirmed intent.
    let made = emulator.api(
        "/v1.0/im/group/create",
        json!({"name": "Operations", "owner": "u1005", "useridlist": ["u1006"], "conversationTag": 0}),
    );
    let chat_id = made["chatid"].as_str().unwrap_or_else(|| panic!("{made}"));
    let run = workspace.run(&emulator, &["import", "group.operations", chat_id]);
    run.expect_code(0);
    let plan = workspace.run(&emulator, &["plan"]);
    crate::assert_filtered_snapshot!("plan_after_import", plan.snapshot());
}

#[test]
fn a_title_the_platform_refuses_is_an_error_finding_before_anything_is_sent() {
    let (emulator, workspace) = setup();
    workspace.write(
        "groups.yaml",
        "groups:\n  all-hands: {title: \"Test Organization Demo [Internal Group]\", type: internal, owner: manager4220}\n",
    );
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_title_length", run.snapshot());
    assert!(emulator.titles().is_empty(), "nothing was sent");
}

#[test]
fn an_unknown_owner_is_an_error_finding_before_anything_is_sent_and_the_fixed_apply_resumes() {
    // Issue 13: a typo in a name used to fail the create halfway through apply; the plan now
    // checks every name against the organization first (`unknown-user`).
    let (emulator, workspace) = setup();
    let broken = groups().replace("owner: manager4220", "owner: nobody-here");
    workspace.write("groups.yaml", &broken);
    // unknown-user, naming the user.
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_unknown_owner", run.snapshot());
    assert!(emulator.titles().is_empty(), "nothing was sent");
    workspace.write("groups.yaml", &groups());
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert_eq!(emulator.titles(), ["Operations", "Payments On-call"]);
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn prevent_destroy_and_the_mass_delete_guard_are_enforced_at_apply() {
    let emulator = EmulatorProcess::fresh();
    let three = "groups:\n  a: {title: A, type: scene, owner: u1001}\n  b: {title: B, type: scene, owner: u1001}\n  \
                 c: {title: C, type: scene, owner: u1001, prevent_destroy: true}\n";
    let workspace = Workspace::with_files(&[("groups.yaml", three)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);

    // Emptied manifests: two of three disbanded is a mass delete, and c is protected.
    workspace.write("groups.yaml", "groups: {}\n");
    let run = workspace.run(&emulator, &["apply", "--yes", "--allow-mass-delete"]);
    crate::assert_filtered_snapshot!("apply_prevent_destroy", run.snapshot());
    assert_eq!(emulator.titles(), ["A", "B", "C"]);

    workspace.write(
        "groups.yaml",
        "groups:\n  c: {title: C, type: scene, owner: u1001, prevent_destroy: true}\n",
    );
    let run = workspace.run(&emulator, &["apply", "--yes"]);
    crate::assert_filtered_snapshot!("apply_mass_delete", run.snapshot());
    assert_eq!(emulator.titles(), ["A", "B", "C"]);

    workspace
        .run(&emulator, &["apply", "--yes", "--allow-mass-delete"])
        .expect_code(0);
    assert_eq!(emulator.titles(), ["C"]);
}

#[test]
fn a_group_disbanded_outside_dingform_is_made_again_under_a_new_generation() {
    let (emulator, workspace) = setup();
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let id = workspace.id_of("group.payments");
    let answer = emulator.api(
        "/v1.0/im/chat/scenegroup/disband",
        json!({"openConversationId": id}),
    );
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(emulator.titles(), ["Operations"], "disbanded by hand");
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert_eq!(emulator.titles(), ["Operations", "Payments On-call"]);
    let entry = &workspace.state()["resources"]["group.payments"];
    assert_eq!(entry["generation"], 1);
    assert_ne!(
        entry["id"],
        id.as_str(),
        "a new group, not the disbanded one"
    );
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}
