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
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .contains("notification.standup 2026-03-02T09:00:00Z delivered"),
        "{first:?}"
    );
    assert!(
        first
            .stdout
            .contains("notification.digest 2026-03-02T09:00:00Z delivered: 2 delivered"),
        "{first:?}"
    );
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
        assert_eq!(again.code, 0, "{again:?}");
        assert!(again.stdout.contains("nothing due"), "{again:?}");
    }
    assert_eq!(fx.messages().await.len(), 2);

    let status = fx.status().await;
    assert_eq!(status.code, 0, "{status:?}");
    assert!(
        status
            .stdout
            .contains("notification.digest  delivered: 2 delivered, 1 request"),
        "{status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_yet_due_occurrence_is_not_sent() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest {{date}}"));
    let early = fx.run_once("2026-03-02T08:59:59Z").await;
    assert_eq!(early.code, 0, "{early:?}");
    assert!(early.stdout.contains("nothing due"), "{early:?}");
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
    let root = fx.root().display().to_string();
    let args = [
        "notify",
        "run",
        &root,
        "--once",
        "--at",
        "2026-03-02T09:01:00Z",
    ];
    // Both processes start before either is waited for.
    let mut a = fx.command(&args);
    let mut b = fx.command(&args);
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
    let late = fx.run_once("2026-03-02T09:10:00Z").await;
    assert_eq!(late.code, 1, "a missed occurrence is a failure: {late:?}");
    assert!(
        late.stdout
            .contains("notification.digest 2026-03-02T09:00:00Z delivered"),
        "{late:?}"
    );
    assert!(
        late.stdout.contains("notification.strict 2026-03-02T09:00:00Z missed: 0 delivered, 0 requests (10 minutes late, beyond the grace window of 5 minutes"),
        "{late:?}"
    );
    let works = fx.messages_of("work_notification").await;
    assert_eq!(
        works.len(),
        1,
        "only the one inside its grace window: {works:?}"
    );
    assert_eq!(works[0]["recipients"], json!(["u1001"]));

    // Days of downtime: no flood, each missed occurrence recorded once.
    let after = fx.run_once("2026-03-05T12:00:00Z").await;
    assert_eq!(after.code, 1);
    assert_eq!(after.stdout.matches("missed").count(), 6, "{after:?}");
    assert_eq!(fx.messages_of("work_notification").await.len(), 1);
    let status = fx.status().await;
    assert_eq!(status.code, 1, "{status:?}");
    assert!(
        status
            .stdout
            .contains("2026-03-05T09:00:00Z  notification.strict  missed"),
        "{status:?}"
    );
    // Longer downtime: one line per notification, not one per occurrence.
    let week = fx.run_once("2026-03-10T12:00:00Z").await;
    assert_eq!(week.code, 1);
    assert!(
        week.stdout.contains(
            "notification.digest: 5 occurrences missed, 2026-03-06T09:00:00Z … 2026-03-10T09:00:00Z"
        ),
        "{week:?}"
    );
    assert_eq!(week.stdout.lines().count(), 2, "{week:?}");
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
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("incomplete: 0 delivered, 2 requests, 3 resent; failed 3 (after one resend: u1001, u1002, u1003)"),
        "{run:?}"
    );
    let works = fx.messages_of("work_notification").await;
    assert_eq!(
        works.len(),
        2,
        "the send and one resend, never more: {works:?}"
    );
    assert_eq!(works[1]["recipients"], json!(["u1001", "u1002", "u1003"]));

    // Rerunning does not resend again.
    fx.admin("faults", json!({})).await;
    assert!(
        fx.run_once("2026-03-02T09:02:00Z")
            .await
            .stdout
            .contains("nothing due")
    );
    assert_eq!(fx.messages_of("work_notification").await.len(), 2);
    let status = fx.status().await;
    assert_eq!(status.code, 1);
    assert!(
        status
            .stdout
            .contains("failed 3 (after one resend: u1001, u1002, u1003)"),
        "{status:?}"
    );
    assert!(
        status.stdout.contains(
            "notification.digest: 1 incomplete; 0 delivered, 2 requests, 3 resent; failed 3"
        ),
        "totals per notification: {status:?}"
    );
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
    for at in [
        "2026-03-02T01:00:00Z",
        "2026-03-02T01:30:00Z",
        "2026-03-02T02:00:00Z",
        "2026-03-02T02:30:00Z",
        "2026-03-02T03:00:00Z",
    ] {
        let run = fx.run_once(at).await;
        assert_eq!(
            run.code,
            if at.ends_with("02:30:00Z") { 1 } else { 0 },
            "{at}: {run:?}"
        );
    }
    let fourth = fx.run_once("2026-03-02T04:00:00Z").await;
    assert_eq!(fourth.code, 1, "{fourth:?}");
    assert!(
        fourth
            .stdout
            .contains("refused: 0 delivered, 0 requests (to-all-user-daily"),
        "{fourth:?}"
    );
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
    assert!(
        status.stdout.contains("notification.same  refused"),
        "{status:?}"
    );
    assert!(status.stdout.contains("same-content-daily"), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_error() {
    let fx = Fixture::start().await;
    let root = fx.root().display().to_string();
    let bad = fx
        .dingform(&["notify", "run", &root, "--once", "--at", "tomorrow"])
        .await;
    assert_eq!(bad.code, 1, "a usage error exits 1: {bad:?}");
    assert!(
        bad.stderr.contains("`tomorrow` is not an RFC 3339 time"),
        "{bad:?}"
    );
    let no_state = fx.run_once("2026-03-02T09:00:00Z").await;
    assert_eq!(no_state.code, 1);
    assert!(no_state.stderr.contains("no state at"), "{no_state:?}");
    let missing = output(fx.command(&["notify", "status", "/nonexistent/dir"]));
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("/nonexistent/dir: not a directory"),
        "{missing:?}"
    );
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
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "incomplete: 1 delivered, 1 request; forbidden same-content-daily 143106: 1 (u1001)"
        ),
        "{run:?}"
    );
    let status = fx.status().await;
    assert!(status.stdout.contains("143106: 1 (u1001)"), "{status:?}");
}
