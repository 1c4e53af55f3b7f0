//! The apply report (`render::apply_report`): snapshots of the renderer over reports built by
//! hand (complete, incomplete with a failure and a skipped dependant, interrupted, manual
//! steps, nothing to change, a line per kind of change), then of a real `dingform apply`
//! against the emulator, whose closing line counts what its plan's closing line counted.

use std::path::{Path, PathBuf};

use dingform::model::{Address, Finding, Severity, Span};
use dingform::plan::file::Target;
use dingform::plan::outcome::{Report, StepFailure, StepOutcome};
use dingform::plan::{Action, Estimate, Fingerprints, Plan};
use dingform::render::apply_report;

use crate::common::fixtures::{ALERTS_BOT, STANDUP, payments_manifest};
use crate::common::{Emu, Workspace};

fn plan(findings: Vec<Finding>) -> Plan {
    Plan {
        format_version: dingform::plan::FORMAT_VERSION,
        changes: Vec::new(),
        findings,
        fingerprints: Fingerprints::default(),
        estimate: Estimate::default(),
    }
}

fn addr(text: &str) -> Address {
    text.parse().expect("a valid address")
}

fn manual_step() -> Finding {
    Finding::new(
        "bot-rename-test-group",
        Severity::Manual,
        "rename bot.alerts from `Alert Bot` to `Alerts` in the Developer Console",
    )
    .at("bots.yaml", &Span::new(2, 3, 10..16))
    .address(addr("bot.alerts"))
    .help("then run `dingform state done bot.alerts`, or plan again once a group shows it")
}

/// stdout, then stderr, as the terminal shows them.
fn report_text(report: &Report) -> String {
    format!(
        "--- stdout{}--- stderr\n{}",
        apply_report::closing(report, false),
        apply_report::problems(report, false)
    )
}

#[test]
fn a_complete_apply_counts_in_the_plans_words() {
    let report = Report {
        added: 15,
        imported: 1,
        ..Report::default()
    };
    assert_eq!(report.exit_code(), 0);
    insta::assert_snapshot!("apply_report_complete", report_text(&report));
    let all_kinds = Report {
        added: 2,
        changed: 3,
        destroyed: 1,
        imported: 1,
        moved: 1,
        forgotten: 2,
        ..Report::default()
    };
    insta::assert_snapshot!("apply_report_every_kind", report_text(&all_kinds));
}

#[test]
fn an_incomplete_apply_names_the_failure_and_what_waited_for_it() {
    let report = Report {
        added: 1,
        failed: vec![StepFailure {
            address: addr("group.payments"),
            action: Action::Create,
            operation: "create".into(),
            error: "the platform refused it: 40035 invalid template id (tpl-gone)".into(),
        }],
        skipped: vec![(addr("notification.standup"), addr("group.payments"))],
        ..Report::default()
    };
    assert!(!report.is_complete());
    assert_eq!(report.exit_code(), 1);
    insta::assert_snapshot!("apply_report_incomplete", report_text(&report));
}

#[test]
fn an_interrupted_apply_says_how_many_changes_were_not_started() {
    let report = Report {
        added: 3,
        interrupted: true,
        not_started: 2,
        ..Report::default()
    };
    assert_eq!(report.exit_code(), 130, "128 + SIGINT");
    insta::assert_snapshot!("apply_report_interrupted", report_text(&report));
}

#[test]
fn manual_steps_are_a_checklist_and_nothing_to_change_says_so() {
    let with_manual = plan(vec![manual_step()]);
    insta::assert_snapshot!(
        "apply_report_manual_steps",
        format!(
            "{}{}",
            apply_report::no_changes(&with_manual),
            apply_report::manual_steps(&with_manual, false)
        )
    );
    let nothing = plan(Vec::new());
    assert_eq!(
        apply_report::no_changes(&nothing),
        "No changes. DingTalk matches the manifests.\n"
    );
    assert_eq!(apply_report::manual_steps(&nothing, false), "");
    assert_eq!(
        apply_report::problems(&Report::default(), false),
        "",
        "a complete apply has nothing for stderr"
    );
}

