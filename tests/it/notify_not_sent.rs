//! A send that certainly did not go out is `not_sent` in the delivery log and sent again by
//! the next run within the grace window; one whose answer was lost (it may have gone out) is
//! `unknown` and never resent. "Certainly not" is: the access token could not be had (its
//! request failed, or its answer was lost: the send itself was never written), or the
//! connection was refused. Both delivery stores, through the `DeliveryStore` seam.

use std::time::Duration;

use crate::notify_support::log::{at, claim_due, intent, runner_options};
use crate::notify_support::{Fixture, output, work};
use dingform::notify::delivery::{Channel, DeliveryStore, NewSend, OccurrenceStatus, SendStatus};
use dingform::notify::{DeliveryLog, Runner};
use dingform::provider::{
    ClientOptions, Credentials, Endpoint, HttpClient, RateLimit, RetryPolicy,
};
use serde_json::json;

/// A base URL where nothing listens (a port bound, then released).
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn client(base: &str) -> HttpClient {
    HttpClient::with_options(
        Endpoint::parse(base).unwrap(),
        Credentials::new("demo-key", "demo-secret"),
        ClientOptions {
            rate_limit: RateLimit::unlimited(),
            retry: RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
            },
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_token_answer_was_lost_is_sent_again_by_the_next_run_within_grace() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    // Every connection is dropped without an answer: the token request's answer is lost, so
    // the work notification itself is never written.
    fx.admin("faults", json!({"drop_rate": 1.0})).await;
    // not_sent (certainly not sent), not unknown.
    let first = fx.run_once("2026-03-02T09:00:00Z").await;
    crate::assert_filtered_snapshot!("token_answer_lost", first.snapshot());
    assert!(
        fx.messages().await.is_empty(),
        "nothing reached the platform"
    );

    fx.admin("faults", json!({})).await;
    let second = fx.run_once("2026-03-02T09:05:00Z").await;
    crate::assert_filtered_snapshot!("token_answer_lost_then_sent", second.snapshot());
    assert_eq!(fx.messages_of("work").await.len(), 1);

    // Sent once: a later run has nothing to do for it.
    let third = fx.run_once("2026-03-02T09:10:00Z").await;
    assert_eq!(third.code, 0, "{third:?}");
    assert_eq!(fx.messages_of("work").await.len(), 1, "{third:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_not_sent_and_given_up_once_beyond_grace() {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    fx.register("ping", crate::notify_support::bot_daily("Ping"));
    let refused = |when: &str| {
        let mut command = fx.run_once_command(when);
        command.env("DINGFORM_ENDPOINT", closed_port());
        command
    };
    let first = tokio::task::spawn_blocking({
        let command = refused("2026-03-02T09:00:00Z");
        move || output(command)
    })
    .await
    .unwrap();
    crate::assert_filtered_snapshot!("refused_connection", first.snapshot());
    // Still refused 10 minutes later: not sent, and still to be sent.
    let second = tokio::task::spawn_blocking({
        let command = refused("2026-03-02T09:10:00Z");
        move || output(command)
    })
    .await
    .unwrap();
    crate::assert_filtered_snapshot!("refused_connection_again", second.snapshot());
    // The endpoint answers again, but 09:00 is now beyond its 15-minute grace window.
    let late = fx.run_once("2026-03-02T09:20:00Z").await;
    crate::assert_filtered_snapshot!("refused_connection_given_up", late.snapshot());
    assert!(fx.messages().await.is_empty(), "never sent");
}

/// Each case runs against every delivery store: SQLite, PostgreSQL and S3.
macro_rules! both_stores {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let log = super::DeliveryLog::open(&dir.path().join("notify.db")).unwrap();
                    super::$case(Box::new(log)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let log = crate::common::postgres::TestDatabase::fresh().await.log("not-sent").await;
                    super::$case(Box::new(log)).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let bucket = crate::s3_or_skip!();
                    let log = dingform::notify::S3DeliveryLog::with_target(bucket.target(), "not-sent")
                        .await
                        .expect("open the S3 delivery log");
                    super::$case(Box::new(log)).await;
                }
            )*
        }
    };
}

both_stores!(
    the_runner_sends_again_what_did_not_go_out,
    a_not_sent_request_is_claimed_again_and_an_unknown_never,
    a_not_sent_occurrence_is_taken_by_one_runner,
);

