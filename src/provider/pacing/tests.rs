//! The pace against a simulated platform window counter, on instants the test advances.

use super::*;

/// The platform's count: `limit` calls per one-second window, windows starting at `phase`
/// after `origin`.
struct Platform {
    origin: Instant,
    /// When the calls begin.
    start: Instant,
    phase: Duration,
    limit: u32,
    /// Calls let through per window.
    counts: std::collections::HashMap<i64, u32>,
    /// Each call reaches the platform up to this much later than it would (a loaded machine),
    /// by a pseudo-random amount.
    jitter: Duration,
    seed: u64,
}

impl Platform {
    fn new(limit: u32, phase_ms: u64) -> Platform {
        let origin = Instant::now();
        Platform {
            origin,
            start: origin,
            phase: Duration::from_millis(phase_ms),
            limit,
            counts: std::collections::HashMap::new(),
            jitter: Duration::ZERO,
            seed: 0x2545_f491_4f6c_dd1d,
        }
    }

    fn admit(&mut self, at: Instant) -> bool {
        // xorshift64: the same delays in every run.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let at = at + self.jitter.mul_f64((self.seed % 1000) as f64 / 1000.0);
        let since = at.duration_since(self.origin).as_secs_f64() - self.phase.as_secs_f64();
        let window = since.floor() as i64;
        // Calls may arrive out of order: count each window on its own.
        let count = self.counts.entry(window).or_default();
        if *count >= self.limit {
            return false;
        }
        *count += 1;
        true
    }

    /// The least time any caller needs for `calls` calls from the origin, each reaching the
    /// platform `latency / 2` after it goes: the rest of the first window, then whole
    /// windows, the last one's calls going at its start.
    fn least_seconds(&self, calls: u32, latency: Duration) -> f64 {
        let first_end = (self.phase.as_secs_f64() - latency.as_secs_f64() / 2.0).rem_euclid(1.0);
        let first_end = if first_end == 0.0 { 1.0 } else { first_end };
        let windows = calls.div_ceil(self.limit);
        first_end + f64::from(windows.saturating_sub(2))
    }
}

struct Outcome {
    seconds: f64,
    throttled: u32,
}

/// `calls` calls through `pace` against `platform`, `concurrency` callers always waiting (as
/// an apply's steps are), each answered `latency` after it goes; a throttled call is sent
/// again.
fn drive(
    pace: &mut Adaptive,
    platform: &mut Platform,
    calls: u32,
    concurrency: usize,
    latency: Duration,
) -> Outcome {
    let started = platform.start;
    let mut now = started;
    // (answered at, sent at, admitted)
    let mut in_flight: Vec<(Instant, Instant, bool)> = Vec::new();
    let (mut done, mut throttled) = (0, 0);
    let mut last_phase = None;
    loop {
        assert!(
            now < started + Duration::from_secs(3600),
            "{done} of {calls} calls done after an hour"
        );
        in_flight.sort_by_key(|call| std::cmp::Reverse(call.0));
        while in_flight.last().is_some_and(|call| call.0 <= now) {
            let (answered, sent, admitted) = in_flight.pop().expect("an answer");
            if admitted {
                done += 1;
                pace.on_success(sent, answered);
            } else {
                throttled += 1;
                if std::env::var_os("PACE_TRACE").is_some() {
                    eprintln!(
                        "throttled sent {:.4} answered {:.4} rate {} phase {:?} search {:?} probe {:?}",
                        sent.duration_since(platform.origin).as_secs_f64(),
                        answered.duration_since(platform.origin).as_secs_f64(),
                        pace.rate,
                        pace.phase.map(|p| (
                            p.hi.duration_since(platform.origin).as_secs_f64(),
                            p.uncertainty
                        )),
                        pace.search.is_some(),
                        pace.probe == Some(sent)
                    );
                }
                pace.on_throttle(sent, answered);
            }
        }
        if done == calls {
            break;
        }
        if std::env::var_os("PACE_TRACE").is_some() && pace.phase != last_phase {
            eprintln!(
                "phase at {:.4}: {:?} ramp {} rate {}",
                now.duration_since(platform.origin).as_secs_f64(),
                pace.phase.map(|p| (
                    p.hi.duration_since(platform.origin).as_secs_f64(),
                    p.uncertainty
                )),
                pace.ramp,
                pace.rate
            );
            last_phase = pace.phase;
        }
        let waiting = calls as usize - done as usize - in_flight.len();
        let next_answer = in_flight.last().map(|call| call.0);
        if waiting > 0 && in_flight.len() < concurrency {
            let slot = pace.slot(now);
            if slot.at <= now {
                pace.on_send(now);
                let admitted = platform.admit(now + latency / 2);
                in_flight.push((now + latency, now, admitted));
                continue;
            }
            now = next_answer.map_or(slot.at, |answer| answer.min(slot.at));
        } else {
            now = next_answer.expect("calls in flight");
        }
    }
    Outcome {
        seconds: now.duration_since(started).as_secs_f64(),
        throttled,
    }
}

