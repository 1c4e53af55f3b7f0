//! `members_from` (issue 17): groups whose members follow the org chart, end to end. The real
//! binary plans and applies against the emulator over HTTP while the test changes the
//! organization through the emulator's admin API (`POST /_emulator/users`, `…/leave`), the
//! way hires, moves and departures happen in DingTalk.

use crate::common::*;
use crate::plan_support::*;
use dingform::provider::DirectoryApi;
use serde_json::{Value, json};

/// A standard group (it keeps people who leave, so their removal is dingform's to plan) that
/// follows Platform (department 3), with one member listed by hand.
const PLATFORM: &str = "groups:
  platform:
    title: Platform
    type: standard
    owner: manager4220
    members: [u1001]
    members_from: {departments: [3], except: [u2009]}
";

/// A workspace whose `groups.yaml` holds the scene group `name` titled `title`, owned by
/// manager4220, and then `rest` (its `members_from`, at the group's indentation).
fn scene_group(name: &str, title: &str, rest: &str) -> Workspace {
    Workspace::new().file(
        "groups.yaml",
        format!(
            "groups:\n  {name}:\n    title: {title}\n    type: scene\n    owner: manager4220\n    {rest}"
        ),
    )
}

/// `POST /_emulator/users`: `userid` joins the organization or moves, into `departments`.
async fn hire(emu: &Emu, userid: &str, departments: &[i64]) {
    let answer = emu
        .admin(
            "users",
            json!({"userid": userid, "name": format!("Person {userid}"), "departments": departments}),
        )
        .await;
    assert_eq!(answer["ok"], true, "{answer}");
}

/// `POST /_emulator/users/USERID/leave`.
async fn leave(emu: &Emu, userid: &str) {
    emu.admin(&format!("users/{userid}/leave"), json!({})).await;
}

/// The members of the group titled `title`, as the emulator holds them, sorted.
async fn live_members(emu: &Emu, title: &str) -> Vec<String> {
    let state = emu.state().await;
    let group = state["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["title"] == title && g["status"] == "active")
        .unwrap_or_else(|| panic!("no group {title} in {state:#}"));
    let mut members: Vec<String> = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_str().expect("userid").to_owned())
        .collect();
    members.sort();
    members
}

/// The `members` field change of `address` in a JSON plan.
fn members_change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    change(plan, address)["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == "members")
        .unwrap_or_else(|| panic!("no members change in {plan:#}"))
}

