//! The runner as a library over a real delivery log: a crash between a send and its record is
//! recovered by asking the platform (task id known) or reported `unknown` (no id), never
//! resent; two runners on one log send once; large sends are split in requests of at most
//! 5,000 users and paced.

use std::time::Duration;

use crate::common::AGENT_ID;
use crate::common::bulk_user;
use crate::notify_support::log::{at, claim_due, intent, runner_options};
use crate::notify_support::{Fixture, work};
use chrono::Utc;
use dingform::model::wire::notification::WorkMessage;
use dingform::notify::log::{Channel, NewSend, SendStatus};
use dingform::notify::{DeliveryLog, OccurrenceStatus, Pace, RunOptions, Runner, RunnerLock};
use dingform::provider::{MessageApi, WorkNotification};
use serde_json::json;

fn text(content: &str) -> WorkMessage {
    WorkMessage {
        msgtype: "text".into(),
        text: Some(json!({"content": content})),
        ..WorkMessage::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_without_a_recorded_answer_is_unknown_and_never_resent() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let log = DeliveryLog::open(&fx.db()).expect("log");
    // A runner claimed 09:00, recorded its intent, and died before the answer came back.
    let raw = DeliveryLog::open(&fx.db()).expect("log");
    assert!(claim_due(&raw, "digest", at(9, 0)).await);
    raw.begin_send(&intent(
        "digest",
        Channel::Work,
        &["u1001".to_string()],
        &json!({}),
    ))
    .unwrap();
    let client = fx.client();
    let mut runner = Runner::new(&client, log, runner_options());
    let report = runner.cycle(&fx.state(), at(9, 1)).await.expect("cycle");
    assert_eq!(report.occurrences.len(), 1, "{report:?}");
    assert_eq!(report.occurrences[0].status, OccurrenceStatus::Unknown);
    assert!(!report.is_success());
    assert!(fx.messages().await.is_empty(), "never sent again");
    // And not later either.
    let report = runner.cycle(&fx.state(), at(9, 5)).await.expect("cycle");
    assert!(report.occurrences.is_empty(), "{report:?}");
    assert!(fx.messages().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_task_id_was_recorded_is_followed_up_not_resent() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001", "u1002"], "Digest"));
    let client = fx.client();
    // The send went out and its task id was recorded; the runner died before marking the
    // occurrence sent.
    let raw = DeliveryLog::open(&fx.db()).expect("log");
    assert!(claim_due(&raw, "digest", at(9, 0)).await);
    let users = vec!["u1001".to_string(), "u1002".to_string()];
    let msg = text("Digest");
    let id = raw
        .begin_send(&NewSend {
            fingerprint: &dingform::notify::compose::fingerprint(&msg),
            ..intent(
                "digest",
                Channel::Work,
                &users,
                &serde_json::to_value(&msg).unwrap(),
            )
        })
        .unwrap();
    let task = client
        .send_work_notification(
            AGENT_ID,
            &WorkNotification {
                userids: users.clone(),
                dept_ids: vec![],
                to_all_user: false,
                msg,
            },
        )
        .await
        .expect("send");
    raw.finish_send(id, SendStatus::Accepted, Some(task.task_id), None, None)
        .unwrap();

    let log = DeliveryLog::open(&fx.db()).expect("log");
    let mut runner = Runner::new(&client, log, runner_options());
    let report = runner.cycle(&fx.state(), at(9, 1)).await.expect("cycle");
    assert_eq!(report.occurrences.len(), 1, "{report:?}");
    assert_eq!(
        report.occurrences[0].status,
        OccurrenceStatus::Delivered,
        "{report:?}"
    );
    assert_eq!(report.occurrences[0].summary.delivered, 2);
    assert_eq!(
        fx.messages().await.len(),
        1,
        "asked the platform, did not send again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runner_tasks_on_one_log_send_once() {
    let fx = Fixture::start().await;
    fx.register("a", work("0 9 * * *", &["u1001"], "A {{date}}"));
    fx.register("b", work("0 9 * * *", &["u1002"], "B {{date}}"));
    let client = fx.client();
    let state = fx.state();
    let db = fx.db();
    let one = async {
        let mut runner = Runner::new(&client, DeliveryLog::open(&db).unwrap(), runner_options());
        let _lock = RunnerLock::acquire(&db).await.unwrap();
        runner.cycle(&state, at(9, 0)).await.unwrap()
    };
    let two = async {
        let mut runner = Runner::new(&client, DeliveryLog::open(&db).unwrap(), runner_options());
        let _lock = RunnerLock::acquire(&db).await.unwrap();
        runner.cycle(&state, at(9, 0)).await.unwrap()
    };
    let (one, two) = tokio::join!(one, two);
    assert_eq!(
        one.occurrences.len() + two.occurrences.len(),
        2,
        "{one:?} {two:?}"
    );
    assert_eq!(fx.messages().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_sends_go_in_requests_of_5000_paced() {
    let fx = Fixture::start_with(Fixture::seed_with_users(10_001)).await;
    let users: Vec<String> = (0..10_001).map(bulk_user).collect();
    let refs: Vec<&str> = users.iter().map(String::as_str).collect();
    fx.register("all-hands", work("0 9 * * *", &refs, "All hands {{date}}"));
    let client = fx.client();
    let pace = Pace {
        users: 5_000,
        per: Duration::from_millis(300),
    };
    let mut runner = Runner::new(
        &client,
        DeliveryLog::open(&fx.db()).unwrap(),
        RunOptions {
            pace,
            follow_up_wait: Duration::from_millis(200),
            ..runner_options()
        },
    );
    let before = Utc::now().timestamp_millis();
    let report = runner.cycle(&fx.state(), at(9, 0)).await.unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.occurrences[0].summary.requests, 3);
    let works = fx.messages().await;
    let sizes: Vec<usize> = works
        .iter()
        .map(|m| m["recipients"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![5_000, 5_000, 1]);
    let times: Vec<i64> = works.iter().map(|m| m["at"].as_i64().unwrap()).collect();
    // Request n cannot be admitted before n windows have passed since the cycle began.
    for (n, at) in times.iter().enumerate() {
        let n = i64::try_from(n).unwrap();
        assert!(
            at - before >= n * 300,
            "request {n} only after {n} windows: {times:?} (cycle began {before})"
        );
    }

    // The emulator throttles 5,000 deliveries a minute (by its clock), so this test's faster
    // pace leaves the later batches still sending: the next cycle follows them up.
    // (10,001 recipients in about a second always span at least three emulator minutes.)
    assert_eq!(report.occurrences[0].status, OccurrenceStatus::Sent);
    assert!(report.occurrences[0].summary.pending > 0, "{report:?}");
    fx.admin("clock", json!({"advance_seconds": 180})).await;
    let report = runner.cycle(&fx.state(), at(9, 3)).await.unwrap();
    assert_eq!(report.occurrences.len(), 1, "{report:?}");
    assert_eq!(report.occurrences[0].status, OccurrenceStatus::Delivered);
    assert_eq!(report.occurrences[0].summary.delivered, 10_001);
    assert_eq!(fx.messages().await.len(), 3, "followed up, never resent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_with_no_answer_is_unknown_and_never_resent() {
    use dingform::provider::DirectoryApi;
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let client = fx.client();
    // The token is fetched; then every connection drops before an answer.
    client.get_user("u1001").await.expect("token and a call");
    fx.admin("faults", json!({"drop_rate": 1.0})).await;
    let mut runner = fx.runner(&client);
    let report = runner.cycle(&fx.state(), at(9, 0)).await.expect("cycle");
    assert_eq!(
        report.occurrences[0].status,
        OccurrenceStatus::Unknown,
        "{report:?}"
    );
    assert!(
        report.occurrences[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("may have been sent, not resent")),
        "{report:?}"
    );
    // The network is back: still not resent.
    fx.admin("faults", json!({})).await;
    let report = runner.cycle(&fx.state(), at(9, 2)).await.expect("cycle");
    assert!(report.occurrences.is_empty(), "{report:?}");
    assert!(fx.messages().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_message_whose_query_key_was_recorded_is_asked_about_not_resent() {
    use dingform::provider::BotMessage;
    let fx = Fixture::start().await;
    let group = fx.group_with_bot().await;
    fx.register("standup", crate::notify_support::bot_daily("Stand-up"));
    let client = fx.client();
    let raw = DeliveryLog::open(&fx.db()).expect("log");
    assert!(claim_due(&raw, "standup", at(9, 0)).await);
    let payload = json!({"robot_code": "dingbot-alerts", "open_conversation_id": group});
    let id = raw
        .begin_send(&intent("standup", Channel::Bot, &[], &payload))
        .unwrap();
    let receipt = client
        .send_bot_message(&BotMessage {
            robot_code: "dingbot-alerts".into(),
            open_conversation_id: group.clone(),
            msg_key: "sampleText".into(),
            msg_param: json!({"content": "Stand-up"}),
        })
        .await
        .expect("send");
    raw.finish_send(
        id,
        SendStatus::Accepted,
        None,
        Some(&receipt.process_query_key),
        None,
    )
    .unwrap();

    let mut runner = fx.runner(&client);
    let report = runner.cycle(&fx.state(), at(9, 1)).await.expect("cycle");
    assert_eq!(
        report.occurrences[0].status,
        OccurrenceStatus::Delivered,
        "{report:?}"
    );
    let sends = runner.log().sends_of("standup", at(9, 0)).await.unwrap();
    assert_eq!(
        sends[0]
            .result
            .as_ref()
            .and_then(|r| r.bot_status.as_deref()),
        Some("SUCCESS"),
        "the platform was asked by processQueryKey"
    );
    assert_eq!(fx.messages().await.len(), 1, "not sent again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_past_the_24_hour_window_are_reported_unconfirmed() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let client = fx.client();
    let msg = text("Digest");
    let users = vec!["u1001".to_string()];
    let task = client
        .send_work_notification(
            AGENT_ID,
            &WorkNotification {
                userids: users.clone(),
                dept_ids: vec![],
                to_all_user: false,
                msg: msg.clone(),
            },
        )
        .await
        .expect("send");
    // Sent 25 hours ago by a runner that then went down before following up.
    let raw = DeliveryLog::open(&fx.db()).expect("log");
    assert!(claim_due(&raw, "digest", at(9, 0)).await);
    let id = raw
        .begin_send(&NewSend {
            // 25 hours before the cycle below, on the runner's clock (`--at`).
            at: at(9, 1) - chrono::Duration::hours(25),
            ..intent(
                "digest",
                Channel::Work,
                &users,
                &serde_json::to_value(&msg).unwrap(),
            )
        })
        .unwrap();
    raw.finish_send(id, SendStatus::Accepted, Some(task.task_id), None, None)
        .unwrap();
    raw.set_occurrence("digest", at(9, 0), OccurrenceStatus::Sent, None)
        .unwrap();
    fx.admin("clock", json!({"advance_seconds": 25 * 3600}))
        .await;

    let mut runner = fx.runner(&client);
    let report = runner.cycle(&fx.state(), at(9, 1)).await.expect("cycle");
    let occurrence = &report.occurrences[0];
    assert_eq!(
        occurrence.status,
        OccurrenceStatus::Incomplete,
        "{report:?}"
    );
    assert_eq!(occurrence.summary.unconfirmed, 1);
    assert!(!report.is_success());
    assert_eq!(fx.messages().await.len(), 1, "not resent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_left_before_any_request_is_sent_within_grace_missed_beyond() {
    let fx = Fixture::start().await;
    fx.register("a", work("0 9 * * *", &["u1001"], "A"));
    fx.register("b", work("0 9 * * *", &["u1002"], "B"));
    // A runner claimed both and died before making any request.
    let raw = DeliveryLog::open(&fx.db()).expect("log");
    for name in ["a", "b"] {
        assert!(claim_due(&raw, name, at(9, 0)).await);
    }
    let client = fx.client();
    let mut runner = fx.runner(&client);
    // Another runner comes back for `a` inside the grace window: sent (once).
    let report = runner.cycle(&fx.state(), at(9, 5)).await.expect("cycle");
    let a = report
        .occurrences
        .iter()
        .find(|o| o.notification == "a")
        .unwrap();
    assert_eq!(a.status, OccurrenceStatus::Delivered, "{report:?}");
    assert_eq!(
        fx.messages().await.len(),
        2,
        "both resumed inside the window"
    );

    // Beyond the window: recorded missed, not sent.
    assert!(claim_due(&raw, "a", at(10, 0)).await);
    let report = runner.cycle(&fx.state(), at(11, 0)).await.expect("cycle");
    let late = report
        .occurrences
        .iter()
        .find(|o| o.notification == "a" && o.occurrence == at(10, 0))
        .unwrap();
    assert_eq!(late.status, OccurrenceStatus::Missed, "{report:?}");
    assert_eq!(fx.messages().await.len(), 2);
}
