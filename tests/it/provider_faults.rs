//! Retries, rate limiting and idempotency against the emulator's injected faults.

use std::time::{Duration, Instant};

use crate::common::emulator::read_users_at_once;
use crate::common::{AGENT_ID, Emu, fast_retries, unlimited};
use dingform::model::wire::notification::WorkMessage;
use dingform::provider::{
    ClientOptions, DirectoryApi, ErrorKind, MessageApi, NewSceneGroup, RateLimit, RetryPolicy,
    SceneGroupApi, WorkNotification,
};
use serde_json::json;

fn notification(text: &str) -> WorkNotification {
    WorkNotification {
        userids: vec!["u1001".into()],
        dept_ids: Vec::new(),
        to_all_user: false,
        msg: WorkMessage {
            msgtype: "text".into(),
            text: Some(json!({ "content": text })),
            ..WorkMessage::default()
        },
    }
}

fn messages_in(state: &serde_json::Value) -> usize {
    state["messages"].as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn idempotent_requests_converge_through_injected_errors() {
    let emu = Emu::start().await;
    // Ten attempts: with 30 % errors, a call fails only if all ten do (0.3^10 ≈ 6e-6).
    let client = emu.client_with(unlimited(10));
    client.authenticate().await.expect("token");
    emu.faults(json!({ "error_rate": 0.3 })).await;
    for n in 0..40 {
        let userid = format!("u100{}", n % 8 + 1);
        let user = client.get_user(&userid).await.expect("converges");
        assert_eq!(user.userid, userid);
    }
    let stats = client.stats();
    assert!(
        stats.retries > 0,
        "30 % errors over 40 calls must cause retries: {stats:?}"
    );
}

#[tokio::test]
async fn a_keyed_create_retried_through_errors_makes_one_group() {
    let emu = Emu::start().await;
    let client = emu.client_with(unlimited(10));
    client.authenticate().await.expect("token");
    emu.faults(json!({ "error_rate": 0.3, "drop_rate": 0.2 }))
        .await;
    for _ in 0..5 {
        let group = NewSceneGroup {
            title: "Incidents".into(),
            template_id: "tpl-default".into(),
            owner: "manager4220".into(),
            members: vec!["u1001".into()],
            uuid: Some("group.incidents".into()),
            ..NewSceneGroup::default()
        };
        client.create_scene_group(&group).await.expect("converges");
    }
    emu.faults(json!({})).await;
    let state = emu.state().await;
    let groups = state["groups"].as_array().expect("groups");
    assert_eq!(
        groups
            .iter()
            .filter(|g| g["uuid"] == "group.incidents")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_send_is_not_resent_after_its_connection_dropped() {
    let emu = Emu::start().await;
    let client = emu.client_with(unlimited(6));
    client.authenticate().await.expect("token");
    emu.faults(json!({ "drop_rate": 1.0 })).await;
    let before = client.stats().requests;
    let error = client
        .send_work_notification(AGENT_ID, &notification("deploy at 18:00"))
        .await
        .expect_err("dropped");
    assert!(error.maybe_processed(), "{error}");
    assert_eq!(error.attempts(), 1, "{error}");
    assert_eq!(client.stats().requests - before, 1, "sent exactly once");

    // The same drop on a read is retried to the bound.
    let before = client.stats().requests;
    let error = client.get_user("u1001").await.expect_err("dropped");
    assert_eq!(error.attempts(), 6, "{error}");
    assert_eq!(client.stats().requests - before, 6);
}

#[tokio::test]
async fn sends_under_drops_are_never_duplicated() {
    let emu = Emu::start().await;
    let client = emu.client_with(unlimited(6));
    client.authenticate().await.expect("token");
    let baseline = messages_in(&emu.state().await);
    emu.faults(json!({ "drop_rate": 0.5 })).await;
    let mut accepted = 0;
    for n in 0..20 {
        match client
            .send_work_notification(AGENT_ID, &notification(&format!("note {n}")))
            .await
        {
            Ok(_) => accepted += 1,
            Err(error) => assert!(error.maybe_processed() && error.attempts() == 1, "{error}"),
        }
    }
    emu.faults(json!({})).await;
    // The emulator drops before processing, so what it recorded is exactly what we saw accepted.
    assert_eq!(messages_in(&emu.state().await) - baseline, accepted);
}

#[tokio::test]
async fn the_rate_limiter_keeps_throttling_from_the_caller() {
    let emu = Emu::start().await;
    let options = ClientOptions {
        rate_limit: RateLimit::per_second(10.0),
        retry: fast_retries(6),
        ..ClientOptions::default()
    };
    let client = emu.client_with(options);
    client.authenticate().await.expect("token");
    emu.faults(json!({ "qps_limit": 10 })).await;
    let started = Instant::now();
    read_users_at_once(&client, 30).await;
    let elapsed = started.elapsed();
    let stats = client.stats();
    // 30 reads at 10/s: the first goes at once, the rest 100 ms apart.
    assert!(elapsed.as_secs_f64() >= 2.8, "{elapsed:?}");
    // Timer jitter may let one request into the next second's window early; the retry absorbs
    // it, but the limiter must keep such cases rare.
    assert!(stats.throttled <= 2, "{stats:?}");
}

#[tokio::test]
async fn without_the_limiter_throttling_shows() {
    let emu = Emu::start().await;
    let client = emu.client_with(unlimited(1));
    client.authenticate().await.expect("token");
    emu.faults(json!({ "qps_limit": 10 })).await;
    let reads: Vec<_> = (0..30)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_user("u1003").await })
        })
        .collect();
    let mut throttled = 0;
    for read in reads {
        if let Err(error) = read.await.unwrap() {
            assert_eq!(error.kind(), ErrorKind::Throttled, "{error}");
            assert!(error.code().is_some());
            throttled += 1;
        }
    }
    assert!(
        throttled >= 10,
        "30 concurrent reads over a 10/s limit: {throttled} throttled"
    );
}

#[tokio::test]
async fn throttled_sends_are_resent_because_throttling_proves_nothing_happened() {
    let emu = Emu::start().await;
    // No client-side limiter: the emulator's 5/s limit throttles most of a burst of 12.
    let client = emu.client_with(ClientOptions {
        rate_limit: RateLimit::unlimited(),
        retry: RetryPolicy {
            max_attempts: 12,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
        },
        ..ClientOptions::default()
    });
    client.authenticate().await.expect("token");
    let baseline = messages_in(&emu.state().await);
    emu.faults(json!({ "qps_limit": 5 })).await;
    let sends: Vec<_> = (0..12)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .send_work_notification(AGENT_ID, &notification(&format!("burst {n}")))
                    .await
            })
        })
        .collect();
    for send in sends {
        send.await.unwrap().expect("every send gets through");
    }
    emu.faults(json!({})).await;
    let stats = client.stats();
    assert!(stats.throttled > 0, "the burst was throttled: {stats:?}");
    assert_eq!(
        messages_in(&emu.state().await) - baseline,
        12,
        "each sent exactly once"
    );
}
