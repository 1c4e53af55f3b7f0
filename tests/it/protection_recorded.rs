//! `prevent_destroy` added to (or dropped from) an applied group is recorded in state (#18):
//! the plan shows it as a change of that field alone, apply records it without a request, and
//! deleting the protected group from the manifests later is refused by the plan.

use crate::common::{EmulatorProcess, Run, Workspace};

const VAULT: &str = "groups:\n  vault:\n    title: Vault\n    type: scene\n    owner: manager4220\n    members: [u1001]\n";

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.text()))
}

fn protected() -> String {
    format!("{VAULT}    prevent_destroy: true\n")
}

#[test]
fn prevent_destroy_added_to_an_applied_group_is_recorded_and_then_refuses_its_removal() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", VAULT)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);

    workspace.write("groups.yaml", &protected());
    let plan = workspace.run(
        &emulator,
        &["plan", "--format", "json", "--detailed-exitcode"],
    );
    plan.expect_code(2);
    let plan = json(&plan);
    let change = &plan["changes"][0];
    assert_eq!(change["action"], "update", "{change:#}");
    assert_eq!(
        change["fields"],
        serde_json::json!([{"kind": "value", "field": "prevent_destroy", "before": null, "after": true}]),
        "{change:#}"
    );
    assert!(
        change["notes"].to_string().contains("state only"),
        "{change:#}"
    );
    assert_eq!(plan["estimate"]["requests"], 0, "nothing is sent for it");
    let human = workspace.run(&emulator, &["plan"]);
    assert!(human.text().contains("prevent_destroy"), "{}", human.text());

    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert_eq!(
        workspace.state()["resources"]["group.vault"]["attributes"]["prevent_destroy"],
        true
    );
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);

    // Deleting the group from the manifests is now refused, and apply disbands nothing.
    workspace.write("groups.yaml", "groups: {}\n");
    let plan = workspace.run(&emulator, &["plan", "--format", "json"]);
    plan.expect_code(1);
    let plan = json(&plan);
    assert!(
        plan["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "prevent-destroy" && f["severity"] == "error"),
        "{plan:#}"
    );
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(1);
    assert_eq!(
        emulator.titles(),
        ["Vault"],
        "the group was never disbanded"
    );
}

#[test]
fn prevent_destroy_dropped_from_the_manifest_is_recorded_so_the_group_can_then_go() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &protected())]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);

    workspace.write("groups.yaml", VAULT);
    let plan = json(&workspace.run(&emulator, &["plan", "--format", "json"]));
    assert_eq!(
        plan["changes"][0]["fields"][0]["field"], "prevent_destroy",
        "{plan:#}"
    );
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert!(
        workspace.state()["resources"]["group.vault"]["attributes"]
            .get("prevent_destroy")
            .is_none()
    );

    workspace.write("groups.yaml", "groups: {}\n");
    let plan = json(&workspace.run(&emulator, &["plan", "--format", "json"]));
    assert_eq!(plan["changes"][0]["action"], "delete", "{plan:#}");
    assert!(
        !plan["findings"].to_string().contains("prevent-destroy"),
        "{plan:#}"
    );
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert!(emulator.titles().is_empty());
}
