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

/// With `PACE_TRACE` set, the case and what the platform let through in each window.
fn trace_windows(platform: &Platform, case: &str) {
    if std::env::var_os("PACE_TRACE").is_some() {
        let mut counts: Vec<_> = platform.counts.iter().collect();
        counts.sort();
        eprintln!("{case}\nwindows {counts:?}");
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
    drive_arriving(pace, platform, calls, concurrency, latency, Duration::ZERO)
}

/// As [`drive`], but the calls become ready one every `every` (the first at once), as those of
/// an API whose callers each wait for another API's answer first: a caller ready waits for the
/// pace, one not ready yet for its turn.
fn drive_arriving(
    pace: &mut Adaptive,
    platform: &mut Platform,
    calls: u32,
    concurrency: usize,
    latency: Duration,
    every: Duration,
) -> Outcome {
    let started = platform.start;
    let ready = |now: Instant| -> u32 {
        if every.is_zero() {
            return calls;
        }
        let since = now.duration_since(started).as_nanos() / every.as_nanos();
        u32::try_from(since + 1).unwrap_or(u32::MAX).min(calls)
    };
    let next_ready = |now: Instant| -> Option<Instant> {
        let n = ready(now);
        (n < calls).then(|| started + every * n)
    };
    let mut now = started;
    // (answered at, sent at, admitted)
    let mut in_flight: Vec<(Instant, Instant, bool)> = Vec::new();
    let (mut done, mut throttled) = (0, 0);
    let mut last_phase = None;
    // The caller whose turn it is sleeps until then, and looks again at an answer if its slot
    // said so (as the limiter's does): an answer it is not woken by changes nothing for it.
    let mut asleep: Option<Slot> = None;
    loop {
        assert!(
            now < started + Duration::from_secs(3600),
            "{done} of {calls} calls done after an hour"
        );
        in_flight.sort_by_key(|call| std::cmp::Reverse(call.0));
        while in_flight.last().is_some_and(|call| call.0 <= now) {
            let (answered, sent, admitted) = in_flight.pop().expect("an answer");
            if asleep.is_some_and(|slot| slot.on_answer) {
                asleep = None;
            }
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
        let waiting = (ready(now) as usize).saturating_sub(done as usize + in_flight.len());
        let next_answer = in_flight.last().map(|call| call.0);
        if waiting == 0 && in_flight.len() < concurrency {
            // No caller is ready: the next one comes, or an answer.
            now = match (next_ready(now), next_answer) {
                (Some(arrives), Some(answer)) => arrives.min(answer),
                (arrives, answer) => arrives.or(answer).expect("a call to come or answered"),
            };
        } else if waiting > 0 && in_flight.len() < concurrency {
            if asleep.is_none_or(|slot| slot.at <= now) {
                let slot = pace.slot(now);
                if slot.at <= now {
                    asleep = None;
                    pace.on_send(now);
                    let admitted = platform.admit(now + latency / 2);
                    in_flight.push((now + latency, now, admitted));
                    continue;
                }
                asleep = Some(slot);
            }
            let wake = asleep.expect("a caller asleep").at;
            now = next_answer.map_or(wake, |answer| answer.min(wake));
        } else {
            // Callers wait for one in flight to be answered before they ask the pace.
            asleep = None;
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
                // Known limit: at 100/s with 40 ms answers the ramp to the limit runs into the
                // next window, and the first windows meet more throttling answers.
                if limit > 50 && latency_ms >= 40 {
                    continue;
                }
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
                trace_windows(&platform, &case);
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

#[test]
fn a_throttled_window_sets_the_limit_to_what_it_let_through() {
    let t0 = Instant::now();
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    // The first window: 20 at once, then more as they are answered; the 34th is throttled.
    for _ in 0..20 {
        assert_eq!(pace.slot(t0).at, t0, "the documented 20 go at once");
        pace.on_send(t0);
    }
    let mut at = t0;
    for _ in 0..20 {
        pace.on_success(t0, t0 + Duration::from_millis(1));
    }
    for _ in 0..13 {
        at += Duration::from_millis(1);
        assert_eq!(pace.slot(at).at, at, "growing while answers come");
        pace.on_send(at);
        pace.on_success(at, at);
    }
    at += Duration::from_millis(1);
    pace.on_send(at);
    let decrease = pace.on_throttle(at, at).expect("a decrease");
    assert_eq!(decrease.estimate, 33.0);
    assert_eq!(pace.rate(), 33.0);
    // One decrease per window, and the next call waits for the next window.
    assert_eq!(pace.on_throttle(at, at), None);
    let next = pace.slot(at).at;
    assert!(next >= t0 + WINDOW, "{:?}", next - t0);
    // The next window confirms the estimate: one call first, then more as each is answered.
    assert_eq!(pace.slot(next).at, next);
    pace.on_send(next);
    assert!(pace.slot(next).on_answer, "waits for the first answer");
    pace.on_success(next, next);
    let mut sent = 1;
    while pace.slot(next).at == next {
        pace.on_send(next);
        sent += 1;
        pace.on_success(next, next);
    }
    assert_eq!(sent, 33);
    // Confirmed: the window after takes its 33 at once.
    let after = pace.slot(next).at;
    assert!(after >= next + WINDOW - PHASE_MARGIN);
    for _ in 0..33 {
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

/// A window over the limit brings the budget back to what it let through even when where the
/// windows begin is barely known (an uncertainty of almost a second, probes unaffordable): the
/// window before's calls lie in that stretch but are not counted in this one. Counting them
/// held a budget of 121 against a limit of 100 for a whole plan, 21 throttling answers a
/// second (the plan bench told nothing, issue 15).
#[test]
fn a_window_over_the_limit_lowers_the_budget_however_little_is_known_of_the_phase() {
    let t0 = Instant::now();
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    pace.phase = Some(Phase {
        hi: t0,
        uncertainty: Duration::from_millis(999),
    });
    // Counted at 100 eleven seconds ago: CUBIC has grown the budget to 121 since.
    pace.cubic = Some(Cubic {
        w_max: 100.0,
        since: t0.checked_sub(Duration::from_secs(10)).expect("an instant"),
        counted: true,
    });
    pace.rate = 121.0;
    let us = Duration::from_micros;
    // The window before: its 100 let through, at its start.
    let before = t0 + PHASE_MARGIN;
    for n in 0..100 {
        pace.on_send(before + us(n));
    }
    for n in 0..100 {
        pace.on_success(before + us(n), before + Duration::from_millis(5));
    }
    // This window: 121 go, the platform lets 100 through.
    let start = t0 + WINDOW + PHASE_MARGIN;
    for n in 0..121 {
        pace.on_send(start + us(n));
    }
    let answered = start + Duration::from_millis(5);
    for n in 0..100 {
        pace.on_success(start + us(n), answered);
    }
    for n in 100..121 {
        pace.on_throttle(start + us(n), answered);
    }
    assert_eq!(pace.rate(), 100.0);
}

/// Calls that come only as fast as another API's answers let them (here 150 a second against a
/// limit of 100), so that the pace's first windows carry calls to their very end: the first
/// throttling answer then comes in a platform window that began in the pace's window before,
/// and the calls of this one say only part of the limit. The budget still finds the limit
/// within a few windows, not after CUBIC's hold and climb (a plan told nothing learned 70 of
/// 100 this way, and took six seconds to grow back, issue 15).
#[test]
fn calls_that_come_at_their_own_pace_still_find_the_limit_within_a_few_windows() {
    for phase_ms in [0, 250, 500, 750] {
        let mut platform = Platform::new(100, phase_ms);
        let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
        let every = Duration::from_micros(6_667);
        let run = drive_arriving(
            &mut pace,
            &mut platform,
            1000,
            64,
            Duration::from_millis(2),
            every,
        );
        // The least: the platform's 100 a window from the first call (the calls come faster).
        let least = platform.least_seconds(1000, Duration::from_millis(2));
        // The first window may be short: the calls come slower than the platform lets them.
        found_the_limit(&platform, &pace, &run, phase_ms, least + 1.1);
    }
}

/// That a run of 1,000 calls against a limit of 100/s (phase `phase_ms`) took at most
/// `seconds`, met throttling answers for under 5% of its calls, and learned the limit.
fn found_the_limit(
    platform: &Platform,
    pace: &Adaptive,
    run: &Outcome,
    phase_ms: u64,
    seconds: f64,
) {
    let case = format!(
        "phase {phase_ms} ms: {:.3}s, at most {seconds:.3}s, {} throttled, learned {:.1}",
        run.seconds,
        run.throttled,
        pace.rate()
    );
    trace_windows(platform, &case);
    assert!(run.seconds <= seconds, "{case}");
    assert!(run.throttled * 20 < 1000, "{case}");
    assert!(pace.rate() >= 100.0 && pace.rate() < 115.0, "{case}");
}

/// Above a floor, a window goes halfway to the ceiling at once, not a few calls per answer: a
/// server answering several APIs' bursts at once answers over much of a window, past where a
/// window whose phase is barely known stops (the plan bench told nothing, issue 15: 72 of 100
/// held for nine seconds while growth waited for answers).
#[test]
fn above_a_floor_a_window_goes_halfway_to_the_ceiling_at_once() {
    let t0 = Instant::now();
    let ms = |n: u64| Duration::from_millis(n);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    // The first window: calls to its very end, every one let through.
    let mut at = t0;
    while at < t0 + WINDOW {
        assert_eq!(pace.slot(at).at, at, "{:?}", at - t0);
        pace.on_send(at);
        pace.on_success(at, at + ms(1));
        at += ms(10);
    }
    // The second: the platform's window began half-way through the first, so the 31st call
    // of this one is throttled.
    let mut at = t0 + WINDOW;
    for _ in 0..30 {
        pace.on_send(at);
        pace.on_success(at, at + ms(1));
        at += ms(10);
    }
    pace.on_send(at);
    let decrease = pace.on_throttle(at, at + ms(1)).expect("a decrease");
    assert_eq!(decrease.estimate, 30.0);
    assert_eq!(pace.at_most, Some(99), "the calls of the second before");
    // The next window ramps up to the floor, its calls answered as they go; then 35 more go
    // (halfway to 99) before any of theirs is answered.
    let start = pace.slot(at + ms(1)).at;
    let us = |n: u64| start + Duration::from_micros(n);
    let mut sent = 0;
    while pace.slot(us(sent)).at == us(sent) {
        pace.on_send(us(sent));
        if sent < 30 {
            pace.on_success(us(sent), us(sent));
        }
        sent += 1;
    }
    assert_eq!(sent, 30 + 35);
    // The platform lets 20 of them through and throttles the 21st: that counts the limit,
    // and the floor is gone.
    let answered = start + ms(300);
    for n in 30..50 {
        pace.on_success(us(n), answered);
    }
    pace.on_throttle(us(50), answered).expect("a decrease");
    assert_eq!(pace.at_most, None);
    assert_eq!(pace.rate(), 50.0);
}

/// Answers that take 300 ms (a tenant far from DingTalk): growing to the limit before the
/// first throttling answer, and the ramp that confirms it after, take a few windows, not the
/// whole run. Before, growth went one call per answer and the ramp waited for an answer that
/// came after its window closed: 1,000 calls at 100/s took 16.3 s and never met the limit, or
/// (once growth reached it) ran one call a window for minutes.
#[test]
fn slow_answers_still_find_the_limit_within_a_few_windows() {
    for phase_ms in [0, 250, 500, 750] {
        let mut platform = Platform::new(100, phase_ms);
        let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
        let latency = Duration::from_millis(300);
        let run = drive(&mut pace, &mut platform, 1000, 256, latency);
        let least = platform.least_seconds(1000, latency);
        found_the_limit(&platform, &pace, &run, phase_ms, least + 5.0);
    }
}

/// Calls that come at 150 a second to 64 callers, the platform's windows 50 ms after the
/// first call: the first window's first calls count in the platform's window before, so the
/// first throttling answer overstates the limit (108 of 100) and misplaces the windows; the
/// next window meets a throttling answer after few calls, the phase is lost, and the budget is
/// cut to 97. A probe of the phase in a window of 97 is let through before the platform's
/// window ends, and moved the phase 11 ms too early: bursts then reached the full window
/// before, and for eight seconds windows let 3 calls through (34 s for 2,000 calls, 133
/// throttling answers). A budget cut without a count does not probe the phase.
#[test]
fn a_budget_cut_without_a_count_does_not_probe_the_phase() {
    let mut platform = Platform::new(100, 50);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    let every = Duration::from_micros(6_667);
    let latency = Duration::from_millis(2);
    let run = drive_arriving(&mut pace, &mut platform, 2000, 64, latency, every);
    let least = platform.least_seconds(2000, latency);
    let case = format!(
        "{:.3}s, the least {least:.3}s, {} throttled, learned {:.1}",
        run.seconds,
        run.throttled,
        pace.rate()
    );
    trace_windows(&platform, &case);
    // The first window is short (the calls come slower than the platform lets them), and the
    // cut budget is held until CUBIC grows back past the limit.
    assert!(run.seconds <= least + 3.0, "{case}");
    assert!(run.throttled * 50 < 2000, "{case}");
}

/// A counted window that meets a throttling answer after fewer calls than the window before
/// let through without one says the phase is wrong (in one of the platform's windows the
/// window before would have been over the limit), not that the limit is that count: the
/// budget is cut by [`BETA`] and the windows are looked for, rather than set to the count
/// and held there for the hold and CUBIC's climb (the plan bench told nothing: 54 a window
/// for seven seconds against a limit of 100, issue 15).
#[test]
fn fewer_through_than_the_window_before_means_the_phase_is_lost() {
    let t0 = Instant::now();
    let ms = |n: u64| Duration::from_millis(n);
    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
    pace.phase = Some(Phase {
        hi: t0,
        uncertainty: ms(20),
    });
    pace.cubic = Some(Cubic {
        w_max: 100.0,
        since: t0.checked_sub(Duration::from_secs(1)).expect("an instant"),
        counted: true,
    });
    pace.rate = 100.0;
    // The window before: 100 let through, none throttled.
    let before = t0.checked_sub(WINDOW).expect("an instant");
    for n in 0..100 {
        let at = before + ms(10) + Duration::from_micros(n);
        pace.sent.insert(at);
        pace.admitted.insert(at);
    }
    // This one: 60 through, then a throttling answer.
    let start = t0 + ms(10);
    for n in 0..60 {
        let at = start + Duration::from_micros(n);
        pace.on_send(at);
        pace.on_success(at, at + ms(1));
    }
    let at = start + Duration::from_micros(60);
    pace.on_send(at);
    let decrease = pace.on_throttle(at, at + ms(1)).expect("a decrease");
    assert_eq!(decrease.rate, 100.0 * BETA, "{decrease:?}");
    assert!(pace.search.is_some(), "the windows are looked for");
}

/// A sweep, as a fuzzer would run it, over how calls come (all at once, or one every 2.3, 4
/// and 6.7 ms), how many callers wait (1, 16, 64), how fast answers are (0.5, 2 and 40 ms)
/// and where the platform's windows begin (every 50 ms of a second): 2,000 calls at a limit
/// of 100/s each time, 720 runs. None stalls (each ends within 7.5 s of the least its calls,
/// callers and answers allow) and none meets throttling answers for 5% of its calls. Before
/// `a_budget_cut_without_a_count_does_not_probe_the_phase`'s fix one took 34 s (the least:
/// 18.1 s). The worst now, both with 40 ms answers, where learning costs most: 24.2 s (the
/// least 18.0 s; one call every 6.7 ms, 64 callers), which also met the most throttling
/// answers, 71 (99 before `a_count_carried_over_before_any_throttling_answer_grows_…`'s fix;
/// 10,685 in all 720 runs before it, 7,061 after).
#[test]
fn a_sweep_of_arrivals_callers_answers_and_phases_neither_stalls_nor_meets_five_percent() {
    let calls = 2000;
    for every_us in [0u64, 2_300, 4_000, 6_667] {
        for concurrency in [1usize, 16, 64] {
            for latency_us in [500u64, 2_000, 40_000] {
                for phase_ms in (0..1000).step_by(50) {
                    let mut platform = Platform::new(100, phase_ms);
                    let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
                    let latency = Duration::from_micros(latency_us);
                    let every = Duration::from_micros(every_us);
                    let run = drive_arriving(
                        &mut pace,
                        &mut platform,
                        calls,
                        concurrency,
                        latency,
                        every,
                    );
                    let least = platform
                        .least_seconds(calls, latency)
                        .max(latency.as_secs_f64() * f64::from(calls) / concurrency as f64)
                        .max(every.as_secs_f64() * f64::from(calls));
                    let case = format!(
                        "every {every_us} µs, {concurrency} callers, answers in {latency_us} µs, \
                         phase {phase_ms} ms: {:.3}s, the least {least:.3}s, {} throttled",
                        run.seconds, run.throttled
                    );
                    assert!(run.seconds <= least + 7.5, "{case}");
                    assert!(run.throttled * 20 < calls, "{case}");
                }
            }
        }
    }
}

/// 64 callers with all their calls at once, answers in 40 ms: before the first throttling
/// answer a window's budget is at least what the window before let through, and that count
/// may straddle two of the platform's windows (where they begin is not known yet). Burst at
/// once into a platform window that the window before's last calls already filled in part, it
/// met 31-84 throttling answers in 15 of 20 phases (the plan bench, told nothing: 60-70 in one
/// window, then seconds lost). Beyond a quarter of it, the count carried over goes as growth
/// does, a few calls in flight: at most 26 in every phase.
#[test]
fn a_count_carried_over_before_any_throttling_answer_grows_rather_than_bursts() {
    let calls = 2000;
    for phase_ms in (0..1000).step_by(50) {
        let mut platform = Platform::new(100, phase_ms);
        let mut pace = Adaptive::new(DOCUMENTED_RATE, 450.0);
        let latency = Duration::from_millis(40);
        let run = drive_arriving(&mut pace, &mut platform, calls, 64, latency, Duration::ZERO);
        let least = platform.least_seconds(calls, latency);
        let case = format!(
            "phase {phase_ms} ms: {:.3}s, the least {least:.3}s, {} throttled",
            run.seconds, run.throttled
        );
        assert!(run.throttled <= 30, "{case}");
        assert!(run.seconds <= least + 3.5, "{case}");
    }
}
