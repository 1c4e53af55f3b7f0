//! What dingform says, read as a DingTalk admin reads it (issue 18): a removal is said to be
//! planned only when it is; a notification dropped from the manifests "stops being sent";
//! times beside a schedule are in its zone and lateness in days and hours; `state list` does
//! not call a notification a create in flight; errors name no Rust type and no parser budget;
//! one id for the title-length rule; the plan's estimate counts what apply sends; `state`
//! takes DIR like every command, and `state history | head` ends quietly.

use std::process::Command;

use crate::common::{EmulatorProcess, Workspace};
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
    let listed = stdout(&positional);
    assert!(!listed.contains("in flight"), "{listed}");
    assert!(
        listed.contains("notification.standup\t(scheduled: sent by `dingform notify run`)"),
        "{listed}"
    );
    // Two different directories are refused, not guessed between.
    let both = workspace.run(&emulator, &["state", "-C", "/nonexistent", "list", &dir]);
    both.expect_code(1);
    assert!(
        both.text().contains("two workspace directories"),
        "{}",
        both.text()
    );

    // A mistyped directory is an error, not an empty state.
    let typo = workspace.run(&emulator, &["state", "list", &format!("{dir}-typo")]);
    typo.expect_code(1);
    assert!(
        typo.text().contains("is not a directory"),
        "{}",
        typo.text()
    );
    assert!(stdout(&typo).is_empty(), "{}", typo.text());

    // Dropped from the manifests: the plan says it stops being sent (not "left as it is").
    workspace.write("all.yaml", NOTIFIED.split("notifications:").next().unwrap());
    let plan = workspace.run(&emulator, &["plan"]);
    plan.expect_code(0);
    let text = stdout(&plan);
    assert!(
        text.contains("# notification.standup will stop being sent"),
        "{text}"
    );
    assert!(
        !text.contains("notification.standup will no longer be managed"),
        "{text}"
    );
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
    // Apply first reads what plan reads (a token among them), then sends what the estimate
    // counts but the token it counts: the refresh's token serves the steps (token_once.rs).
    assert!(estimated > 3, "{plan:#}");
    assert_eq!(sent, reads + estimated - 1, "plan read {reads}:\n{stderr}");
}

#[test]
fn explain_title_length_shows_the_one_title_length_rule() {
    let output = Command::new(env!("CARGO_BIN_EXE_dingform"))
        .args(["explain", "title-length"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.starts_with("group-title-length (error)"), "{text}");
    let rules = Command::new(env!("CARGO_BIN_EXE_dingform"))
        .arg("rules")
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&rules.stdout);
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
    let output = Command::new(env!("CARGO_BIN_EXE_dingform"))
        .arg("validate")
        .arg(workspace.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("groups.yaml:3"), "{text}");
    assert!(
        text.contains("this needs text, and the value is empty"),
        "{text}"
    );
    assert!(!text.contains("Option<"), "{text}");
    // Two documents in one file: said as such, not as the parser's document budget.
    workspace.write("groups.yaml", "groups: {}\n---\nbots: {}\n");
    let output = Command::new(env!("CARGO_BIN_EXE_dingform"))
        .arg("validate")
        .arg(workspace.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("groups.yaml:2:1"), "{text}");
    assert!(text.contains("a second YAML document"), "{text}");
    assert!(!text.to_lowercase().contains("budget"), "{text}");
    assert!(!text.contains("too deeply nested"), "{text}");
}

#[test]
fn a_departed_member_the_manifest_lists_is_not_said_to_be_removed() {
    let emulator = emulator();
    let groups = "groups:\n  team: {title: Team, type: standard, owner: manager4220, members: [u1001, u1002]}\n";
    let workspace = Workspace::with_files(&[("groups.yaml", groups)]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let left = reqwest::blocking::Client::new()
        .post(format!("{}/_emulator/users/u1002/leave", emulator.base))
        .send()
        .unwrap();
    assert!(left.status().is_success());
    let plan = workspace.run(&emulator, &["plan", "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan.stdout).unwrap();
    let warning = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "standard-group-departed")
        .unwrap_or_else(|| panic!("{plan:#}"));
    let message = warning["message"].as_str().unwrap();
    assert!(!message.contains("removal is planned"), "{message}");
    assert!(
        message.contains("they stay, as the manifest lists them"),
        "{message}"
    );
    let removes = plan["changes"]
        .to_string()
        .contains("\"removed\":[\"u1002\"]");
    assert!(!removes, "and indeed nothing removes u1002: {plan:#}");

    // Not listed any more: now its removal is planned, and the warning says so.
    workspace.write("groups.yaml", &groups.replace(", u1002]", "]"));
    let plan = workspace.run(&emulator, &["plan", "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan.stdout).unwrap();
    assert!(
        plan.to_string().contains("their removal is planned"),
        "{plan:#}"
    );
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
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .contains("notification.digest 2026-03-02T09:00:00+08:00 delivered"),
        "{first:?}"
    );
    // The runner is back three days and four hours later: two days were missed.
    let back = fx.run_once("2026-03-05T05:05:00Z").await;
    insta::assert_snapshot!("missed_in_schedule_zone", back.stdout);
    assert!(back.stdout.contains("(2 days 4 hours late"), "{back:?}");
    assert!(!back.stdout.contains("T01:00:00Z"), "not in UTC: {back:?}");
}