fn apply(ws: &Workspace, emu: &Emu, extra: &[&str]) -> Run {
    let mut args = vec!["apply", "--yes"];
    args.extend_from_slice(extra);
    let run = ws.run(emu, &args);
    assert_eq!(run.code, 0, "apply:\n{}\n{}", run.stdout, run.stderr);
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hire_joins_and_a_mover_and_a_leaver_leave_with_their_reasons_then_the_plan_is_empty() {
    let emu = Emu::start().await;
    // Platform: u1003 and u1004 in the demo, and six hires (u2009 excepted).
    for i in 1..=6 {
        hire(&emu, &format!("u200{i}"), &[3]).await;
    }
    hire(&emu, "u2009", &[3]).await;
    let ws = Workspace::new().file("groups.yaml", PLATFORM);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(
        change(&plan, "group.platform")["after"]["members"],
        json!([
            "manager4220",
            "u1001",
            "u1003",
            "u1004",
            "u2001",
            "u2002",
            "u2003",
            "u2004",
            "u2005",
            "u2006"
        ]),
        "the listed member, the owner and Platform less u2009: {plan:#}"
    );
    apply(&ws, &emu, &[]);
    assert_eq!(live_members(&emu, "Platform").await.len(), 10);

    // The org chart moves: a hire, a move to Operations, a departure.
    hire(&emu, "u2007", &[3]).await;
    hire(&emu, "u1003", &[4]).await;
    leave(&emu, "u1004").await;
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan:#}");
    assert_eq!(
        members_change(&plan, "group.platform"),
        &json!({
            "kind": "set",
            "field": "members",
            "added": ["u2007"],
            "removed": ["u1003", "u1004"],
            "reasons": {
                "u2007": "joins: now in Platform",
                "u1003": "leaves: moved out of Platform",
                "u1004": "leaves: left the organization",
            },
        })
    );
    assert_eq!(
        change(&plan, "group.platform")["notes"],
        json!(["members_from: the org chart changed since the last apply"])
    );
    let human = ws.run(&emu, &["plan"]);
    insta::assert_snapshot!("org_chart_plan_human", human.stdout);
    let markdown = ws.run(&emu, &["plan", "--format", "markdown"]);
    insta::assert_snapshot!("org_chart_plan_markdown", markdown.stdout);

    apply(&ws, &emu, &[]);
    let members = live_members(&emu, "Platform").await;
    assert!(members.contains(&"u2007".to_owned()), "{members:?}");
    assert!(!members.contains(&"u1003".to_owned()), "{members:?}");
    assert!(!members.contains(&"u1004".to_owned()), "{members:?}");
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "the next plan is empty: {plan:#}");
    assert_eq!(change(&plan, "group.platform")["action"], "no-op");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn additive_groups_take_in_hires_and_keep_people_who_moved_away() {
    let emu = Emu::start().await;
    let ws = scene_group(
        "payments",
        "Payments",
        "members_policy: additive\n    members_from: {departments: [2]}\n",
    );
    apply(&ws, &emu, &[]);
    hire(&emu, "u2001", &[2]).await;
    hire(&emu, "u1001", &[5]).await;
    let (_, plan) = plan_json(&ws, &emu, &[]);
    let members = members_change(&plan, "group.payments");
    assert_eq!(members["added"], json!(["u2001"]), "{plan:#}");
    assert_eq!(members["removed"], json!([]), "{plan:#}");
    assert_eq!(
        members["reasons"],
        json!({"u2001": "joins: now in Payments"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sub_departments_bring_everyone_below_and_departed_people_are_never_added() {
    let emu = Emu::start().await;
    // Engineering (1) holds Payments (2) and Platform (3); u1099 of Payments left long ago.
    let ws = scene_group(
        "engineering",
        "Engineering",
        "members_from: {departments: [1], sub_departments: true}\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(
        change(&plan, "group.engineering")["after"]["members"],
        json!(["manager4220", "u1001", "u1002", "u1003", "u1004"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_department_or_excepted_user_is_an_error_at_its_line() {
    let emu = Emu::start().await;
    let ws = scene_group(
        "platform",
        "Platform",
        "members_from:\n      departments: [3, 404]\n      except: [u1003, nobody]\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let department = findings(&plan, "unknown-department");
    assert_eq!(department.len(), 1, "{plan:#}");
    assert_eq!(
        (
            &department[0]["severity"],
            &department[0]["file"],
            &department[0]["line"],
            &department[0]["column"]
        ),
        (
            &json!("error"),
            &json!("groups.yaml"),
            &json!(7),
            &json!(24)
        ),
        "{plan:#}"
    );
    assert!(
        department[0]["message"]
            .as_str()
            .unwrap()
            .contains("department 404")
    );
    let user = findings(&plan, "unknown-user");
    assert_eq!(user.len(), 1, "only `nobody` is unknown: {plan:#}");
    assert_eq!(
        (&user[0]["line"], &user[0]["column"]),
        (&json!(8), &json!(23))
    );
    let human = ws.run(&emu, &["plan"]);
    crate::assert_filtered_snapshot!("unknown_department_plan", human.snapshot());
    let refused = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        emu.state().await["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["title"] != "Platform"),
        "nothing is made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mass_removal_guard_stops_a_reorg_that_empties_a_group() {
    let emu = Emu::start().await;
    let ws = scene_group("payments", "Payments", "members_from: {departments: [2]}\n");
    apply(&ws, &emu, &[]);
    assert_eq!(
        live_members(&emu, "Payments").await,
        ["manager4220", "u1001", "u1002"]
    );
    // A reorg moves all of Payments to Sales.
    hire(&emu, "u1001", &[5]).await;
    hire(&emu, "u1002", &[5]).await;
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let guard = findings(&plan, "mass-removal");
    assert_eq!(guard.len(), 1, "{plan:#}");
    assert_eq!(guard[0]["severity"], "error");
    assert_eq!(
        (&guard[0]["line"], &guard[0]["column"]),
        (&json!(6), &json!(34))
    );
    assert!(
        guard[0]["message"]
            .as_str()
            .unwrap()
            .contains("removes 2 of the 3 members"),
        "{plan:#}"
    );
    let refused = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    assert_eq!(
        live_members(&emu, "Payments").await,
        ["manager4220", "u1001", "u1002"],
        "the refused apply removed no one"
    );
    // Confirmed like a mass delete, it goes through.
    let (code, plan) = plan_json(&ws, &emu, &["--allow-mass-delete"]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(
        members_change(&plan, "group.payments")["reasons"],
        json!({"u1001": "leaves: moved out of Payments", "u1002": "leaves: moved out of Payments"})
    );
    apply(&ws, &emu, &["--allow-mass-delete"]);
    assert_eq!(live_members(&emu, "Payments").await, ["manager4220"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_stale_once_the_org_chart_moved() {
    let emu = Emu::start().await;
    let ws = scene_group("platform", "Platform", "members_from: {departments: [3]}\n");
    apply(&ws, &emu, &[]);
    hire(&emu, "u2001", &[3]).await;
    let saved = ws.run(&emu, &["plan", "-o", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    hire(&emu, "u2002", &[3]).await;
    let stale = ws.run(&emu, &["apply", "plan.json", "--yes"]);
    crate::assert_filtered_snapshot!("stale_after_a_hire", stale.snapshot());
    assert_eq!(
        live_members(&emu, "Platform").await,
        ["manager4220", "u1003", "u1004"]
    );
    // Planned again, the saved plan applies as reviewed.
    let saved = ws.run(&emu, &["plan", "-o", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let applied = ws.run(&emu, &["apply", "plan.json", "--yes"]);
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert_eq!(
        live_members(&emu, "Platform").await,
        ["manager4220", "u1003", "u1004", "u2001", "u2002"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_larger_than_a_group_may_hold_is_an_error_at_its_line() {
    let emu = Emu::start().await;
    let mut seed = serde_json::to_value(dingform::emulator::Seed::demo()).unwrap();
    let users = seed["users"].as_array_mut().unwrap();
    users.extend(
        (0..1001)
            .map(|i| json!({"userid": format!("s{i:04}"), "name": "Sales", "departments": [5]})),
    );
    emu.admin("seed", seed).await;
    let ws = scene_group("sales", "Sales", "members_from: {departments: [5]}\n");
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let limit = findings(&plan, "group-member-limit");
    assert_eq!(limit.len(), 1, "{plan:#}");
    assert_eq!(limit[0]["line"], 6);
    assert!(
        limit[0]["message"]
            .as_str()
            .unwrap()
            .contains("department 5 (Sales) has 1003 people"),
        "{plan:#}"
    );
}

#[tokio::test]
async fn the_emulator_moves_people_between_departments_as_the_directory_reports_them() {
    let emu = Emu::start().await;
    let client = emu.client();
    assert_eq!(client.department_name(3).await.expect("name"), "Platform");
    assert_eq!(
        client
            .department_name(404)
            .await
            .expect_err("no such department")
            .code(),
        Some("60003")
    );
    hire(&emu, "u2001", &[3]).await;
    hire(&emu, "u1003", &[4]).await;
    assert_eq!(
        client.department_user_ids(3).await.expect("Platform"),
        ["u1004", "u2001"]
    );
    assert!(
        client
            .department_user_ids(4)
            .await
            .expect("Operations")
            .contains(&"u1003".to_owned())
    );
    // Someone who left and is hired again is back in the directory.
    leave(&emu, "u1004").await;
    assert_eq!(client.department_user_ids(3).await.unwrap(), ["u2001"]);
    hire(&emu, "u1004", &[3]).await;
    assert_eq!(
        client.department_user_ids(3).await.unwrap(),
        ["u1004", "u2001"]
    );
    assert!(client.get_user("u1004").await.expect("active again").active);
    // A department that does not exist is refused, and nothing changes.
    let refused = reqwest::Client::new()
        .post(format!("{}/_emulator/users", emu.base))
        .json(&json!({"userid": "u3000", "departments": [404]}))
        .send()
        .await
        .expect("admin API");
    assert_eq!(refused.status(), 400);
    assert!(
        refused.text().await.unwrap().contains("department 404"),
        "the refusal names the department"
    );
    assert!(client.get_user("u3000").await.is_err(), "no one was hired");
}

/// The commands between `# --- dingform:drift` and `# --- end` of the drift workflow.
fn drift_commands() -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/org-chart-drift.yml"),
    )
    .expect("the drift workflow");
    text.lines()
        .skip_while(|line| !line.trim_start().starts_with("# --- dingform:drift"))
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with("# --- end"))
        .map(|line| line.trim_start().trim_start_matches("- run: "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_drift_plan_passes_when_in_step_and_fails_with_the_reasons_after_a_hire() {
    let emu = Emu::start().await;
    let ws = scene_group("platform", "Platform", "members_from: {departments: [3]}\n");
    apply(&ws, &emu, &[]);
    let commands = drift_commands();
    assert!(commands.starts_with("dingform plan"), "{commands}");
    let job = || {
        let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_dingform"));
        let path = format!(
            "{}:{}",
            bin.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let status = std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", &commands])
            .current_dir(ws.path())
            .env("PATH", path)
            .env("WORKSPACE", ws.path())
            .env("DINGFORM_ENDPOINT", &emu.base)
            .env("DINGTALK_APP_KEY", APP_KEY)
            .env("DINGTALK_APP_SECRET", APP_SECRET)
            .status()
            .expect("bash runs");
        let report = std::fs::read_to_string(ws.join("drift.md")).expect("drift.md");
        (status.success(), report)
    };
    let (ok, report) = job();
    assert!(ok, "in step, the job passes: {report}");
    hire(&emu, "u2001", &[3]).await;
    let (ok, report) = job();
    assert!(!ok, "the org chart moved: the job fails");
    assert!(
        report.contains("+   members: u2001 (joins: now in Platform)"),
        "{report}"
    );
}
