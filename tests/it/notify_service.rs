//! `dingform notify run DIR` as a service: the real binary keeps running, sends what comes due
//! and picks up notifications applied after it started.

use std::time::Duration;

use crate::common::wait::until_async;
use crate::notify_support::{Fixture, work};

/// Wait (polling the emulator, up to a deadline) until it has recorded `count` sends.
async fn until_messages(fx: &Fixture, count: usize) -> Vec<serde_json::Value> {
    until_async(Duration::from_secs(30), || async {
        fx.messages().await.len() >= count
    })
    .await;
    fx.messages().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_sends_and_picks_up_newly_applied_schedules() {
    let fx = Fixture::start().await;
    // Every minute: the minute that just began is inside the grace window at start.
    fx.register("ping", work("* * * * *", &["u1001"], "Ping {{datetime}}"));
    let root = fx.root().display().to_string();
    let mut child = fx
        .command(&["notify", "run", &root, "--interval", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the service");
    let first = until_messages(&fx, 1).await;
    assert_eq!(first.len(), 1, "sent at start: {first:?}");

    // Applied while it runs: picked up by the next cycle.
    fx.register("pong", work("* * * * *", &["u1002"], "Pong {{datetime}}"));
    // The event: a send to pong's recipient (the next minute's ping may come first).
    until_async(Duration::from_secs(30), || async {
        fx.messages()
            .await
            .iter()
            .any(|m| m["recipients"] == serde_json::json!(["u1002"]))
    })
    .await;
    let both = fx.messages().await;
    child.kill().expect("stop the service");
    let _ = child.wait();
    assert!(both.len() >= 2, "{both:?}");
    assert!(
        both.iter()
            .any(|m| m["recipients"] == serde_json::json!(["u1002"])),
        "{both:?}"
    );
    // One send at start (not one per minute of the grace window), and at most one more if a
    // minute began while the test ran.
    let pings = both
        .iter()
        .filter(|m| m["content"].to_string().contains("Ping"))
        .count();
    assert!((1..=2).contains(&pings), "{both:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_killed_mid_send_leaves_an_unknown_that_is_never_resent() {
    use dingform::notify::DeliveryLog;
    use dingform::notify::log::SendStatus;
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    // Every answer takes 10 s: the runner is killed while its send is in flight.
    fx.admin("faults", serde_json::json!({"latency_ms": 10_000}))
        .await;
    let mut child = fx
        .run_once_command("2026-03-02T09:00:00Z")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait for the intent to be committed, then kill -9.
    let in_flight = until_async(Duration::from_secs(20), || async {
        fx.db().exists()
            && DeliveryLog::open(&fx.db()).is_ok_and(|log| {
                log.sends_in(SendStatus::Sending)
                    .is_ok_and(|rows| !rows.is_empty())
            })
    })
    .await;
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(
        in_flight,
        "the send's intent was recorded before the request"
    );

    fx.admin("faults", serde_json::json!({})).await;
    let rerun = fx.run_once("2026-03-02T09:01:00Z").await;
    crate::assert_filtered_snapshot!("killed_mid_send_rerun", rerun.snapshot());
    // The killed request is still inside the emulator's 10 s latency (or died with its
    // connection); the reruns answer at once, so a resend would already be recorded here.
    assert_eq!(fx.messages().await.len(), 0);
    let again = fx.run_once("2026-03-02T09:02:00Z").await;
    crate::assert_filtered_snapshot!("killed_mid_send_again", again.snapshot());
    assert_eq!(fx.messages().await.len(), 0);
    let status = fx.status().await;
    crate::assert_filtered_snapshot!("killed_mid_send_status", status.snapshot());
}
