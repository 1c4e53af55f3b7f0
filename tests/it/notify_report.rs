//! The notify reports (`render::notify_report`): snapshots of a runner cycle and of `notify
//! status` built by hand (delivered, awaiting results, failed, incomplete with every kind of
//! undelivered recipient, missed runs folded, nothing due, totals), then of a real `notify
//! run --once` and `notify status` against the emulator.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use dingform::model::occurrence::{CycleReport, OccurrenceReport, OccurrenceStatus, Summary};
use dingform::render::notify_report::{self, Zones};

use crate::common::{Emu, Workspace};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn occurrence(
    notification: &str,
    when: &str,
    status: OccurrenceStatus,
    summary: Summary,
) -> OccurrenceReport {
    OccurrenceReport {
        notification: notification.into(),
        occurrence: at(when),
        status,
        reason: None,
        summary,
    }
}

fn delivered(users: usize) -> Summary {
    Summary {
        requests: 1,
        delivered: users,
        ..Summary::default()
    }
}

/// `standup` runs in Asia/Shanghai; `retired` is no longer registered, so its times are UTC.
fn zones() -> Zones {
    Zones::from([("standup".to_owned(), chrono_tz::Asia::Shanghai)])
}

fn undelivered() -> Summary {
    Summary {
        requests: 3,
        delivered: 40,
        resent: 2,
        failed: vec!["u1002".into(), "u1003".into()],
        forbidden: BTreeMap::from([(
            "143106".to_owned(),
            (1..=7).map(|n| format!("u20{n:02}")).collect(),
        )]),
        invalid: vec!["dept:99".into()],
        refused: BTreeMap::from([("per-user-daily".to_owned(), vec!["u1009".into()])]),
        pending: 0,
        unconfirmed: 1,
    }
}

#[test]
fn a_cycle_shows_each_occurrence_in_its_zone_with_counts_and_failures() {
    let missed = |when: &str| OccurrenceReport {
        reason: Some("beyond the grace window of 15 minutes: not sent".into()),
        ..occurrence(
            "retired",
            when,
            OccurrenceStatus::Missed,
            Summary::default(),
        )
    };
    let report = CycleReport {
        occurrences: vec![
            occurrence(
                "standup",
                "2026-03-02T01:00:00Z",
                OccurrenceStatus::Delivered,
                delivered(8),
            ),
            occurrence(
                "digest",
                "2026-03-02T01:00:00Z",
                OccurrenceStatus::Sent,
                Summary {
                    pending: 2,
                    requests: 2,
                    ..Summary::default()
                },
            ),
            OccurrenceReport {
                reason: Some("the platform refused it: 40035 invalid template id".into()),
                ..occurrence(
                    "standup",
                    "2026-03-02T01:05:00Z",
                    OccurrenceStatus::Failed,
                    Summary::default(),
                )
            },
            occurrence(
                "weekly",
                "2026-03-02T02:00:00Z",
                OccurrenceStatus::Incomplete,
                undelivered(),
            ),
            missed("2026-02-27T01:00:00Z"),
            missed("2026-02-28T01:00:00Z"),
            missed("2026-03-01T01:00:00Z"),
            missed("2026-03-02T01:00:00Z"),
        ],
        errors: vec!["notification.weekly: cannot follow up: connection refused".into()],
        paced: Duration::from_secs(42),
    };
    assert!(!report.is_success());
    insta::assert_snapshot!(
        "notify_report_cycle",
        format!(
            "--- stdout\n{}--- stderr\n{}",
            notify_report::cycle(&report, &zones()),
            notify_report::cycle_errors(&report)
        )
    );
}

#[test]
fn a_few_missed_occurrences_are_shown_one_by_one_and_nothing_due_says_so() {
    let report = CycleReport {
        occurrences: vec![
            occurrence(
                "standup",
                "2026-03-01T01:00:00Z",
                OccurrenceStatus::Missed,
                Summary::default(),
            ),
            occurrence(
                "standup",
                "2026-03-02T01:00:00Z",
                OccurrenceStatus::Missed,
                Summary::default(),
            ),
        ],
        ..CycleReport::default()
    };
    insta::assert_snapshot!(
        "notify_report_two_missed",
        notify_report::cycle(&report, &zones())
    );
    let nothing = CycleReport::default();
    assert_eq!(notify_report::cycle(&nothing, &zones()), "nothing due\n");
    assert_eq!(notify_report::cycle_errors(&nothing), "");
    assert!(nothing.is_success());
}

