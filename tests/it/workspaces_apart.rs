//! Two workspaces of one organization that declare the same address mean two groups (#18):
//! each workspace's creation uuids carry its state's lineage, so the second one's create is
//! never answered with the first one's group (which it would then rewrite, for ever).

use crate::common::{EmulatorProcess, Workspace};

fn ops(title: &str, member: &str) -> String {
    format!(
        "groups:\n  ops: {{title: {title}, type: scene, owner: manager4220, members: [{member}]}}\n"
    )
}

fn live_members(emulator: &EmulatorProcess, title: &str) -> Vec<String> {
    let group = emulator
        .groups()
        .into_iter()
        .find(|g| g["title"] == title)
        .unwrap_or_else(|| panic!("no live group {title}"));
    let mut members: Vec<String> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    members.sort();
    members
}

fn planned_uuid(workspace: &Workspace, emulator: &EmulatorProcess) -> String {
    let plan = workspace.run(emulator, &["plan", "--format", "json"]);
    plan.expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    plan["changes"][0]["after"]["uuid"]
        .as_str()
        .unwrap_or_else(|| panic!("no creation uuid: {plan:#}"))
        .to_owned()
}

#[test]
fn two_workspaces_declaring_the_same_address_each_make_their_own_group_and_both_converge() {
    let emulator = EmulatorProcess::fresh();
    let payments = Workspace::with_files(&[("groups.yaml", &ops("Payments Ops", "u1001"))]);
    let platform = Workspace::with_files(&[("groups.yaml", &ops("Platform Ops", "u1003"))]);

    // Before anything is written, each workspace shows the uuid its apply will send, the same
    // on every plan, and not the other workspace's.
    let (payments_uuid, platform_uuid) = (
        planned_uuid(&payments, &emulator),
        planned_uuid(&platform, &emulator),
    );
    assert_eq!(payments_uuid, planned_uuid(&payments, &emulator));
    assert_ne!(payments_uuid, platform_uuid);

    payments.run(&emulator, &["apply", "--yes"]).expect_code(0);
    platform.run(&emulator, &["apply", "--yes"]).expect_code(0);

    assert_eq!(emulator.titles(), ["Payments Ops", "Platform Ops"]);
    let id = |ws: &Workspace| ws.state()["resources"]["group.ops"]["id"].clone();
    assert_ne!(id(&payments), id(&platform), "one group each");
    let sent: Vec<serde_json::Value> = emulator
        .groups()
        .iter()
        .map(|g| g["uuid"].clone())
        .collect();
    assert!(sent.contains(&payments_uuid.clone().into()), "{sent:?}");
    assert!(sent.contains(&platform_uuid.clone().into()), "{sent:?}");
    assert_eq!(
        live_members(&emulator, "Payments Ops"),
        ["manager4220", "u1001"]
    );
    assert_eq!(
        live_members(&emulator, "Platform Ops"),
        ["manager4220", "u1003"]
    );

    // Neither fights the other: both plans are empty, now and after the other applies again.
    for _ in 0..2 {
        for workspace in [&payments, &platform] {
            workspace
                .run(&emulator, &["plan", "--detailed-exitcode"])
                .expect_code(0);
            workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
        }
    }
    assert_eq!(emulator.titles(), ["Payments Ops", "Platform Ops"]);
}

#[test]
fn a_workspace_planned_by_another_path_to_it_shows_the_same_creation_uuids() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &ops("Payments Ops", "u1001"))]);
    let inside = planned_uuid(&workspace, &emulator);
    // The same directory named from its parent: the same workspace, the same uuids.
    let parent = workspace.path().parent().unwrap();
    let name = workspace.path().file_name().unwrap().to_str().unwrap();
    let output = workspace
        .command(&emulator, &["plan", name, "--format", "json"])
        .current_dir(parent)
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["changes"][0]["after"]["uuid"], inside.as_str());
}

#[test]
fn a_workspace_whose_state_file_was_lost_gets_its_own_groups_back_not_second_ones() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &ops("Payments Ops", "u1001"))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let id = workspace.state()["resources"]["group.ops"]["id"].clone();

    // The state is lost; the workspace is where it was, so its first lineage is the same.
    std::fs::remove_dir_all(workspace.path().join(".dingform")).unwrap();
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert_eq!(emulator.titles(), ["Payments Ops"], "no second group");
    assert_eq!(workspace.state()["resources"]["group.ops"]["id"], id);
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}
