//! "Now": the one place dingform reads the wall clock, and the [`Clock`] that code which
//! decides by the time (a plan's join-URL age, the runner's schedule and result window, the
//! notify service's sleep) takes instead of reading it.
//!
//! [`SystemClock`] is the wall clock. [`ManualClock`] stands still until its owner moves it, so
//! a test can drive `notify::serve` through a day of schedules without waiting for one.
//!
//! Durations measured on the monotonic clock (`Instant`: pacing, lock timeouts, request
//! latencies) are not "now" and do not come from here: they measure real time spent talking to
//! a real server, and tests steer them with `tokio::time::pause` instead.
//!
//! Wall-clock readings that remain, each on purpose: records of when something happened
//! (`group_url_since`, a lock's `since`, a delivery row's `updated_at`) are written at
//! [`SystemClock`]'s now; a webhook's signature carries the wall time because the platform
//! checks it against its own; and the emulator keeps its own clock (the wall clock plus the
//! offset `POST /_emulator/clock` sets), being the platform's stand-in.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// A future that resolves once a clock reaches a time.
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where the time comes from.
pub trait Clock: Send + Sync {
    /// The time now.
    fn now(&self) -> DateTime<Utc>;
    /// Resolves once [`now`](Clock::now) is `at` or later (at once when it already is).
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_>;
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        let pause = (at - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(pause))
    }
}

/// A clock that moves only when told to; clones share one time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<tokio::sync::watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(tokio::sync::watch::Sender::new(at)),
        }
    }

    /// Move to `at` (forward or back), waking every sleeper whose time has come.
    pub fn set(&self, at: DateTime<Utc>) {
        self.now.send_replace(at);
    }

    /// Move forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        self.now.send_modify(|now| *now += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        let mut moved = self.now.subscribe();
        Box::pin(async move {
            // The sender lives as long as `self`, so this ends only when the time comes.
            let _ = moved.wait_for(|now| *now >= at).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_its_sleeper_once_moved_past_the_time() {
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        let wake = start + chrono::Duration::minutes(5);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(wake).await })
        };
        clock.advance(chrono::Duration::minutes(4));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "four minutes are not five");
        clock.advance(chrono::Duration::minutes(1));
        sleeper.await.expect("the sleeper wakes");
        assert_eq!(clock.now(), wake);
    }

    #[tokio::test]
    async fn a_time_already_passed_does_not_wait() {
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        ManualClock::new(start).sleep_until(start).await;
        SystemClock.sleep_until(start).await;
    }
}
