//! What dingform says, read as a DingTalk admin reads it (issue 18): a removal is said to be
//! planned only when it is; a notification dropped from the manifests "stops being sent";
//! times beside a schedule are in its zone and lateness in days and hours; `state list` does
//! not call a notification a create in flight; errors name no Rust type and no parser budget;
//! one id for the title-length rule; the plan's estimate counts what apply sends; `state`
//! takes DIR like every command, and `state history | head` ends quietly.

use crate::common::{EmulatorProcess, Workspace};
use crate::plan_support::{findings, plan_json};
use serde_json::{Value, json};

const NOTIFIED: &str = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\n\
groups:\n  oncall: {title: On-call, type: scene, owner: manager4220, members: [u1001], bots: [alerts]}\n\
notifications:\n  standup:\n    schedule: \"0 9 * * 1-5\"\n    timezone: Asia/Shanghai\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: Stand-up}}\n";

fn emulator() -> EmulatorProcess {
    EmulatorProcess::fresh()
}

fn stdout(run: &crate::common::Run) -> String {
    run.stdout.clone()
}

#[test]
fn state_list_shows_an_applied_notification_as_scheduled_not_as_a_create_in_flight() {
    let emulator = emulator();
    let workspace = Workspace::with_files(&[("all.yaml", NOTIFIED)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let dir = workspace.path().display().to_string();
    // DIR after the subcommand, like every other command; `-C DIR` still works.
    let positional = workspace.run(&emulator, &["state", "list", &dir]);
    positional.expect_code(0);
    let flag = workspace.run(&emulator, &["state", "-C", &dir, "list"]);
    flag.expect_code(0);
    assert_eq!(stdout(&positional), stdout(&flag));
    // Scheduled, not "in flight".
    crate::assert_filtered_snapshot!("state_list_scheduled", positional.snapshot());
    // Two different directories are refused, not guessed between.
    let both = workspace.run(&emulator, &["state", "-C", "/nonexistent", "list", &dir]);
    crate::assert_filtered_snapshot!("state_two_directories", both.snapshot());

    // A mistyped directory is an error (nothing on stdout), not an empty state.
    let typo = workspace.run(&emulator, &["state", "list", &format!("{dir}-typo")]);
    crate::assert_filtered_snapshot!("state_mistyped_directory", typo.snapshot());

    // Dropped from the manifests: the plan says it stops being sent (not "left as it is").
    workspace.write("all.yaml", NOTIFIED.split("notifications:").next().unwrap());
    let plan = workspace.run(&emulator, &["plan"]);
    crate::assert_filtered_snapshot!("plan_notification_stops", plan.snapshot());
}

#[test]
fn state_history_into_a_closed_pipe_ends_quietly() {
    let emulator = emulator();
    let workspace = Workspace::with_files(&[("all.yaml", NOTIFIED)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    // A pipe whose reader is gone, as `dingform state history | head -1` leaves it.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    for args in [
        &["state", "history"][..],
        &["state", "list"],
        &["state", "pull"],
    ] {
        let output = workspace
            .command(&emulator, args)
            .stdout(writer.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn the_estimate_counts_every_request_apply_sends() {
    let emulator = emulator();
    let workspace = Workspace::with_files(&[(
        "groups.yaml",
        "groups:\n  oncall: {title: On-call, type: scene, owner: manager4220, admins: [u1001], members: [u1001, u1002]}\n  \
         team: {title: Team, type: standard, owner: manager4220, admins: [u1001], members: [u1001]}\n",
    )]);
    let plan = workspace.run(&emulator, &["plan", "--format", "json", "-v"]);
    let reads = plan
        .stderr
        .clone()
        .lines()
        .filter(|line| line.contains("DingTalk request"))
        .count() as u64;
    let plan: Value = serde_json::from_str(&plan.stdout).unwrap();
    let estimated = plan["estimate"]["requests"].as_u64().expect("an estimate");
    let apply = workspace.run(&emulator, &["apply", "--yes", "-v"]);
    apply.expect_code(0);
    let stderr = apply.stderr.clone();
    let sent = stderr
        .lines()
        .filter(|line| line.contains("DingTalk request"))
        .count() as u64;
    // Apply first reads what plan reads (its one access token among them), then sends what
    // the estimate counts.
    assert!(estimated > 3, "{plan:#}");
    assert_eq!(sent, reads + estimated, "plan read {reads}:\n{stderr}");
}

#[test]
fn explain_title_length_shows_the_one_title_length_rule() {
    let explain = Workspace::empty().run_offline(&["explain", "title-length"]);
    crate::assert_filtered_snapshot!("explain_title_length", explain.snapshot());
    let listed = Workspace::empty().run_offline(&["rules"]).stdout;
    assert!(
        !listed.lines().any(|line| line.starts_with("title-length")),
        "one id: {listed}"
    );
}

#[test]
fn errors_name_what_a_value_should_be_not_a_rust_type() {
    let workspace = Workspace::with_files(&[(
        "groups.yaml",
        "groups:\n  oncall:\n    title:\n    type: scene\n    owner: manager4220\n",
    )]);
    // groups.yaml:3, "needs text", no `Option<…>`.
    let empty_title = workspace.run_offline(&["validate"]);
    crate::assert_filtered_snapshot!("validate_empty_title", empty_title.snapshot());
    // Two documents in one file: said as such, not as the parser's document budget.
    workspace.write("groups.yaml", "groups: {}\n---\nbots: {}\n");
    let two_documents = workspace.run_offline(&["validate"]);
    crate::assert_filtered_snapshot!("validate_two_documents", two_documents.snapshot());
}

/// The message of the plan's one `standard-group-departed` warning.
fn departed_warning(plan: &Value) -> String {
    let warnings = findings(plan, "standard-group-departed");
    assert_eq!(warnings.len(), 1, "{plan:#}");
    warnings[0]["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

#[test]
fn a_departed_member_the_manifest_lists_is_not_said_to_be_removed() {
    let emulator = emulator();
    let groups = "groups:\n  team: {title: Team, type: standard, owner: manager4220, members: [u1001, u1002]}\n";
    let workspace = Workspace::with_files(&[("groups.yaml", groups)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    emulator.admin_post("users/u1002/leave", json!({}));
    let (_, plan) = plan_json(&workspace, &emulator, &[]);
    // "They stay", not "their removal is planned".
    crate::assert_filtered_snapshot!("departed_listed", departed_warning(&plan));
    let removes = plan["changes"]
        .to_string()
        .contains("\"removed\":[\"u1002\"]");
    assert!(!removes, "and indeed nothing removes u1002: {plan:#}");

    // Not listed any more: now its removal is planned, and the warning says so.
    workspace.write("groups.yaml", &groups.replace(", u1002]", "]"));
    let (_, plan) = plan_json(&workspace, &emulator, &[]);
    crate::assert_filtered_snapshot!("departed_unlisted", departed_warning(&plan));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_occurrence_reads_in_its_zone_with_lateness_in_days() {
    let fx = crate::notify_support::Fixture::start().await;
    fx.register(
        "digest",
        json!({
            "schedule": "0 9 * * *",
            "timezone": "Asia/Shanghai",
            "grace": "15m",
            "via": {"work_notification": {"users": ["u1001"]}},
            "message": {"text": {"content": "Digest"}},
        }),
    );
    // First seen at 09:05 Shanghai on 2 March: that day's 09:00 is due.
    let first = fx.run_once("2026-03-02T01:05:00Z").await;
    crate::assert_filtered_snapshot!("due_in_schedule_zone", first.snapshot());
    // The runner is back three days and four hours later: two days were missed.
    let back = fx.run_once("2026-03-05T05:05:00Z").await;
    // In Shanghai time, not UTC; "2 days 4 hours late".
    insta::assert_snapshot!("missed_in_schedule_zone", back.stdout);
}
