//! Adaptive pacing of one API: how fast to call it when nobody said how fast the organization
//! may (no `rate:` in `dingform.yaml`, no `--rate`).
//!
//! The model is the AWS SDKs' "adaptive" retry mode — a client-side token bucket whose fill
//! rate grows along a CUBIC curve while calls succeed and is cut multiplicatively on a throttling
//! answer — fitted to how DingTalk counts: a fixed number of calls per app per API in each
//! one-second window (`shared/dingtalk-api.md`, 90018 / 403 `QpsLimitForAppkeyAndApi`, 90002).
//!
//! - **Slow start.** The rate starts at the documented 20/s and, until the first throttling
//!   answer, doubles every [`SLOW_START_DOUBLING`] (each answer adds `ln 2 / doubling` calls/s).
//! - **Decrease.** On a throttling answer the calls answered in the last second are the best
//!   estimate of the window's limit (in a window that is over its limit exactly the limit got
//!   through): that becomes `w_max` and the rate drops to [`BETA`] × `w_max`. One decrease per
//!   throttled window: answers to calls sent before the window was seen full change nothing.
//! - **Growth.** Afterwards the rate follows CUBIC, `SCALE·(t − K)³ + w_max` with
//!   `K = ∛(w_max·(1 − BETA)/SCALE)`: back to `w_max` after `K` seconds, flat near it, then
//!   probing above it slowly, so the limit is re-learned when the organization's edition changes.
//! - **The full window.** Once a window is full every further call in it is refused, so after a
//!   throttling answer the API waits for the next window instead of sending into a full one.
//!   Where the windows begin is learned: the first call to succeed after a throttled stretch,
//!   probed every [`PROBE_GAP`], is at (or just after) a window's start; later throttling
//!   answers wait until that phase comes round. A wrong guess (the first call after the wait
//!   is throttled too) forgets the phase and probes again.
//!
//! - **By the window.** Once the phase is known, calls are counted in the platform's own
//!   windows instead of being spaced evenly: each window takes up to the learned limit as
//!   soon as callers ask (a burst at the window's start, as a plain script's loop does), and
//!   then waits for the next one; nothing is sent in the last [`CLOSING`] of a window, which
//!   covers a phase learned up to a probe gap late. A throttling answer in a counted window
//!   says exactly what the window let through: that becomes the limit, held for [`HOLD`]
//!   seconds, after which CUBIC probes above it. An answer that says far less than the limit means the phase is
//!   wrong: it is forgotten and probed again.
//!
//! Pure state: every method takes the instants it needs, so the algorithm is tested on a
//! paused clock and the limiter that owns it decides when to sleep.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The rate an API starts at: the platform's documented limit for standard-edition
/// organizations (20 calls/s per app per API).
pub const DOCUMENTED_RATE: f64 = 20.0;
/// The multiplicative decrease on a throttling answer. Softer than TCP's or AWS's 0.7: a
/// DingTalk throttle is a hard count per window, not congestion, and the estimate it gives is
/// close to the limit itself.
pub const BETA: f64 = 0.9;
/// CUBIC's scale (calls/s per s³): how fast the rate returns to, then probes beyond, `w_max`.
pub const SCALE: f64 = 0.1;
/// Before the first throttling answer the rate doubles this often.
pub const SLOW_START_DOUBLING: Duration = Duration::from_millis(500);
/// The platform's counting window.
pub const WINDOW: Duration = Duration::from_secs(1);
/// While the phase of the windows is unknown, a throttled API is probed this often.
pub const PROBE_GAP: Duration = Duration::from_millis(50);
/// Sent this long after a learned window start, a call is safely inside the new window.
const PHASE_MARGIN: Duration = Duration::from_millis(2);
/// No API is paced below this.
const MIN_RATE: f64 = 1.0;
/// Counted by the window, nothing is sent this close to a window's end: a phase learned by
/// probing is at most a [`PROBE_GAP`] late, so the true end may come that much earlier.
pub const CLOSING: Duration = Duration::from_millis(60);

/// The calls of one counted window.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Counted {
    /// Which window (whole windows since the learned start).
    index: i64,
    /// Calls sent in it.
    sent: u32,
    /// Of them, answered without throttling.
    admitted: u32,
    /// Whether a throttling answer already came for it (one decrease per window).
    throttled: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Cubic {
    w_max: f64,
    since: Instant,
    k: f64,
    /// Held at `w_max` until `k`, then probing above it (a limit counted exactly, by the
    /// window, is not undercut while waiting to probe).
    hold: bool,
}

/// Counted by the window, a learned limit is held this many seconds before the pace probes
/// above it.
pub const HOLD: f64 = 5.0;