#[test]
fn told_nothing_a_run_keeps_up_with_a_caller_that_knows_the_windows() {
    let only = std::env::var("PACE_CASE").ok();
    for (limit, calls) in [(20, 300), (20, 1000), (50, 300), (50, 1000), (100, 2000)] {
        for phase_ms in [0, 1, 250, 500, 750, 990] {
            for (concurrency, latency_ms) in [(1, 2), (64, 2), (64, 40)] {
                if only.as_ref().is_some_and(|only| {
                    *only != format!("{limit},{calls},{phase_ms},{concurrency},{latency_ms}")
                }) {
                    continue;
                }
                let mut platform = Platform::new(limit, phase_ms);
                let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
                let latency = Duration::from_millis(latency_ms);
                let run = drive(&mut pace, &mut platform, calls, concurrency, latency);
                let least = platform.least_seconds(calls, latency);
                let case = format!(
                    "{limit}/s, {calls} calls, phase {phase_ms} ms, {concurrency} callers, \
                     {latency_ms} ms: {:.3}s, the least {least:.3}s, {} throttled",
                    run.seconds, run.throttled
                );
                // Sequential calls take their latency each: a window's calls then take time.
                let sending = f64::from(limit) * latency.as_secs_f64() / concurrency as f64;
                // With slow answers, growing to the limit (a few calls per answer) takes longer
                // than what is left of the first window, and the ramp that confirms it can run
                // into the next: up to two windows are spent learning.
                let learning = if latency_ms >= 40 { 2.0 } else { 0.0 };
                if std::env::var_os("PACE_TRACE").is_some() {
                    eprintln!("{case}");
                }
                assert!(run.seconds <= least + sending + learning + 0.1, "{case}");
                assert!(run.throttled * 20 < calls, "{case}");
                let rate = pace.rate();
                assert!(
                    rate >= f64::from(limit) && rate < f64::from(limit) * 1.15,
                    "{case}: learned {rate:.1}"
                );
            }
        }
    }
}

#[test]
fn below_the_documented_rate_the_first_window_says_the_limit() {
    let mut platform = Platform::new(8, 300);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    let run = drive(&mut pace, &mut platform, 40, 64, Duration::from_millis(2));
    // The first burst of 20 met 12 throttling answers; nothing after it was throttled.
    assert_eq!(run.throttled, 12);
    assert_eq!(pace.rate(), 8.0);
    assert_eq!(pace.throttled_windows(), 1);
}

#[test]
fn probes_narrow_where_the_windows_begin() {
    let mut platform = Platform::new(20, 420);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    drive(&mut pace, &mut platform, 1000, 64, Duration::from_millis(2));
    let phase = pace.phase.expect("a phase");
    assert!(phase.uncertainty <= PRECISION, "{phase:?}");
    // The true boundary lies in (hi − uncertainty, hi], a whole number of windows away.
    let since = phase.hi.duration_since(platform.origin).as_secs_f64() - 0.42;
    let off = since - since.round();
    assert!(
        off >= -0.0005 && off <= phase.uncertainty.as_secs_f64() + 0.0005,
        "off by {off:.4}s, {phase:?}"
    );
}

/// Sends one call at `at` through `pace` to `platform`, answered at once: whether it went
/// through.
fn call(pace: &mut Adaptive, platform: &mut Platform, at: Instant) -> bool {
    pace.on_send(at);
    let admitted = platform.admit(at);
    if admitted {
        pace.on_success(at, at);
    } else {
        pace.on_throttle(at, at);
    }
    admitted
}