#[test]
fn each_change_is_reported_in_the_words_its_plan_used() {
    let failure = StepFailure {
        address: addr("group.old"),
        action: Action::Delete,
        operation: "disband".into(),
        error: "the platform refused it: 40016 invalid.openConversationId".into(),
    };
    let lines = [
        ("bot.alerts", Action::Create, StepOutcome::Done),
        ("notification.standup", Action::Create, StepOutcome::Done),
        ("group.payments", Action::Create, StepOutcome::Done),
        ("group.all-hands", Action::Import, StepOutcome::Done),
        ("group.renamed", Action::Move, StepOutcome::Done),
        ("group.oncall", Action::Update, StepOutcome::Done),
        ("group.scene", Action::Replace, StepOutcome::Done),
        ("group.gone", Action::Delete, StepOutcome::Done),
        ("bot.retired", Action::Delete, StepOutcome::Done),
        ("notification.weekly", Action::Forget, StepOutcome::Done),
        ("group.kept", Action::Forget, StepOutcome::Done),
        ("group.old", Action::Delete, StepOutcome::Failed(failure)),
        (
            "notification.ping",
            Action::Create,
            StepOutcome::Skipped {
                waiting_for: addr("group.payments"),
            },
        ),
    ]
    .iter()
    .map(|(address, action, outcome)| apply_report::step(&addr(address), *action, outcome))
    .collect::<Vec<_>>()
    .join("\n");
    insta::assert_snapshot!("apply_report_step_lines", lines);
}

#[test]
fn a_plan_file_says_which_workspace_it_applies_to_and_where_it_was_made() {
    let here = Target {
        dir: PathBuf::from("/work/checkout-1"),
        why: "the plan file lies in it",
        made_here: true,
    };
    let elsewhere = Target {
        dir: PathBuf::from("/home/me/checkout-2"),
        why: "the current directory",
        made_here: false,
    };
    let made_in = Path::new("/home/me/checkout-1");
    insta::assert_snapshot!(
        "apply_report_plan_file",
        format!(
            "{}{}",
            apply_report::applying_plan_file(Path::new("plan.json"), made_in, &here),
            apply_report::applying_plan_file(Path::new("/tmp/plan.json"), made_in, &elsewhere)
        )
    );
}

#[test]
fn colour_is_added_only_when_asked() {
    let report = Report {
        added: 1,
        ..Report::default()
    };
    assert!(!apply_report::closing(&report, false).contains('\u{1b}'));
    assert!(apply_report::closing(&report, true).contains('\u{1b}'));
}

/// A bot, two groups (one made, one imported with a change), and a notification through
/// them: one of each thing the plan words differently.
fn manifest() -> String {
    payments_manifest(
        "    members: [u1001]\n    bots: [alerts]\n",
        "  all-hands:
    title: Test Organization Demo [Internal Group]
    type: internal
    owner: manager4220
    members: [u1001, u1002, u1003, u1004, u1005, u1006, u1007, u1008]
    settings: {mention_all: admins}
import:
  - {to: group.all-hands, id: chatdemoallhands}
",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_apply_reports_each_change_once_and_counts_what_its_plan_counted() {
    let emu = Emu::start().await;
    let ws = Workspace::with_files(&[("groups.yaml", &manifest())]);
    // One step at a time, so that the lines come in one order.
    let run = ws.run(&emu, &["apply", "--yes", "--concurrency", "1"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let plan_line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Plan: "))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        plan_line.starts_with("Plan: 3 to add, 0 to change, 0 to destroy, 1 to import;"),
        "{plan_line}"
    );
    assert!(
        run.stdout
            .contains("Apply complete: 3 added, 0 changed, 0 destroyed, 1 imported."),
        "{}",
        run.stdout
    );
    let imported: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("group.all-hands:"))
        .collect();
    assert_eq!(imported, ["group.all-hands: imported"], "{}", run.stderr);
    crate::assert_filtered_snapshot!("apply_report_real_apply", run.snapshot());

    // Nothing left: said once, not once by the plan and again by apply.
    let again = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(again.code, 0, "{}", again.text());
    assert_eq!(
        again
            .stdout
            .matches("No changes. DingTalk matches the manifests.")
            .count(),
        1,
        "{}",
        again.stdout
    );
    crate::assert_filtered_snapshot!("apply_report_nothing_to_do", again.snapshot());

    // A saved plan with nothing in it says so itself (no plan is shown before it).
    let saved = ws.run(&emu, &["plan", "-o", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.text());
    let from_file = ws.run(&emu, &["apply", "plan.json", "--yes"]);
    assert_eq!(from_file.code, 0, "{}", from_file.text());
    assert!(
        from_file
            .stdout
            .contains("No changes. DingTalk matches the manifests."),
        "{}",
        from_file.stdout
    );
}

/// The lines a real apply reports, as `render::apply_report::step` writes them.
#[derive(Default)]
struct Lines(std::sync::Mutex<Vec<String>>);

impl dingform::apply::Progress for Lines {
    fn start(&self, _changes: usize) {}

    fn step(&self, address: &Address, action: Action, outcome: &StepOutcome) {
        self.0
            .lock()
            .unwrap()
            .push(apply_report::step(address, action, outcome));
    }
}

fn payments(template: &str) -> String {
    format!(
        "{ALERTS_BOT}groups:\n  payments: {{title: Payments, type: scene, template: {template}, owner: manager4220, members: [u1001], bots: [alerts]}}\n"
    )
}

/// A replace is two steps (disband, then create): when the disband fails the change is one
/// failed line, not also a create "skipped" behind itself, and the notification through the
/// group is skipped, waiting for it. Every answer fails (the emulator's `error_rate` 1.0,
/// one attempt) once the plan is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_replace_is_one_line_and_what_goes_through_it_waits() {
    use dingform::plan::{self, PlanOptions};
    use dingform::state::{StateFile, StateStore};

    let emu = Emu::start().await;
    let ws = Workspace::with_files(&[("groups.yaml", &payments("tpl-default"))]);
    ws.run(&emu, &["apply", "--yes"]).expect_code(0);
    // A scene group's template cannot change: the group is replaced.
    ws.write(
        "groups.yaml",
        &format!("{}{STANDUP}", payments("tpl-oncall")),
    );

    let validation = dingform::manifest::validate(ws.path());
    let state_file = StateFile::new(ws.state_path());
    let state = state_file.read_or_new(None).expect("the state apply wrote");
    let client = std::sync::Arc::new(emu.client_with(crate::common::unlimited(1)));
    let live = plan::refresh::refresh(
        client.clone(),
        &validation.workspace,
        &state,
        chrono::Utc::now(),
    )
    .await
    .expect("refresh");
    let plan = plan::build(&validation, &state, &live, &PlanOptions::default());
    let actions: Vec<(String, Action)> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("group.payments".to_owned(), Action::Replace),
            ("notification.standup".to_owned(), Action::Create)
        ],
        "{plan:#?}"
    );

    emu.faults(serde_json::json!({"error_rate": 1.0})).await;
    let lock = StateStore::lock(&state_file, "test", std::time::Duration::ZERO)
        .await
        .expect("lock");
    let lines = Lines::default();
    let report = dingform::apply::apply(
        client,
        &plan,
        state,
        &state_file,
        &lock,
        &dingform::apply::ApplyOptions::default(),
        &lines,
    )
    .await
    .expect("state is written even when every request fails");
    emu.faults(serde_json::json!({})).await;

    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(
        report.skipped,
        [(addr("notification.standup"), addr("group.payments"))],
        "the replace's create is not reported as skipped behind its own disband"
    );
    let lines = lines.0.into_inner().unwrap();
    assert_eq!(lines.len(), 2, "one line per change: {lines:#?}");
    assert!(
        lines[0].starts_with("group.payments: replace failed: "),
        "{lines:#?}"
    );
    assert_eq!(
        lines[1],
        "notification.standup: skipped (group.payments failed)"
    );
    assert_eq!(
        apply_report::closing(&report, false),
        "\nApply incomplete: 0 added, 0 changed, 0 destroyed.\n"
    );
}

