//! Group tabs in the manifests (issue 14): `tabs:` on a group is planned by title and applied
//! through `convNavTabs` — the real binary against the real emulator binary over HTTP.

use crate::common::{EmulatorProcess, Workspace};
use serde_json::{Value, json};

fn groups(tabs: &str) -> String {
    format!(
        "groups:\n  payments:\n    title: Payments On-call\n    type: scene\n    owner: manager4220\n    members: [u1001]\n{tabs}"
    )
}

const ONE_TAB: &str =
    "    tabs:\n      - {title: Runbook, url: 'https://runbooks.example/payments'}\n";

fn live_tabs(emulator: &EmulatorProcess, workspace: &Workspace) -> Vec<Value> {
    let state = workspace.state();
    let id = state["resources"]["group.payments"]["id"]
        .as_str()
        .expect("the group is in state");
    let answer = emulator.api(
        "/v1.0/im/convNavTabs/list",
        json!({"openConversationId": id}),
    );
    answer["result"]["convNavTabInfos"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn plan_json(emulator: &EmulatorProcess, workspace: &Workspace) -> Value {
    let run = workspace.run(emulator, &["plan", "--format", "json"]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("JSON plan:\n{}", run.text()))
}

fn group_change(plan: &Value) -> &Value {
    plan["changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|c| c["address"] == "group.payments"))
        .expect("the group is planned")
}

fn expect_empty_plan(emulator: &EmulatorProcess, workspace: &Workspace) {
    workspace
        .run(emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn a_tab_is_created_edited_and_removed_and_each_next_plan_is_empty() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &groups(ONE_TAB))]);

    // Created with the group: added once the group exists.
    let plan = workspace.run(&emulator, &["plan"]);
    assert!(plan.text().contains("Runbook"), "{}", plan.text());
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let tabs = live_tabs(&emulator, &workspace);
    assert_eq!(tabs.len(), 1, "{tabs:?}");
    assert_eq!(tabs[0]["title"], "Runbook");
    assert_eq!(tabs[0]["pcUrl"], "https://runbooks.example/payments");
    assert_eq!(tabs[0]["mobileUrl"], "https://runbooks.example/payments");
    let tab_id = tabs[0]["tabId"].as_str().unwrap().to_owned();
    assert_eq!(
        workspace.state()["resources"]["group.payments"]["ids"]["tab:Runbook"],
        tab_id,
        "the tab's id is recorded in state"
    );
    expect_empty_plan(&emulator, &workspace);

    // A second tab on an existing group, and the first one's URL edited in place.
    workspace.write(
        "groups.yaml",
        &groups(
            "    tabs:\n      - {title: Runbook, url: 'https://runbooks.example/v2'}\n      - {title: Board, pc_url: 'https://board.example/pc', mobile_url: 'https://board.example/m'}\n",
        ),
    );
    let plan = plan_json(&emulator, &workspace);
    let change = group_change(&plan);
    assert_eq!(change["action"], "update", "{change}");
    let fields = change["fields"].to_string();
    assert!(fields.contains("\"tabs\""), "tabs added by title: {fields}");
    assert!(fields.contains("Board"), "{fields}");
    assert!(
        fields.contains("tabs.Runbook"),
        "the edit is a value change: {fields}"
    );
    assert!(fields.contains("https://runbooks.example/v2"), "{fields}");
    let human = workspace.run(&emulator, &["plan"]);
    let human = human.stdout.clone();
    insta::assert_snapshot!("tabs_plan_human", human);
    assert_eq!(
        plan["estimate"]["requests"], 2,
        "one add, one update (apply's steps use its refresh's token): {}",
        plan["estimate"]
    );
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let tabs = live_tabs(&emulator, &workspace);
    let runbook = tabs.iter().find(|t| t["title"] == "Runbook").expect("kept");
    assert_eq!(
        runbook["tabId"],
        tab_id.as_str(),
        "edited in place, not re-made"
    );
    assert_eq!(runbook["pcUrl"], "https://runbooks.example/v2");
    let board = tabs.iter().find(|t| t["title"] == "Board").expect("added");
    assert_eq!(board["pcUrl"], "https://board.example/pc");
    assert_eq!(board["mobileUrl"], "https://board.example/m");
    expect_empty_plan(&emulator, &workspace);

    // Every tab removed from the manifest: they are deleted.
    workspace.write("groups.yaml", &groups(""));
    let plan = plan_json(&emulator, &workspace);
    let change = group_change(&plan);
    assert_eq!(change["action"], "update", "{change}");
    let fields = change["fields"].to_string();
    assert!(
        fields.contains("\"removed\":[\"Board\",\"Runbook\"]"),
        "{fields}"
    );
    let markdown = workspace
        .run(&emulator, &["plan", "--format", "markdown"])
        .text();
    assert!(markdown.contains("Runbook"), "{markdown}");
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    assert_eq!(live_tabs(&emulator, &workspace), Vec::<Value>::new());
    assert!(
        workspace.state()["resources"]["group.payments"]["ids"]
            .get("tab:Runbook")
            .is_none(),
        "the removed tab's id leaves state"
    );
    expect_empty_plan(&emulator, &workspace);
}

#[test]
fn a_tab_added_outside_dingform_is_removed_by_its_title() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &groups(ONE_TAB))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let id = workspace.id_of("group.payments");
    emulator.api(
        "/v1.0/im/convNavTabs/add",
        json!({"openConversationId": id, "title": "Stray", "pcUrl": "https://stray.example"}),
    );
    let plan = plan_json(&emulator, &workspace);
    let fields = group_change(&plan)["fields"].to_string();
    assert!(fields.contains("\"removed\":[\"Stray\"]"), "{fields}");
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let titles: Vec<Value> = live_tabs(&emulator, &workspace)
        .into_iter()
        .map(|t| t["title"].clone())
        .collect();
    assert_eq!(titles, [json!("Runbook")]);
    expect_empty_plan(&emulator, &workspace);
}

#[test]
fn groups_without_tabs_do_not_read_them() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &groups(""))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let id = workspace.id_of("group.payments");
    emulator.api(
        "/v1.0/im/convNavTabs/add",
        json!({"openConversationId": id, "title": "Theirs", "pcUrl": "https://theirs.example"}),
    );
    // Tabs are not managed until the manifest lists one: someone else's tab stays.
    expect_empty_plan(&emulator, &workspace);
}

/// A workspace whose scene group `g` has these `tabs:` lines.
fn with_tabs(tabs: &str) -> crate::common::Workspace {
    crate::common::Workspace::new().file(
        "groups.yaml",
        format!("groups:\n  g:\n    title: G\n    type: scene\n    owner: manager4220\n    tabs:\n{tabs}"),
    )
}

#[test]
fn a_duplicate_tab_title_is_an_error_at_its_line() {
    with_tabs("      - {title: Runbook, url: 'https://a.example'}\n      - {title: Runbook, url: 'https://b.example'}\n").expect_error("tab-duplicate-title", "groups.yaml:8:17");
}

#[test]
fn a_tab_with_no_url_is_an_error_at_its_title() {
    with_tabs("      - {title: Runbook}\n").expect_error("tab-duplicate-title", "groups.yaml:7:17");
}

#[test]
fn a_tab_with_url_and_pc_url_is_an_error_at_its_url() {
    with_tabs("      - {title: Runbook, url: 'https://a.example', pc_url: 'https://b.example'}\n")
        .expect_error("tab-duplicate-title", "groups.yaml:7:31");
}
