//! `apply PLANFILE` does what was reviewed, where it is run, or refuses saying why (#18): an
//! edited plan file is refused (the fingerprints cover the world, not the plan's own changes);
//! a plan carried to another checkout acts on that checkout and says so; and a stale plan names
//! what moved: the manifest file, the state's serial, the group on DingTalk.

use std::path::Path;

use crate::common::{EmulatorProcess, Run, Workspace};

const OPS: &str =
    "groups:\n  ops: {title: Ops, type: scene, owner: manager4220, members: [u1001]}\n";

fn with_member(member: &str) -> String {
    OPS.replace("[u1001]", &format!("[u1001, {member}]"))
}

/// A workspace whose group is applied, with `u1002` added in the manifests since.
fn applied(emulator: &EmulatorProcess) -> Workspace {
    let workspace = Workspace::with_files(&[("groups.yaml", OPS)]);
    workspace.run(emulator, &["apply", "--yes"]).expect_code(0);
    workspace.write("groups.yaml", &with_member("u1002"));
    workspace
}

fn live_members(emulator: &EmulatorProcess) -> String {
    let groups = emulator.groups();
    let group = groups.iter().find(|g| g["title"] == "Ops").expect("Ops");
    group["members"].to_string()
}

fn plan_to(workspace: &Workspace, emulator: &EmulatorProcess, file: &Path) {
    workspace
        .run(emulator, &["plan", "-o", file.to_str().unwrap()])
        .expect_code(0);
}

/// A run's snapshot with the real (canonical) paths of these workspaces named, so a snapshot
/// tells one checkout from another (the filters would make both `[TMP]`).
fn naming(run: &Run, workspaces: &[(&Path, &str)]) -> String {
    let mut text = run.snapshot();
    for (path, name) in workspaces {
        let real = std::fs::canonicalize(path).unwrap().display().to_string();
        text = text.replace(&real, name);
    }
    text
}

#[test]
fn an_edited_plan_file_is_refused_and_nothing_is_applied() {
    let emulator = EmulatorProcess::fresh();
    let workspace = applied(&emulator);
    let file = workspace.path().join("plan.json");
    plan_to(&workspace, &emulator, &file);

    // Someone changes who is added, in the file itself: the world's fingerprints still match.
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("u1002"));
    std::fs::write(&file, text.replace("u1002", "u1003")).unwrap();
    let run = workspace.run(&emulator, &["apply", "plan.json", "--yes"]);
    crate::assert_filtered_snapshot!("edited_plan_file", run.snapshot());
    let members = live_members(&emulator);
    assert!(
        !members.contains("u1003") && !members.contains("u1002"),
        "{members}"
    );

    // The file as written applies.
    plan_to(&workspace, &emulator, &file);
    workspace
        .run(&emulator, &["apply", "plan.json", "--yes"])
        .expect_code(0);
    assert!(live_members(&emulator).contains("u1002"));
}

#[test]
fn a_plan_file_applied_from_another_checkout_acts_on_that_checkout_and_says_so() {
    let emulator = EmulatorProcess::fresh();
    let first = applied(&emulator);
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("plan.json");
    plan_to(&first, &emulator, &file);

    // A second checkout of the same workspace, with the same state (as a shared store gives).
    let second = Workspace::with_files(&[("groups.yaml", &with_member("u1002"))]);
    std::fs::create_dir_all(second.state_path().parent().unwrap()).unwrap();
    std::fs::copy(first.state_path(), second.state_path()).unwrap();
    let serial = |ws: &Workspace| ws.state()["serial"].as_u64().unwrap();
    let (first_serial, second_serial) = (serial(&first), serial(&second));

    let run = second.run(&emulator, &["apply", file.to_str().unwrap(), "--yes"]);
    run.expect_code(0);
    crate::assert_filtered_snapshot!(
        "applied_from_another_checkout",
        naming(
            &run,
            &[
                (second.path(), "[SECOND CHECKOUT]"),
                (first.path(), "[FIRST CHECKOUT]")
            ]
        )
    );
    assert!(
        serial(&second) > second_serial,
        "the current checkout's state moved"
    );
    assert_eq!(
        serial(&first),
        first_serial,
        "the first checkout was left alone"
    );
    assert!(live_members(&emulator).contains("u1002"));
}