#[test]
fn the_first_throttled_window_gives_a_lower_bound_and_the_next_counts_the_limit() {
    // 50 a window, windows beginning 250 ms after the first call.
    let mut platform = Platform::new(50, 250);
    let t0 = platform.origin;
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    // The first window: 20 at once, then 40 more as answers come (16 of them after the
    // platform's window began); all go through.
    for _ in 0..20 {
        assert_eq!(pace.slot(t0).at, t0, "the documented 20 go at once");
        assert!(call(&mut pace, &mut platform, t0));
    }
    for k in 1..=40 {
        let at = t0 + Duration::from_millis(10 * k);
        assert_eq!(pace.slot(at).at, at, "growing while answers come");
        assert!(call(&mut pace, &mut platform, at));
    }
    // The next window bursts what the first let through: the platform's window, which
    // counted 16 already, is full after 34 of them.
    let second = t0 + WINDOW;
    let mut through = 0;
    let decrease = loop {
        assert_eq!(pace.slot(second).at, second);
        pace.on_send(second);
        if platform.admit(second) {
            pace.on_success(second, second);
            through += 1;
        } else {
            break pace.on_throttle(second, second).expect("a decrease");
        }
    };
    assert_eq!(through, 34);
    // What our window let through (34) is less than the limit: the platform's window began
    // in the one before. The calls of the one before that it may have counted give a bound
    // closer to the limit, never above it.
    assert_eq!(decrease.estimate, 47.0);
    assert!(!pace.cubic.expect("a limit").exact);
    // Then one call at a time until a window begins, the time to it halved (each probe that
    // is early is throttled) a few times at most.
    let mut now = second;
    let mut refused = 0;
    let found = loop {
        let slot = pace.slot(now);
        assert!(slot.at > now, "one probe at a time");
        now = slot.at;
        if call(&mut pace, &mut platform, now) {
            break now;
        }
        refused += 1;
    };
    assert!(refused <= HALVINGS, "{refused} probes throttled");
    let begins = t0 + Duration::from_millis(1250);
    assert!(
        found >= begins && found < begins + Duration::from_millis(50),
        "{:?}",
        found - t0
    );
    // The lower bound goes at once after the margin, and more as answers come, until the
    // window is full: that count is the limit.
    let burst = pace.slot(found).at;
    assert!(burst <= found + MAX_LAG, "{:?}", burst - found);
    let mut sent = 1;
    while pace.slot(burst).at == burst && sent < 47 {
        pace.on_send(burst);
        sent += 1;
    }
    assert_eq!(sent, 47, "the lower bound goes without waiting for answers");
    for _ in 1..47 {
        assert!(platform.admit(burst));
        pace.on_success(burst, burst);
    }
    let mut grown = burst;
    while call(&mut pace, &mut platform, grown) {
        grown += Duration::from_millis(1);
        assert_eq!(pace.slot(grown).at, grown, "growing while answers come");
    }
    assert_eq!(pace.rate(), 50.0);
    assert!(pace.cubic.expect("a limit").exact);
    // Counted: the window after takes its 50 at once, and no more.
    let after = pace.slot(grown).at;
    assert!(after >= found + WINDOW, "{:?}", after - found);
    for _ in 0..50 {
        assert_eq!(pace.slot(after).at, after);
        pace.on_send(after);
    }
    assert!(pace.slot(after).at > after);
}

#[test]
fn a_window_that_lets_far_fewer_through_sends_the_pace_looking_for_the_windows() {
    let mut platform = Platform::new(50, 0);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    let run = drive(&mut pace, &mut platform, 300, 64, Duration::from_millis(2));
    assert_eq!(pace.rate(), 50.0);
    // The organization now shares the limit with another caller: ten a window are left, and
    // the windows moved.
    platform.limit = 10;
    platform.phase = Duration::from_millis(370);
    platform.start += Duration::from_secs_f64(run.seconds);
    let before = pace.throttled_windows();
    let run = drive(&mut pace, &mut platform, 200, 64, Duration::from_millis(2));
    assert!(pace.throttled_windows() > before);
    assert!(pace.rate() <= 12.0, "{}", pace.rate());
    assert!(run.throttled < 100, "{}", run.throttled);
}

#[test]
fn an_api_called_slowly_does_not_learn_a_rate_it_never_tried() {
    let t0 = Instant::now();
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    // Five calls a second for a minute: never throttled, never near 20.
    for n in 0..300 {
        let at = t0 + Duration::from_millis(n * 200);
        assert_eq!(pace.slot(at).at, at);
        pace.on_send(at);
        pace.on_success(at, at);
    }
    assert_eq!(pace.rate(), DOCUMENTED_RATE);
}

#[test]
fn never_exceeds_the_ceiling() {
    let mut platform = Platform::new(1000, 0);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 30.0);
    drive(&mut pace, &mut platform, 300, 64, Duration::from_millis(2));
    assert_eq!(pace.rate(), 30.0);
}

#[test]
fn calls_that_reach_the_platform_late_do_not_cost_a_window() {
    // Each call is answered 10 ms after it goes and reaches the platform 5 to 9 ms after it
    // goes, by a varying amount (a loaded machine): no window after the one the limit is
    // learned in is lost, whatever the phase, and throttling answers stay under 5%.
    for (limit, calls) in [(20, 300), (20, 1000), (50, 300), (50, 1000)] {
        for phase_ms in [0, 3, 6, 8, 250, 500, 995] {
            if std::env::var("PACE_CASE")
                .is_ok_and(|only| only != format!("{limit},{calls},{phase_ms}"))
            {
                continue;
            }
            let mut platform = Platform::new(limit, phase_ms);
            platform.jitter = Duration::from_millis(4);
            let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
            let latency = Duration::from_millis(10);
            let run = drive(&mut pace, &mut platform, calls, 64, latency);
            let mut least = platform.least_seconds(calls, latency);
            let first_end = least - least.floor();
            if first_end < latency.as_secs_f64() {
                // A first window that ends before a call can reach it is no window at all.
                least += 1.0;
            }
            let case = format!(
                "{limit}/s, {calls} calls, phase {phase_ms} ms: {:.3}s, the least {least:.3}s, \
                 {} throttled",
                run.seconds, run.throttled
            );
            assert!(run.seconds <= least + 0.1, "{case}");
            assert!(run.throttled * 20 < calls, "{case}");
        }
    }
}