async fn the_runner_sends_again_what_did_not_go_out(store: Box<dyn DeliveryStore>) {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001", "u1002"], "Digest"));
    let state = fx.state();
    let nowhere = client(&closed_port());
    let mut runner = Runner::with_store(&nowhere, store, runner_options());
    let report = runner.cycle(&state, at(9, 0)).await.unwrap();
    assert_eq!(report.occurrences.len(), 1, "{report:?}");
    assert_eq!(report.occurrences[0].status, OccurrenceStatus::NotSent);
    assert!(!report.is_success());
    let sends = runner.log().sends_of("digest", at(9, 0)).await.unwrap();
    assert_eq!(sends.len(), 1, "{sends:?}");
    assert_eq!(sends[0].status, SendStatus::NotSent);
    let first_id = sends[0].id;

    // The same log, now through a client that reaches the platform.
    let store = runner_log(runner);
    let reachable = fx.client();
    let mut runner = Runner::with_store(&reachable, store, runner_options());
    let report = runner.cycle(&state, at(9, 3)).await.unwrap();
    assert_eq!(report.occurrences.len(), 1, "{report:?}");
    assert_eq!(
        report.occurrences[0].status,
        OccurrenceStatus::Delivered,
        "{report:?}"
    );
    let sends = runner.log().sends_of("digest", at(9, 0)).await.unwrap();
    assert_eq!(sends.len(), 1, "the same request, made again: {sends:?}");
    assert_eq!(sends[0].id, first_id);
    assert_eq!(sends[0].status, SendStatus::Done, "{sends:?}");
    assert_eq!(fx.messages_of("work").await.len(), 1);
    // And never again.
    let report = runner.cycle(&state, at(9, 6)).await.unwrap();
    assert!(report.occurrences.is_empty(), "{report:?}");
    assert_eq!(fx.messages_of("work").await.len(), 1);
}

/// The runner owns its log; the test takes it back to hand it to another runner.
fn runner_log(runner: Runner<'_, HttpClient>) -> Box<dyn DeliveryStore> {
    runner.into_store()
}

async fn a_not_sent_request_is_claimed_again_and_an_unknown_never(store: Box<dyn DeliveryStore>) {
    let users = ["u1001".to_string()];
    let payload = json!({"msgtype": "text"});
    let send = |batch| NewSend {
        batch,
        at: at(9, 0),
        ..intent("digest", Channel::Work, &users, &payload)
    };
    assert!(claim_due(&*store, "digest", at(9, 0)).await);
    let not_sent = store.begin_send(&send(0), at(9, 0)).await.unwrap().unwrap();
    store
        .finish_send(not_sent, SendStatus::NotSent, None, None, Some("no token"))
        .await
        .unwrap();
    let unknown = store.begin_send(&send(1), at(9, 0)).await.unwrap().unwrap();
    store
        .finish_send(
            unknown,
            SendStatus::Unknown,
            None,
            None,
            Some("answer lost"),
        )
        .await
        .unwrap();

    assert_eq!(
        store.begin_send(&send(0), at(9, 1)).await.unwrap(),
        Some(not_sent),
        "a request that did not go out is claimed again, on its own row"
    );
    assert_eq!(
        store.begin_send(&send(0), at(9, 1)).await.unwrap(),
        None,
        "now `sending`: a second claim gets nothing"
    );
    assert_eq!(
        store.begin_send(&send(1), at(9, 1)).await.unwrap(),
        None,
        "an unknown is never made again"
    );
    let rows = store.sends_of("digest", at(9, 0)).await.unwrap();
    let status = |id| rows.iter().find(|r| r.id == id).map(|r| r.status);
    assert_eq!(status(not_sent), Some(SendStatus::Sending));
    assert_eq!(status(unknown), Some(SendStatus::Unknown));
}

async fn a_not_sent_occurrence_is_taken_by_one_runner(store: Box<dyn DeliveryStore>) {
    assert!(claim_due(&*store, "digest", at(9, 0)).await);
    store
        .set_occurrence(
            "digest",
            at(9, 0),
            OccurrenceStatus::NotSent,
            Some("no token"),
        )
        .await
        .unwrap();
    let taken = store.take_not_sent(at(9, 1)).await.unwrap();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0].notification, "digest");
    assert_eq!(taken[0].occurrence, at(9, 0));
    assert!(
        store.take_not_sent(at(9, 1)).await.unwrap().is_empty(),
        "taken once"
    );
    let row = store.occurrence("digest", at(9, 0)).await.unwrap().unwrap();
    assert_eq!(row.status, OccurrenceStatus::Claimed);
    assert_eq!(
        OccurrenceStatus::parse("not_sent"),
        OccurrenceStatus::NotSent
    );
    assert_eq!(SendStatus::parse("not_sent"), SendStatus::NotSent);
}