/// The adaptive pace of one API.
#[derive(Clone, Debug)]
pub struct Adaptive {
    rate: f64,
    ceiling: f64,
    cubic: Option<Cubic>,
    /// When the calls answered in the last [`WINDOW`] were answered.
    answered: VecDeque<Instant>,
    /// Throttled and not yet seen a call succeed in a later window.
    blocked_since: Option<Instant>,
    /// Nothing is sent before this (the next window, or the next probe).
    resume_at: Option<Instant>,
    /// Whether `resume_at` came from the learned phase (rather than a probe).
    resume_predicted: bool,
    /// A moment a window of the platform began, as learned.
    window_start: Option<Instant>,
    /// A guess at it, confirmed when a call sent at the guessed window's end gets through.
    guessed_start: Option<Instant>,
    /// Throttled windows met (each one decrease).
    throttled_windows: u64,
    /// The window being counted, once the phase is known.
    counted: Option<Counted>,
}

/// What a throttling answer means while counting by the window.
enum Counting {
    /// The first news of a full window: the limit learned.
    Decreased(Decrease),
    /// The window was already known full, or is over.
    OldNews,
    /// The windows are not where they were thought to be.
    PhaseLost,
}

/// What a throttling answer changed, for the log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decrease {
    /// The calls/s the window let through, as estimated.
    pub estimate: f64,
    /// The rate from now on.
    pub rate: f64,
}

impl Adaptive {
    /// Start at `start` calls/s; never exceed `ceiling`.
    pub fn new(start: f64, ceiling: f64) -> Adaptive {
        Adaptive {
            rate: start.clamp(MIN_RATE, ceiling.max(MIN_RATE)),
            ceiling: ceiling.max(MIN_RATE),
            cubic: None,
            answered: VecDeque::new(),
            blocked_since: None,
            resume_at: None,
            resume_predicted: false,
            window_start: None,
            guessed_start: None,
            throttled_windows: 0,
            counted: None,
        }
    }

    /// Whether calls are counted by the platform's windows: a throttling answer was met, the
    /// phase of the windows is known, and no throttled stretch is going on.
    fn by_window(&self) -> bool {
        self.cubic.is_some() && self.window_start.is_some() && self.blocked_since.is_none()
    }

    /// The window (whole windows since the learned start) `at` falls in.
    fn window_of(&self, at: Instant) -> Option<i64> {
        let start = self.window_start?;
        let since = if at >= start {
            at.duration_since(start).as_secs_f64()
        } else {
            -start.duration_since(at).as_secs_f64()
        };
        Some((since / WINDOW.as_secs_f64()).floor() as i64)
    }

    fn window_begins(&self, index: i64) -> Option<Instant> {
        let start = self.window_start?;
        let offset = WINDOW.mul_f64(index.unsigned_abs() as f64);
        Some(if index >= 0 {
            start + offset
        } else {
            start.checked_sub(offset).unwrap_or(start)
        })
    }

    /// The calls one window takes at the rate in force.
    fn budget(&self) -> u32 {
        self.rate.floor().max(MIN_RATE) as u32
    }

    /// The earliest moment the next call may go, given `spaced` (the next slot of even
    /// spacing at the rate in force) and `now`. Counted by the window, spacing does not
    /// apply: a window takes its budget at once, then the call waits for the next window.
    pub fn slot(&self, spaced: Instant, now: Instant) -> Instant {
        let earliest = |at: Instant| self.resume_at.map_or(at, |resume| resume.max(at));
        if !self.by_window() {
            return earliest(spaced);
        }
        let at = earliest(now);
        let (Some(index), Some(start)) = (
            self.window_of(at),
            self.window_of(at).and_then(|i| self.window_begins(i)),
        ) else {
            return earliest(spaced);
        };
        let full = self
            .counted
            .is_some_and(|counted| counted.index == index && counted.sent >= self.budget());
        if full || at >= start + WINDOW - CLOSING {
            start + WINDOW + PHASE_MARGIN
        } else {
            at
        }
    }

    /// A call goes at `at` (counted in its window when counting by the window).
    pub fn on_send(&mut self, at: Instant) {
        if !self.by_window() {
            return;
        }
        let Some(index) = self.window_of(at) else {
            return;
        };
        match &mut self.counted {
            Some(counted) if counted.index == index => counted.sent += 1,
            counted => {
                *counted = Some(Counted {
                    index,
                    sent: 1,
                    admitted: 0,
                    throttled: false,
                })
            }
        }
    }

    /// The rate in force (calls/s).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Throttled windows met so far.
    pub fn throttled_windows(&self) -> u64 {
        self.throttled_windows
    }

