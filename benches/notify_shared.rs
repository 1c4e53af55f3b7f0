//! One work notification to 20,000 users with four runners on one PostgreSQL delivery log, at
//! once, over real HTTP to the emulator seeded with 20,000 users: still paced to the
//! platform's 5,000 recipients a minute (the pace is shared through the database), and each
//! user reached once.
//!
//! The floor is the single runner's: 4 requests of 5,000, at most one a minute, so the last
//! request leaves no earlier than 3 windows after the first. Four runners sending four times
//! as fast would put all four in the first window.
//!
//!     DINGFORM_TEST_POSTGRES=postgres://postgres@127.0.0.1:55432/postgres \
//!       cargo bench --bench notify_shared --profile dev            # the real pace: ~3 minutes
//!     NOTIFY_BENCH_WINDOW_SECS=6 … cargo bench --bench notify_shared   # scaled 10× faster

mod notify_support;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use dingform::notify::{PostgresDeliveryLog, Runner};
use notify_support::{USERS, World, accepted_at, offsets};

const RUNNERS: usize = 4;

#[tokio::main]
async fn main() {
    let server_url = std::env::var("DINGFORM_TEST_POSTGRES")
        .expect("DINGFORM_TEST_POSTGRES: a superuser URL to a throwaway PostgreSQL");
    let (admin_db, connection) = tokio_postgres::connect(&server_url, tokio_postgres::NoTls)
        .await
        .expect("connect to DINGFORM_TEST_POSTGRES");
    tokio::spawn(connection);
    let name = format!("dingform_bench_{}", uuid::Uuid::new_v4().simple());
    admin_db
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the bench database");
    let mut db_url = url::Url::parse(&server_url).expect("URL");
    db_url.set_path(&name);

    let world = World::start().await;
    let (window, pace, state) = (world.window, world.pace, &world.state);
    let mut runners = Vec::new();
    for _ in 0..RUNNERS {
        let log = PostgresDeliveryLog::open(db_url.as_str(), "bench")
            .await
            .expect("log");
        runners.push(Runner::new(&world.client, log, world.options.clone()));
    }
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let start = Instant::now();
    let [a, b, c, d] = &mut runners[..] else {
        unreachable!("four runners")
    };
    let reports = tokio::join!(
        a.cycle(state, at),
        b.cycle(state, at),
        c.cycle(state, at),
        d.cycle(state, at)
    );
    let elapsed = start.elapsed();
    let reports = [reports.0, reports.1, reports.2, reports.3].map(|r| r.expect("cycle"));
    let messages = world.messages().await;
    let times = accepted_at(&messages);
    let offsets = offsets(&times);
    let mut recipients: Vec<&str> = messages
        .iter()
        .flat_map(|m| m["recipients"].as_array().into_iter().flatten())
        .filter_map(|u| u.as_str())
        .collect();
    let named = recipients.len();
    recipients.sort_unstable();
    recipients.dedup();
    let senders = reports
        .iter()
        .filter(|r| r.occurrences.iter().any(|o| o.summary.requests > 0))
        .count();
    let last_request =
        Duration::from_millis(u64::try_from(times[times.len() - 1] - times[0]).unwrap_or(0));
    println!(
        "notify_shared bench: {USERS} users, {RUNNERS} runners on one PostgreSQL log, {} requests naming {named} users ({} distinct)",
        messages.len(),
        recipients.len()
    );
    println!(
        "requests accepted at {} (after the first); last request {:.1}s after the first, floor {}s",
        offsets.join(", "),
        last_request.as_secs_f64(),
        3 * window
    );
    println!(
        "pace {} users / {}s: wall time {:.1}s for all four cycles; runners that reported the occurrence: {senders}",
        pace.users,
        window,
        elapsed.as_secs_f64()
    );
    assert_eq!(named, USERS, "each user named once");
    assert_eq!(recipients.len(), USERS);
    assert!(
        last_request + Duration::from_millis(500) >= Duration::from_secs(3 * window),
        "faster than the platform allows"
    );
    world.server.shutdown().await;
}
