//! `dingform notify run --once --at …` and `notify status`, the real binary against the real
//! emulator: what is due is sent once (reruns, a concurrent second runner), what is not due is
//! not, the grace window, failed users resent once, and the daily limits.

use crate::notify_support::{Fixture, bot_daily, output, work};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_occurrence_is_sent_once_across_reruns() {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    fx.register("standup", bot_daily("Stand-up {{date}} ({{weekday}})"));
    fx.register(
        "digest",
        work("0 9 * * *", &["u1001", "u1002"], "Digest {{date}}"),
    );

    let first = fx.run_once("2026-03-02T09:00:20Z").await;
    crate::assert_filtered_snapshot!("due_once_first_run", first.snapshot());
    let bots = fx.messages_of("bot").await;
    assert_eq!(bots.len(), 1, "{bots:?}");
    assert!(
        bots[0]["content"]
            .to_string()
            .contains("Stand-up 2026-03-02 (Monday)"),
        "template variables rendered at the occurrence: {}",
        bots[0]["content"]
    );
    let works = fx.messages_of("work_notification").await;
    assert_eq!(works.len(), 1);
    assert_eq!(works[0]["recipients"], json!(["u1001", "u1002"]));

    // Again at the same instant, and a few minutes later: nothing more.
    for at in ["2026-03-02T09:00:20Z", "2026-03-02T09:04:00Z"] {
        let again = fx.run_once(at).await;
        crate::assert_filtered_snapshot!("due_once_rerun", again.snapshot());
    }
    assert_eq!(fx.messages().await.len(), 2);

    let status = fx.status().await;
    crate::assert_filtered_snapshot!("due_once_status", status.snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_yet_due_occurrence_is_not_sent() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest {{date}}"));
    let early = fx.run_once("2026-03-02T08:59:59Z").await;
    crate::assert_filtered_snapshot!("not_yet_due", early.snapshot());
    assert!(fx.messages().await.is_empty());
    // Its minute comes: sent.
    let due = fx.run_once("2026-03-02T09:00:00Z").await;
    assert_eq!(due.code, 0, "{due:?}");
    assert_eq!(fx.messages().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_at_once_send_once() {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    fx.register("standup", bot_daily("Stand-up {{date}}"));
    fx.register(
        "digest",
        work("0 9 * * *", &["u1001", "u1003"], "Digest {{date}}"),
    );
    // Both processes start before either is waited for.
    let mut a = fx.run_once_command("2026-03-02T09:01:00Z");
    let mut b = fx.run_once_command("2026-03-02T09:01:00Z");
    let (a, b) = tokio::task::spawn_blocking(move || {
        let a = a
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn a");
        let b = b
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn b");
        (
            a.wait_with_output().expect("a"),
            b.wait_with_output().expect("b"),
        )
    })
    .await
    .expect("join");
    assert!(a.status.success() && b.status.success(), "{a:?} {b:?}");
    assert_eq!(fx.messages_of("bot").await.len(), 1);
    assert_eq!(fx.messages_of("work_notification").await.len(), 1);
    // Exactly one of them reported sending.
    let reports = [a.stdout, b.stdout].map(|s| String::from_utf8_lossy(&s).into_owned());
    let senders = reports
        .iter()
        .filter(|r| r.contains("notification.digest"))
        .count();
    assert_eq!(senders, 1, "{reports:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_within_the_grace_window_is_sent_beyond_it_missed() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest {{date}}"));
    let mut strict = work("0 9 * * *", &["u1002"], "Strict {{date}}");
    strict["grace"] = json!("5m");
    fx.register("strict", strict);

    // The runner was up before 09:00, then down until 09:10.
    assert_eq!(fx.run_once("2026-03-02T08:50:00Z").await.code, 0);
    // A missed occurrence is a failure (exit 1).
    let late = fx.run_once("2026-03-02T09:10:00Z").await;
    crate::assert_filtered_snapshot!("grace_late", late.snapshot());
    let works = fx.messages_of("work_notification").await;
    assert_eq!(
        works.len(),
        1,
        "only the one inside its grace window: {works:?}"
    );
    assert_eq!(works[0]["recipients"], json!(["u1001"]));

    // Days of downtime: no flood, each missed occurrence recorded once.
    let after = fx.run_once("2026-03-05T12:00:00Z").await;
    crate::assert_filtered_snapshot!("grace_days_down", after.snapshot());
    assert_eq!(fx.messages_of("work_notification").await.len(), 1);
    let status = fx.status().await;
    crate::assert_filtered_snapshot!("grace_days_down_status", status.snapshot());
    // Longer downtime: one line per notification, not one per occurrence.
    let week = fx.run_once("2026-03-10T12:00:00Z").await;
    crate::assert_filtered_snapshot!("grace_week_down", week.snapshot());
    assert_eq!(fx.messages_of("work_notification").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_users_are_resent_once_and_reported() {
    let fx = Fixture::start().await;
    fx.register(
        "digest",
        work("0 9 * * *", &["u1001", "u1002", "u1003"], "Digest {{date}}"),
    );
    fx.admin("faults", json!({"delivery_failure_rate": 1.0}))
        .await;
    let run = fx.run_once("2026-03-02T09:00:00Z").await;
    crate::assert_filtered_snapshot!("resent_once", run.snapshot());
    let works = fx.messages_of("work_notification").await;
    assert_eq!(
        works.len(),
        2,
        "the send and one resend, never more: {works:?}"
    );
    assert_eq!(works[1]["recipients"], json!(["u1001", "u1002", "u1003"]));

    // Rerunning does not resend again.
    fx.admin("faults", json!({})).await;
    let rerun = fx.run_once("2026-03-02T09:02:00Z").await;
    crate::assert_filtered_snapshot!("resent_once_rerun", rerun.snapshot());
    assert_eq!(fx.messages_of("work_notification").await.len(), 2);
    // The failed users, and totals per notification.
    let status = fx.status().await;
    crate::assert_filtered_snapshot!("resent_once_status", status.snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partly_failed_send_reaches_everyone_after_the_resend() {
    let fx = Fixture::start().await;
    let users: Vec<String> = [
        "u1001", "u1002", "u1003", "u1004", "u1005", "u1006", "u1007", "u1008",
    ]
    .map(String::from)
    .to_vec();
    let refs: Vec<&str> = users.iter().map(String::as_str).collect();
    fx.register("digest", work("0 9 * * *", &refs, "Digest {{date}}"));
    // Half fail on the first request; the resend goes to those and only those.
    fx.admin("faults", json!({"delivery_failure_rate": 0.5}))
        .await;
    let run = fx.run_once("2026-03-02T09:00:00Z").await;
    let works = fx.messages_of("work_notification").await;
    let failed_first: Vec<String> = works[0]["task"]["failed_user_ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if failed_first.is_empty() {
        assert_eq!(works.len(), 1, "nothing failed, nothing resent");
    } else {
        assert_eq!(works.len(), 2, "{works:?}");
        assert_eq!(works[1]["recipients"], json!(failed_first));
    }
    assert!(run.stdout.contains("notification.digest"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_limits_hold() {
    let fx = Fixture::start().await;
    // Everyone, hourly, with a varying field: the fourth of the day is refused.
    let all = json!({
        "schedule": "0 1-4 * * *",
        "timezone": "UTC",
        "via": {"work_notification": {"all_users": true}},
        "message": {"text": {"content": "Hourly {{time}}"}},
    });
    fx.register("everyone", all);
    // Identical content twice a day to the same users: the second is refused.
    fx.register(
        "same",
        work("30 1,2 * * *", &["u1001"], "Same text every time"),
    );
    let runs: Vec<String> = {
        let mut runs = Vec::new();
        for at in [
            "2026-03-02T01:00:00Z",
            "2026-03-02T01:30:00Z",
            "2026-03-02T02:00:00Z",
            "2026-03-02T02:30:00Z",
            "2026-03-02T03:00:00Z",
            "2026-03-02T04:00:00Z",
        ] {
            runs.push(format!("--- at {at}\n{}", fx.run_once(at).await.snapshot()));
        }
        runs
    };
    crate::assert_filtered_snapshot!("daily_limits_runs", runs.join("\n"));
    let works = fx.messages_of("work_notification").await;
    let to_all = works
        .iter()
        .filter(|m| m["content"].to_string().contains("Hourly"))
        .count();
    assert_eq!(to_all, 3, "never a fourth to all users: {works:?}");
    let same = works
        .iter()
        .filter(|m| m["content"].to_string().contains("Same text"))
        .count();
    assert_eq!(same, 1, "the same content once a day: {works:?}");
    let status = fx.status().await;
    crate::assert_filtered_snapshot!("daily_limits_status", status.snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_error() {
    let fx = Fixture::start().await;
    let root = fx.root().display().to_string();
    // A usage error exits 1.
    let bad = fx
        .dingform(&["notify", "run", &root, "--once", "--at", "tomorrow"])
        .await;
    crate::assert_filtered_snapshot!("bad_at", bad.snapshot());
    let no_state = fx.run_once("2026-03-02T09:00:00Z").await;
    crate::assert_filtered_snapshot!("bad_no_state", no_state.snapshot());
    let missing = output(fx.command(&["notify", "status", "/nonexistent/dir"]));
    crate::assert_filtered_snapshot!("bad_status_dir", missing.snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipients_the_platform_forbids_are_reported_by_reason() {
    use dingform::model::wire::notification::WorkMessage;
    use dingform::provider::{MessageApi, WorkNotification};
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001", "u1002"], "Digest"));
    // Someone else (not this runner's log) already sent u1001 the same text today.
    fx.client()
        .send_work_notification(
            crate::common::AGENT_ID,
            &WorkNotification {
                userids: vec!["u1001".into()],
                dept_ids: vec![],
                to_all_user: false,
                msg: WorkMessage {
                    msgtype: "text".into(),
                    text: Some(json!({"content": "Digest"})),
                    ..WorkMessage::default()
                },
            },
        )
        .await
        .expect("send");
    let run = fx.run_once("2026-03-02T09:00:00Z").await;
    crate::assert_filtered_snapshot!("forbidden_by_reason", run.snapshot());
    let status = fx.status().await;
    crate::assert_filtered_snapshot!("forbidden_by_reason_status", status.snapshot());
}