    /// The interval between calls at the rate in force.
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate)
    }

    /// No call may go before this (a full window's end, or the next probe).
    pub fn resume_at(&self) -> Option<Instant> {
        self.resume_at
    }

    /// A call sent at `sent_at` was answered (not throttled) at `now`.
    pub fn on_success(&mut self, sent_at: Instant, now: Instant) {
        self.answered.push_back(now);
        self.forget_before(now);
        if self.by_window()
            && let (Some(index), Some(counted)) = (self.window_of(sent_at), self.counted.as_mut())
            && counted.index == index
        {
            counted.admitted += 1;
        }
        if let Some(blocked) = self.blocked_since
            && sent_at >= blocked
        {
            // The first call through after a throttled stretch: a new window has begun. Sent
            // after a probe gap, it marks (just after) that window's start.
            self.blocked_since = None;
            if !self.resume_predicted {
                self.window_start = Some(sent_at);
            } else if self.window_start.is_none() {
                self.window_start = self.guessed_start;
            }
            self.guessed_start = None;
            self.resume_at = None;
            if self.window_start.is_some()
                && let Some(cubic) = self.cubic.filter(|cubic| !cubic.hold)
            {
                // Counted by the window from now on, nothing is sent into a full window: the
                // estimate itself is safe to hold (a window that lets fewer through says so
                // exactly), without the decrease that spacing needed.
                self.rate = cubic.w_max.clamp(MIN_RATE, self.ceiling);
                self.cubic = Some(Cubic {
                    w_max: self.rate,
                    since: now,
                    k: HOLD,
                    hold: true,
                });
            }
        }
        let grown = match self.cubic {
            None => self.rate + std::f64::consts::LN_2 / SLOW_START_DOUBLING.as_secs_f64(),
            Some(cubic) => {
                let t = now.saturating_duration_since(cubic.since).as_secs_f64();
                let over = if cubic.hold {
                    (t - cubic.k).max(0.0)
                } else {
                    t - cubic.k
                };
                SCALE * over.powi(3) + cubic.w_max
            }
        };
        // As in the AWS SDKs, never more than twice what actually went through lately: an API
        // that callers use slowly must not "learn" a rate it never tried, then burst at it.
        let tried = (2.0 * self.answered.len() as f64).max(self.rate);
        self.rate = grown.min(tried).clamp(MIN_RATE, self.ceiling);
    }

    /// A call sent at `sent_at` got a throttling answer at `now`. Returns the decrease when
    /// this answer is the first news of a full window.
    pub fn on_throttle(&mut self, sent_at: Instant, now: Instant) -> Option<Decrease> {
        self.forget_before(now);
        if self.by_window() {
            match self.throttled_in_window(sent_at, now) {
                Counting::Decreased(decrease) => return Some(decrease),
                Counting::OldNews => return None,
                // The phase is forgotten: learn it again as on a first throttling answer.
                Counting::PhaseLost => {}
            }
        }
        match self.blocked_since {
            None => {
                let through = self.answered.len() as f64;
                let estimate = through.min(self.rate).max(MIN_RATE);
                let w_max = estimate;
                self.cubic = Some(Cubic {
                    w_max,
                    since: now,
                    k: (w_max * (1.0 - BETA) / SCALE).cbrt(),
                    hold: false,
                });
                self.rate = (BETA * w_max).clamp(MIN_RATE, self.ceiling);
                self.blocked_since = Some(now);
                self.throttled_windows += 1;
                self.wait_for_next_window(now);
                if self.window_start.is_none()
                    && let Some(&first) = self.answered.front()
                {
                    // Where the windows begin is not known yet. If all the calls answered in
                    // the last second were this window's, it began at or before the first of
                    // them and ends at most a second later: try there (a throttled try falls
                    // back to probing).
                    self.guessed_start = Some(first);
                    self.resume_at = Some(first + WINDOW + PHASE_MARGIN);
                    self.resume_predicted = true;
                }
                Some(Decrease {
                    estimate,
                    rate: self.rate,
                })
            }
            Some(_) => {
                if let Some(resume) = self.resume_at
                    && sent_at >= resume
                {
                    // Sent after the wait and still throttled: the window had not rolled over.
                    if self.resume_predicted {
                        self.window_start = None;
                        self.guessed_start = None;
                    }
                    self.wait_for_next_window(now);
                }
                // Otherwise it was sent before the wait began: old news.
                None
            }
        }
    }

    /// A throttling answer while counting by the window.
    fn throttled_in_window(&mut self, sent_at: Instant, now: Instant) -> Counting {
        let index = self.window_of(sent_at);
        let counted = match self.counted {
            Some(counted) if Some(counted.index) == index => counted,
            // A call of an earlier window, answered late: that window is over.
            Some(counted) if index.is_some_and(|index| index < counted.index) => {
                return Counting::OldNews;
            }
            _ => Counted {
                index: index.unwrap_or_default(),
                sent: 1,
                admitted: 0,
                throttled: false,
            },
        };
        if counted.throttled {
            return Counting::OldNews;
        }
        let through = f64::from(counted.admitted);
        if through < self.rate * 0.5 {
            // Far fewer went through than the window is known to take: the windows are not
            // where we thought.
            self.window_start = None;
            self.guessed_start = None;
            self.counted = None;
            return Counting::PhaseLost;
        }
        // Exactly what the window let through: the limit, unless another caller of the same
        // app shares it. CUBIC probes above it from here.
        let estimate = through.max(MIN_RATE);
        self.rate = estimate.min(self.ceiling);
        self.cubic = Some(Cubic {
            w_max: self.rate,
            since: now,
            k: HOLD,
            hold: true,
        });
        self.throttled_windows += 1;
        self.counted = Some(Counted {
            throttled: true,
            ..counted
        });
        Counting::Decreased(Decrease {
            estimate,
            rate: self.rate,
        })
    }

    fn wait_for_next_window(&mut self, now: Instant) {
        match self.window_start {
            Some(start) if start <= now => {
                let since = now.duration_since(start).as_secs_f64();
                let windows = (since / WINDOW.as_secs_f64()).floor() + 1.0;
                self.resume_at = Some(start + WINDOW.mul_f64(windows) + PHASE_MARGIN);
                self.resume_predicted = true;
            }
            _ => {
                self.resume_at = Some(now + PROBE_GAP);
                self.resume_predicted = false;
            }
        }
    }

    fn forget_before(&mut self, now: Instant) {
        while let Some(first) = self.answered.front() {
            if now.saturating_duration_since(*first) >= WINDOW {
                self.answered.pop_front();
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A platform window counter: `limit` calls per second, windows starting at `phase`.
    struct Platform {
        origin: Instant,
        phase: Duration,
        limit: u32,
        window: i64,
        count: u32,
    }

    impl Platform {
        fn admit(&mut self, at: Instant) -> bool {
            let since = at.duration_since(self.origin).as_secs_f64() - self.phase.as_secs_f64();
            let window = since.floor() as i64;
            if window != self.window {
                self.window = window;
                self.count = 0;
            }
            self.count += 1;
            self.count <= self.limit
        }
    }

    /// Drive `calls` back to back through `pace` against `platform`; returns (seconds,
    /// throttling answers).
    fn drive(pace: &mut Adaptive, platform: &mut Platform, calls: u32) -> (f64, u32) {
        let start = platform.origin;
        let mut next = start;
        let mut done = 0;
        let mut throttled = 0;
        let latency = Duration::from_millis(2);
        let mut ready = start;
        while done < calls {
            // Callers are always waiting (as an apply's steps are): the call goes at its slot.
            let at = pace.slot(next, ready).max(ready);
            pace.on_send(at);
            ready = at;
            let answered = at + latency;
            if platform.admit(at + latency / 2) {
                done += 1;
                pace.on_success(at, answered);
                next = at + pace.interval();
            } else {
                throttled += 1;
                pace.on_throttle(at, answered);
                next = answered;
                ready = answered;
            }
        }
        (
            (ready + latency).duration_since(start).as_secs_f64(),
            throttled,
        )
    }

    #[test]
    fn converges_near_the_limit_within_a_few_percent_of_the_floor() {
        for (limit, calls) in [(20, 300), (50, 300), (50, 1000), (100, 2000)] {
            for phase_ms in [0, 300, 700, 999] {
                let mut platform = Platform {
                    origin: Instant::now(),
                    phase: Duration::from_millis(phase_ms),
                    limit,
                    window: i64::MIN,
                    count: 0,
                };
                let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
                let (seconds, throttled) = drive(&mut pace, &mut platform, calls);
                let floor = f64::from(calls) / f64::from(limit);
                assert!(
                    seconds <= floor * 1.10,
                    "{limit}/s, {calls} calls, phase {phase_ms} ms: {seconds:.2}s vs floor {floor:.2}s"
                );
                assert!(
                    f64::from(throttled) < f64::from(calls) * 0.05,
                    "{limit}/s, {calls} calls: {throttled} throttled"
                );
                let rate = pace.rate();
                assert!(
                    rate > f64::from(limit) * 0.85 && rate < f64::from(limit) * 1.15,
                    "{limit}/s: learned {rate:.1}"
                );
            }
        }
    }

    #[test]
    fn counted_by_the_window_a_run_stays_near_the_floor() {
        // Counted by the window, each window takes the limit at once, so once the windows
        // are learned the run keeps up with the floor after the time spent learning.
        for (limit, calls) in [(20, 300), (20, 1000), (50, 300), (50, 1000)] {
            for phase_ms in [0, 250, 500, 750, 990] {
                let mut platform = Platform {
                    origin: Instant::now(),
                    phase: Duration::from_millis(phase_ms),
                    limit,
                    window: i64::MIN,
                    count: 0,
                };
                let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
                let (seconds, throttled) = drive(&mut pace, &mut platform, calls);
                let floor = f64::from(calls) / f64::from(limit);
                assert!(
                    pace.by_window(),
                    "{limit}/s, phase {phase_ms} ms: still spacing evenly"
                );
                assert!(
                    seconds <= floor * 1.06,
                    "{limit}/s, {calls} calls, phase {phase_ms} ms: {seconds:.2}s vs floor {floor:.2}s"
                );
                assert!(
                    f64::from(throttled) < f64::from(calls) * 0.05,
                    "{limit}/s, {calls} calls: {throttled} throttled"
                );
            }
        }
    }

    #[test]
    fn a_throttled_counted_window_sets_the_limit_to_what_it_let_through() {
        let t0 = Instant::now();
        let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
        // Learn the windows: a throttling answer, then a probe that gets through at 1.000 s.
        for n in 0..20 {
            let at = t0 + Duration::from_millis(n * 40);
            pace.on_send(at);
            pace.on_success(at, at);
        }
        let at = t0 + Duration::from_millis(800);
        pace.on_throttle(at, at).expect("a decrease");
        let probe = t0 + Duration::from_millis(1000);
        pace.on_send(probe);
        pace.on_success(probe, probe);
        assert!(pace.by_window());
        // The next window: 33 calls through, the 34th throttled.
        let window = probe + WINDOW;
        assert_eq!(pace.slot(window, window), window);
        // Say the pace has grown back to 40 a window.
        pace.rate = 40.0;
        pace.cubic = Some(Cubic {
            w_max: 40.0,
            since: window,
            k: 0.0,
            hold: true,
        });
        for _ in 0..33 {
            assert_eq!(pace.slot(window, window), window, "a burst goes at once");
            pace.on_send(window);
            pace.on_success(window, window);
        }
        pace.on_send(window);
        let decrease = pace.on_throttle(window, window).expect("a decrease");
        assert_eq!(decrease.estimate, 33.0);
        assert_eq!(pace.rate(), 33.0);
        // The window is full: the next call waits for the next one; one decrease per window.
        let next = pace.slot(window, window);
        assert!(next >= window + WINDOW, "{:?}", next - window);
        assert_eq!(pace.on_throttle(window, window), None);
        // Nothing goes in a window's last moments.
        let late = window + WINDOW + WINDOW - CLOSING / 2;
        assert!(pace.slot(late, late) > late);
    }

    #[test]
    fn one_throttled_window_is_one_decrease() {
        let t0 = Instant::now();
        let mut pace = Adaptive::new(40.0, 450.0);
        for n in 0..30 {
            let at = t0 + Duration::from_millis(n * 25);
            pace.on_success(at, at);
        }
        let now = t0 + Duration::from_millis(750);
        let first = pace.on_throttle(now, now).expect("a decrease");
        assert!(first.rate < first.estimate);
        assert_eq!(first.rate, BETA * first.estimate);
        // Answers to calls sent before the wait began are old news.
        assert_eq!(pace.on_throttle(now, now + Duration::from_millis(1)), None);
        assert_eq!(pace.throttled_windows(), 1);
        assert!(pace.resume_at().expect("waiting") > now);
    }

    #[test]
    fn an_api_called_slowly_does_not_learn_a_rate_it_never_tried() {
        let t0 = Instant::now();
        let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
        // Five calls a second for a minute: never throttled, never near 20.
        for n in 0..300 {
            let at = t0 + Duration::from_millis(n * 200);
            pace.on_success(at, at);
        }
        assert!(pace.rate() <= DOCUMENTED_RATE * 2.0, "{}", pace.rate());
    }

    #[test]
    fn never_exceeds_the_ceiling() {
        let t0 = Instant::now();
        let mut pace = Adaptive::new(DOCUMENTED_RATE, 30.0);
        for n in 0..1000 {
            let at = t0 + Duration::from_millis(n);
            pace.on_success(at, at);
        }
        assert_eq!(pace.rate(), 30.0);
    }
}