#[test]
fn a_plan_file_names_the_workspace_it_applies_to_when_it_was_made_there() {
    let emulator = EmulatorProcess::fresh();
    let workspace = applied(&emulator);
    plan_to(&workspace, &emulator, &workspace.path().join("plan.json"));
    let run = workspace.run(&emulator, &["apply", "plan.json", "--yes"]);
    crate::assert_filtered_snapshot!(
        "applied_where_made",
        naming(&run, &[(workspace.path(), "[WORKSPACE]")])
    );
}

#[test]
fn a_stale_plan_file_names_the_manifest_file_that_changed() {
    let emulator = EmulatorProcess::fresh();
    let workspace = applied(&emulator);
    workspace.write(
        "other.yaml",
        "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\n",
    );
    plan_to(&workspace, &emulator, &workspace.path().join("plan.json"));
    workspace.write("groups.yaml", &with_member("u1003"));
    // Only what moved: groups.yaml, not other.yaml.
    let run = workspace.run(&emulator, &["apply", "plan.json", "--yes"]);
    crate::assert_filtered_snapshot!("stale_manifest_file", run.snapshot());
}

#[test]
fn a_stale_plan_file_names_the_state_serials() {
    let emulator = EmulatorProcess::fresh();
    let workspace = applied(&emulator);
    plan_to(&workspace, &emulator, &workspace.path().join("plan.json"));
    let serial = workspace.state()["serial"].as_u64().unwrap();
    // Another run changes the state and changes it back: same contents, a later serial.
    for (from, to) in [("group.ops", "group.ops2"), ("group.ops2", "group.ops")] {
        workspace
            .run(&emulator, &["state", "mv", from, to])
            .expect_code(0);
    }
    // Only what moved: the serials, not the manifests.
    let run = workspace.run(&emulator, &["apply", "plan.json", "--yes"]);
    assert_eq!(serial, 2, "the snapshot's serials: 2 when planned, 4 now");
    crate::assert_filtered_snapshot!("stale_state_serials", run.snapshot());
}

#[test]
fn a_stale_plan_file_names_the_group_that_changed_on_dingtalk() {
    let emulator = EmulatorProcess::fresh();
    let workspace = applied(&emulator);
    plan_to(&workspace, &emulator, &workspace.path().join("plan.json"));
    // Someone adds a bot to the group in the client.
    let id = workspace.id_of("group.ops");
    emulator.api(
        "/v1.0/im/conversations/robots",
        serde_json::json!({"openConversationId": id, "robotCode": "dingbot-alerts"}),
    );
    // Only what moved: the live group, not the state.
    let run = workspace.run(&emulator, &["apply", "plan.json", "--yes"]);
    crate::assert_filtered_snapshot!("stale_live_group", run.snapshot());
}

#[test]
fn a_plan_file_run_from_outside_any_workspace_applies_where_it_was_made_and_says_so() {
    let emulator = EmulatorProcess::fresh();
    let workspace = applied(&emulator);
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("plan.json");
    plan_to(&workspace, &emulator, &file);

    // Run from a directory that is no workspace: the one it was made in, said so.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut command = workspace.command(&emulator, &["apply", file.to_str().unwrap(), "--yes"]);
    command.current_dir(elsewhere.path());
    let run = crate::common::workspace::finish(command);
    crate::assert_filtered_snapshot!(
        "applied_from_outside",
        naming(&run, &[(workspace.path(), "[WORKSPACE]")])
    );
    assert!(live_members(&emulator).contains("u1002"));

    // Once that directory is no workspace either, it is refused, saying what to do.
    std::fs::remove_file(workspace.path().join("dingform.yaml")).unwrap();
    let mut command = workspace.command(&emulator, &["apply", file.to_str().unwrap(), "--yes"]);
    command.current_dir(elsewhere.path());
    let run = crate::common::workspace::finish(command);
    crate::assert_filtered_snapshot!("applied_from_nowhere", run.snapshot());
}
