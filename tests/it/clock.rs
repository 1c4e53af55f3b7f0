//! One clock, injected where time decides something (#16): the plan's join-URL age is measured
//! at `PlanOptions::now`, the runner's 24-hour result window by the runner's clock (`--at`),
//! and the notify service sleeps on a clock the test moves.

use std::sync::Arc;
use std::time::Duration;

use crate::common::AGENT_ID;
use crate::notify_support::{Fixture, work};
use chrono::{DateTime, TimeZone, Utc};
use dingform::model::{Clock, ManualClock, SystemClock};
use dingform::notify::{
    DeliveryLog, OccurrenceStatus, Pace, RunOptions, Runner, ServeEvent, ServeOutcome, serve,
};
use dingform::plan::{self, PlanOptions};
use dingform::state::StateFile;
use serde_json::json;

fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, h, m, 0).unwrap()
}

fn options(follow_up_wait: Duration) -> RunOptions {
    RunOptions {
        agent_id: Some(AGENT_ID),
        follow_up_wait,
        poll_interval: Duration::from_millis(20),
        ..RunOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_urls_age_is_measured_at_the_plans_now_not_the_wall_clock() {
    let emu = crate::common::Emu::start().await;
    let ws = crate::common::Workspace::new().file(
        "groups.yaml",
        "groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    members: [u1001]\n",
    );
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    let validation = dingform::manifest::load(ws.path());
    let state = StateFile::new(ws.join(".dingform/state.json"))
        .read()
        .expect("read state")
        .expect("apply wrote state");
    let client = Arc::new(emu.client());
    let now = SystemClock.now();
    let live = plan::refresh::refresh(client, &validation.workspace, &state, now)
        .await
        .expect("refresh");
    let expiry = |now: DateTime<Utc>| -> Vec<String> {
        let options = PlanOptions {
            now,
            ..PlanOptions::default()
        };
        plan::build(&validation, &state, &live, &options)
            .findings
            .iter()
            .filter(|f| f.rule == "group-url-expiry")
            .map(|f| f.message.clone())
            .collect()
    };
    assert!(expiry(now).is_empty(), "a URL seen today is fresh");
    let later = expiry(now + chrono::Duration::days(340));
    assert_eq!(later.len(), 1, "{later:?}");
    assert!(later[0].contains("340 days old"), "{later:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_result_window_is_measured_on_the_runners_clock_under_at() {
    // 5,001 recipients: two requests, and the platform delivers the last one in the next
    // minute, so the first pass leaves that request awaiting its results.
    let fx = Fixture::start_with(Fixture::seed_with_users(5_001)).await;
    let users: Vec<String> = (0..5_001).map(crate::common::bulk_user).collect();
    let users: Vec<&str> = users.iter().map(String::as_str).collect();
    fx.register("digest", work("0 9 * * *", &users, "Digest"));
    let log = DeliveryLog::open(&fx.db()).expect("log");
    let client = fx.client();
    // The platform's minute is the emulator's: the first pass begins at the start of one, so
    // that both requests go in the same minute (and not one on each side of its end).
    let now_ms = fx.admin("clock", json!({"advance_seconds": 0})).await["now_ms"]
        .as_i64()
        .expect("the emulator says its time");
    let to_next_minute = 60 - (now_ms / 1000) % 60;
    fx.admin("clock", json!({"advance_seconds": to_next_minute}))
        .await;
    let mut runner = Runner::new(
        &client,
        log,
        RunOptions {
            pace: Pace {
                users: 1_000_000,
                per: Duration::from_secs(60),
            },
            ..options(Duration::ZERO)
        },
    );
    let first = runner.cycle(&fx.state(), at(2, 9, 0)).await.expect("cycle");
    assert_eq!(first.occurrences.len(), 1, "{first:?}");
    assert_eq!(first.occurrences[0].summary.pending, 1, "{first:?}");

    // A pass 25 hours later by `--at` (a minute later by the wall clock): the platform no
    // longer answers, and the window is over by the runner's clock.
    fx.admin("faults", json!({"error_rate": 1.0})).await;
    let second = runner
        .cycle(&fx.state(), at(3, 10, 0))
        .await
        .expect("cycle");
    assert!(second.errors.is_empty(), "not retried: {second:?}");
    let digest = second
        .occurrences
        .iter()
        .find(|o| o.occurrence == at(2, 9, 0))
        .unwrap_or_else(|| panic!("{second:?}"));
    assert_eq!(digest.summary.unconfirmed, 1, "{second:?}");
    assert_eq!(digest.summary.pending, 0, "{second:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_sleeps_on_its_clock_until_the_next_occurrence_or_the_interval() {
    let fx = Fixture::start().await;
    fx.register("digest", work("0 9 * * *", &["u1001"], "Digest"));
    let clock = ManualClock::new(at(2, 8, 0));
    let log = DeliveryLog::open(&fx.db()).expect("log");
    let client = fx.client();
    let mut runner = Runner::new(&client, log, options(Duration::from_secs(10)));
    let (cycles, mut cycle) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();

    let service = serve(
        &mut runner,
        &clock,
        Duration::from_secs(3600),
        || async { Ok::<_, String>(fx.state()) },
        async {
            let _ = stopped.await;
        },
        |event| {
            if let ServeEvent::Cycle(report, _) = event {
                let seen: Vec<(String, DateTime<Utc>, OccurrenceStatus)> = report
                    .occurrences
                    .iter()
                    .map(|o| (o.notification.clone(), o.occurrence, o.status))
                    .collect();
                cycles.send(seen).expect("the test listens");
            }
        },
    );
    let driver = async {
        assert_eq!(cycle.recv().await, Some(Vec::new()), "nothing due at 08:00");
        // Not yet: a service that woke here would report a cycle before the one at 09:00.
        clock.set(at(2, 8, 59));
        clock.set(at(2, 9, 0) + chrono::Duration::seconds(30));
        let sent = cycle.recv().await.expect("a cycle at 09:00");
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!((sent[0].0.as_str(), sent[0].1), ("digest", at(2, 9, 0)));
        assert!(!sent[0].2.is_failure(), "{sent:?}");
        assert_eq!(fx.messages().await.len(), 1);

        // Applied while it sleeps; the next occurrence of `digest` is tomorrow, so the service
        // wakes after its interval (10:00:30) and picks `standup` up.
        fx.register("standup", work("0 10 * * *", &["u1002"], "Standup"));
        clock.set(at(2, 10, 0) + chrono::Duration::seconds(30));
        let standup = cycle.recv().await.expect("a cycle after the interval");
        assert_eq!(
            standup.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(),
            ["standup"],
            "{standup:?}"
        );
        stop.send(()).expect("the service listens");
    };
    let (outcome, ()) = tokio::join!(service, driver);
    assert_eq!(
        outcome.expect("serve"),
        ServeOutcome {
            cycles: 3,
            failed: false
        }
    );
    assert_eq!(fx.messages().await.len(), 2);
}
