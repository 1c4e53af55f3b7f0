//! What the delivery-log tests build again and again: a runner's options with quick polling, the
//! intent a runner records before a send, and a due occurrence's claim.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use dingform::notify::RunOptions;
use dingform::notify::delivery::{Channel, DeliveryStore, NewSend, OccurrenceStatus};
use serde_json::Value;

use crate::common::AGENT_ID;

/// The day the delivery-log tests run on.
pub const DAY: &str = "2026-03-02";

/// `h:m` UTC on [`DAY`].
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
}

/// Runner options for the demo app that follow up and poll quickly (no test waits seconds).
pub fn runner_options() -> RunOptions {
    RunOptions {
        agent_id: Some(AGENT_ID),
        follow_up_wait: Duration::from_secs(10),
        poll_interval: Duration::from_millis(20),
        ..RunOptions::default()
    }
}

/// The first request of `notification`'s 09:00 occurrence on [`DAY`], as a runner records it
/// before sending (recorded now); a test changes what it needs with `NewSend { …, ..intent() }`.
pub fn intent<'a>(
    notification: &'a str,
    channel: Channel,
    users: &'a [String],
    payload: &'a Value,
) -> NewSend<'a> {
    NewSend {
        notification,
        occurrence: at(9, 0),
        attempt: 0,
        batch: 0,
        channel,
        users,
        departments: &[],
        to_all: false,
        fingerprint: "x",
        day: DAY,
        payload,
        at: Utc::now(),
    }
}

/// Claim `notification`'s `occurrence` to send it, at that instant, as a runner does when it is
/// due; whether this claim got it.
pub async fn claim_due(
    store: &dyn DeliveryStore,
    notification: &str,
    occurrence: DateTime<Utc>,
) -> bool {
    store
        .claim(
            notification,
            occurrence,
            OccurrenceStatus::Claimed,
            None,
            occurrence,
        )
        .await
        .expect("claim")
}
