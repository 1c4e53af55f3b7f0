//! One work notification to 20,000 users through the real runner, over real HTTP to the
//! emulator seeded with 20,000 users, paced to the platform's 5,000 recipients a minute.
//!
//! The floor the per-minute limit sets: 20,000 users are 4 requests of 5,000, and at most one
//! fits in each minute, so the last request can leave no earlier than 3 minutes after the
//! first, and the last recipients are delivered inside the 4th minute. Measured in wall time
//! (real tokio clock, real emulator clock).
//!
//!     cargo bench --bench notify                  # the real pace: about 3 minutes
//!     NOTIFY_BENCH_WINDOW_SECS=6 cargo bench --bench notify   # the pace scaled 10× faster

mod notify_support;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use dingform::notify::{DeliveryLog, Runner};
use notify_support::{USERS, World, accepted_at, offsets};

#[tokio::main]
async fn main() {
    let world = World::start().await;
    let (window, pace) = (world.window, world.pace);
    let log = DeliveryLog::open(&world.dir.path().join("notify.db")).expect("log");
    let mut runner = Runner::new(&world.client, log, world.options.clone());
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let start = Instant::now();
    let report = runner.cycle(&world.state, at).await.expect("cycle");
    let elapsed = start.elapsed();
    let paced = report.paced;
    let offsets = offsets(&accepted_at(&world.messages().await));
    let mut report = report;
    if report.occurrences[0].summary.pending > 0 {
        // A scaled pace outruns the emulator's own per-minute throttle (by its clock): move
        // its clock past the backlog and follow up.
        println!(
            "(faster than 5,000 a minute: the emulator still delivers; advancing its clock 4 minutes)"
        );
        world.advance_clock(240).await;
        report = runner.cycle(&world.state, at).await.expect("cycle");
    }
    let occurrence = &report.occurrences[0];
    let floor_last_request = Duration::from_secs(3 * window);
    let floor_delivered = Duration::from_secs(4 * window);
    println!(
        "notify bench: {USERS} users, {} requests, status {}, delivered {}",
        occurrence.summary.requests,
        occurrence.status.as_str(),
        occurrence.summary.delivered
    );
    println!(
        "requests accepted at {} (after the first)",
        offsets.join(", ")
    );
    println!(
        "pace {} users / {}s: cycle wall time {:.1}s (send, pace, follow-up; {:.1}s of it waiting for the pace); floor: last request at >= {}s, all delivered within {}s",
        pace.users,
        window,
        elapsed.as_secs_f64(),
        paced.as_secs_f64(),
        floor_last_request.as_secs(),
        floor_delivered.as_secs()
    );
    assert_eq!(occurrence.summary.delivered, USERS, "{report:?}");
    assert!(
        elapsed >= floor_last_request,
        "faster than the platform allows"
    );
    world.server.shutdown().await;
}