#[test]
fn status_lists_occurrences_newest_first_then_totals_per_notification() {
    let lines = vec![
        occurrence(
            "standup",
            "2026-03-03T01:00:00Z",
            OccurrenceStatus::Delivered,
            delivered(8),
        ),
        occurrence(
            "retired",
            "2026-03-02T02:00:00Z",
            OccurrenceStatus::Incomplete,
            undelivered(),
        ),
        OccurrenceReport {
            reason: Some("no access token could be had".into()),
            ..occurrence(
                "standup",
                "2026-03-02T01:00:00Z",
                OccurrenceStatus::NotSent,
                Summary::default(),
            )
        },
        occurrence(
            "standup",
            "2026-02-27T01:00:00Z",
            OccurrenceStatus::Delivered,
            delivered(7),
        ),
    ];
    insta::assert_snapshot!(
        "notify_report_status",
        notify_report::status(&lines, &zones())
    );
    assert_eq!(notify_report::status(&[], &zones()), "no deliveries yet\n");
}

const MANIFEST: &str = "\
bots:
  alerts: {robot_code: dingbot-alerts, name: Alert Bot}
groups:
  oncall: {title: On-call, type: scene, owner: manager4220, members: [u1001], bots: [alerts]}
notifications:
  standup:
    schedule: '0 9 * * 1-5'
    timezone: Asia/Shanghai
    via: {bot: alerts, group: oncall}
    message: {text: {content: Stand-up time}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_run_and_status_show_what_was_sent_in_the_schedules_zone() {
    let emu = Emu::start().await;
    let ws = Workspace::with_files(&[("notifications.yaml", MANIFEST)]);
    let before = ws.run(&emu, &["notify", "status"]);
    assert_eq!(before.code, 0, "{}", before.text());
    crate::assert_filtered_snapshot!("notify_report_status_before_any_send", before.snapshot());

    ws.run(&emu, &["apply", "--yes"]).expect_code(0);
    // Monday 09:00 in Shanghai: the stand-up is due.
    let sent = ws.run(
        &emu,
        &[
            "notify",
            "run",
            "--once",
            "--at",
            "2026-03-02T09:00:00+08:00",
        ],
    );
    assert_eq!(sent.code, 0, "{}", sent.text());
    assert_eq!(
        sent.stdout,
        "notification.standup 2026-03-02T09:00:00+08:00 delivered: 1 delivered, 1 request\n",
        "the time as the schedule reads it"
    );
    crate::assert_filtered_snapshot!("notify_report_real_run", sent.snapshot());

    // An hour later nothing is due.
    let later = ws.run(
        &emu,
        &[
            "notify",
            "run",
            "--once",
            "--at",
            "2026-03-02T10:00:00+08:00",
        ],
    );
    assert_eq!(later.code, 0, "{}", later.text());
    assert_eq!(later.stdout, "nothing due\n");

    let status = ws.run(&emu, &["notify", "status"]);
    assert_eq!(status.code, 0, "{}", status.text());
    assert!(
        status
            .stdout
            .contains("notification.standup: 1 delivered; 1 delivered, 1 request"),
        "{}",
        status.stdout
    );
    crate::assert_filtered_snapshot!("notify_report_real_status", status.snapshot());
}

/// `notify run` as a service says on stderr when it runs and, as its last line, that a signal
/// stopped it. The test sends SIGTERM once the first line is out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_says_when_it_runs_and_that_a_signal_stopped_it() {
    use std::io::{BufRead, Read};
    use std::process::Stdio;

    use crate::common::deadline::KillAfter;

    let emu = Emu::start().await;
    let ws = Workspace::with_files(&[("notifications.yaml", MANIFEST)]);
    ws.run(&emu, &["apply", "--yes"]).expect_code(0);
    let mut command = ws.command(&emu, &["notify", "run", "--interval", "3600"]);
    let run = tokio::task::spawn_blocking(move || {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn notify run");
        let pid = child.id().to_string();
        let deadline = KillAfter::new(child.id(), Duration::from_secs(60));
        let mut stderr = std::io::BufReader::new(child.stderr.take().expect("piped"));
        let mut text = String::new();
        stderr.read_line(&mut text).expect("stderr");
        let term = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(term.success(), "SIGTERM to {pid}");
        stderr.read_to_string(&mut text).expect("stderr");
        let status = child.wait().expect("wait");
        drop(deadline);
        crate::common::Run {
            code: status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: text,
        }
    })
    .await
    .expect("join");
    crate::assert_filtered_snapshot!("notify_report_service_banners", run.snapshot());
}