/// Side by side, what the plan says it will do to each kind of resource and what apply says
/// it did: a reviewer of this snapshot sees the two agree (registered, scheduled, disbanded…).
#[test]
fn apply_reports_each_change_in_the_words_its_plan_announced() {
    use dingform::model::Sources;
    use dingform::plan::Change;

    let changes = [
        ("bot.alerts", Action::Create),
        ("notification.standup", Action::Create),
        ("group.payments", Action::Create),
        ("group.all-hands", Action::Import),
        ("group.renamed", Action::Move),
        ("group.oncall", Action::Update),
        ("group.scene", Action::Replace),
        ("group.gone", Action::Delete),
        ("bot.retired", Action::Delete),
        ("notification.weekly", Action::Forget),
        ("group.kept", Action::Forget),
    ];
    let mut table = String::new();
    for (address, action) in changes {
        let mut plan = plan(Vec::new());
        plan.changes.push(Change {
            address: addr(address),
            action,
            before: None,
            after: None,
            fields: Vec::new(),
            from: Some("group.before".into()),
            notes: Vec::new(),
        });
        let human = dingform::render::human(&plan, &Sources::new(), false);
        let headline = human
            .lines()
            .find_map(|line| line.trim().strip_prefix("# "))
            .unwrap_or_else(|| panic!("no headline for {address}:\n{human}"));
        table.push_str(&format!(
            "plan:  {headline}\napply: {}\n\n",
            apply_report::step(&addr(address), action, &StepOutcome::Done)
        ));
    }
    insta::assert_snapshot!("apply_report_words_of_the_plan", table);
}

/// Terraform's flag works as `--yes` does (the issue's own reproduction typed it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_approve_is_yes() {
    let emu = Emu::start().await;
    let ws = Workspace::with_files(&[(
        "groups.yaml",
        "groups:\n  ops: {title: Ops, type: scene, owner: manager4220, members: [u1001]}\n",
    )]);
    let run = ws.run(&emu, &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout
            .contains("Apply complete: 1 added, 0 changed, 0 destroyed."),
        "{}",
        run.stdout
    );
}
