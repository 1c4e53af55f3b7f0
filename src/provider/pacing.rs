//! Adaptive pacing of one API: how fast to call it when nobody said how fast the organization
//! may (no `rate:` in `dingform.yaml`, no `--rate`).
//!
//! DingTalk counts a fixed number of calls per app per API in each one-second window
//! (`shared/dingtalk-api.md`, 90018 / 403 `QpsLimitForAppkeyAndApi`, 90002), so the pace counts
//! calls by the window rather than spacing them evenly: each window takes its budget as soon as
//! callers ask (a burst, as a plain script's loop does) and then the API waits for the next
//! window. The growth and decrease follow the AWS SDKs' "adaptive" retry mode (a client-side
//! budget that grows while calls succeed, is cut on a throttling answer, then grows back along
//! a CUBIC curve), fitted to those windows:
//!
//! - **From the first call.** The first call opens a window; the budget is the documented 20
//!   and goes at once. Until the first throttling answer, calls beyond what the window has let
//!   through go a few at a time ([`GROWTH_IN_FLIGHT`]), each answer letting more go, so the
//!   budget grows as fast as answers come back while a throttling answer finds few calls still
//!   in flight. A window's budget is at least what the window before it let through; that
//!   count may straddle two of the platform's windows, so when answers are fast only a quarter
//!   of it goes at once and the rest as growth does.
//! - **The limit.** A throttling answer says the window is full: the calls it let through are
//!   the limit, exactly, once the phase is known. The first one's count may be short: the
//!   platform's window may have begun in the pace's window before, among calls that count is
//!   blind to (the calls of an API whose callers wait on another API's answers go until a
//!   window's very end). Then it is a floor, and the calls of the second before the throttled
//!   call a ceiling: windows that take the floor go halfway to the ceiling at once, and what
//!   they let through is the next floor, until a throttled window counts the limit (without
//!   this, a plan learned 72 of 100 and took ten seconds to grow back). The count becomes
//!   the budget, held for [`HOLD`] seconds, after which it grows along CUBIC
//!   (`w_max + SCALE·(t − HOLD)³`) and the next throttled window re-counts it, so a change of
//!   edition is noticed. One decrease per window. Calls a moved phase left
//!   just before a window (after the window before closed), where the platform's may already
//!   have begun, may be counted in it: a window short of its budget by no more than those
//!   leaves the budget as it was.
//! - **The phase.** Where the platform's windows begin is known as an interval: a boundary lies
//!   in `(hi − uncertainty, hi]`, repeating every second. Counted windows begin at `hi`, and
//!   ordinary calls stop `uncertainty` before a counted window's end, where the platform's may
//!   already have ended. The first throttling answer gives the interval (the full window began
//!   at or before its first call, and had not ended when the throttled call went). Then, in a
//!   full window, one call goes at the interval's middle: a throttling answer means the
//!   boundary is later, an answer means it has passed (that call opens the next window, which
//!   starts earlier from then on: at the answer, since the call reached the platform somewhere
//!   between going and being answered; callers waiting for the next window look again when a
//!   probe is answered). Each such probe halves the interval; they are spent
//!   only while throttling answers stay under [`PROBE_SHARE`] of the calls let through.
//! - **The way there.** A call is counted when it reaches the platform, not when it goes: one
//!   that goes just after a learned start can arrive before the platform's window began and
//!   meet the full window before. So every call of a learned window waits [`PHASE_MARGIN`]
//!   after its start, or half the round trip of the first counted window's first call if that
//!   is longer (up to [`MAX_LAG`]), a caller that wakes inside that stretch too. Bursts go at a
//!   window's start, so this costs its length once a run, not once a window.
//! - **A lost phase.** A throttling answer in a window that let far fewer through than its
//!   budget, or fewer than the window before let through without one, means the windows are
//!   not where they were thought to be (or the limit dropped): the budget is cut by [`BETA`],
//!   and the API probes every [`PROBE_GAP`], one call at a time, until a call gets through:
//!   that call is just after a window's start. The cut is a guess, not a count, so the phase
//!   is not probed until a throttled window counts the limit again.
//!
//! Pure state: every method takes the instants it needs, so the algorithm is tested on a
//! paused clock, and the limiter that owns it decides when to sleep.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The budget an API starts at: the platform's documented limit for standard-edition
/// organizations (20 calls/s per app per API).
pub const DOCUMENTED_RATE: f64 = 20.0;
/// The cut when a window let far fewer calls through than its budget (the phase was lost, or
/// the limit dropped). Softer than TCP's or AWS's 0.7: a DingTalk throttle is a hard count per
/// window, not congestion.
pub const BETA: f64 = 0.9;
/// CUBIC's scale (calls/s per s³): how fast the budget probes beyond a counted limit.
pub const SCALE: f64 = 0.1;
/// A counted limit is held this many seconds before the budget probes above it.
pub const HOLD: f64 = 5.0;
/// The platform's counting window.
pub const WINDOW: Duration = Duration::from_secs(1);
/// Before the first throttling answer, at most this many calls beyond what the window has let
/// through are unanswered at once, unless answers are slow (`Adaptive::in_flight`):
/// the most that the first throttled window refuses.
pub const GROWTH_IN_FLIGHT: u32 = 4;
/// While the phase of the windows is lost, the API is probed this often.
pub const PROBE_GAP: Duration = Duration::from_millis(50);
/// The phase is refined by probes until it is known this closely.
pub const PRECISION: Duration = Duration::from_millis(10);
/// Probes that refine the phase are sent only while the throttling answers met are under this
/// share of the calls let through.
pub const PROBE_SHARE: f64 = 0.03;
/// Calls of a learned window go at least this long after its start: a call reaches the
/// platform some time after it goes (the connection, the scheduler of a loaded machine), and
/// one that arrives before the window began is counted in the full one before. With a margin
/// of 2 ms, a run against the emulator on a loaded machine lost one window in some phases
/// (`calls_that_reach_the_platform_late_do_not_cost_a_window`).
pub const PHASE_MARGIN: Duration = Duration::from_millis(10);
/// The longest a learned window's calls wait after its start.
pub const MAX_LAG: Duration = Duration::from_millis(100);
/// No API is paced below this.
const MIN_RATE: f64 = 1.0;
/// Ordinary calls may go at least this long after a counted window's start.
const MIN_OPEN: Duration = Duration::from_millis(300);
/// How far back calls are remembered: the window being counted and the one before it.
const HISTORY: Duration = Duration::from_secs(2);

/// When the next call may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Not before this.
    pub at: Instant,
    /// An answer to an earlier call may let it go sooner: look again when one comes.
    pub on_answer: bool,
}

impl Slot {
    fn at(at: Instant) -> Slot {
        Slot {
            at,
            on_answer: false,
        }
    }
}

/// Where the platform's windows begin: a boundary lies in `(hi − uncertainty, hi]`, and one
/// every [`WINDOW`] before and after.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Phase {
    hi: Instant,
    uncertainty: Duration,
}

/// Looking for a window's start after the phase was lost: one call at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Search {
    /// Throttling answers to calls sent before this are old news.
    since: Instant,
    /// The next probe goes then.
    next: Instant,
    /// The probe unanswered, sent then.
    in_flight: Option<Instant>,
    /// The last probe throttled: the window had not begun then.
    last_refused: Option<Instant>,
}

/// A limit and when it was set.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cubic {
    w_max: f64,
    since: Instant,
    /// A throttled window counted it; not a cut by [`BETA`] when the phase was lost, which
    /// only guesses it. Probes of the phase need a window of exactly the limit: in one of fewer
    /// calls, a probe is let through before the window ends and moves the phase wrongly.
    counted: bool,
}

/// Send instants in order, counted by range.
#[derive(Clone, Debug, Default)]
struct Calls(VecDeque<Instant>);

impl Calls {
    fn insert(&mut self, at: Instant) {
        let position = self.0.partition_point(|sent| *sent <= at);
        self.0.insert(position, at);
    }

    fn count(&self, from: Instant, to: Instant) -> u32 {
        let start = self.0.partition_point(|sent| *sent < from);
        let end = self.0.partition_point(|sent| *sent < to);
        u32::try_from(end.saturating_sub(start)).unwrap_or(u32::MAX)
    }

    fn first(&self, from: Instant, to: Instant) -> Option<Instant> {
        let start = self.0.partition_point(|sent| *sent < from);
        self.0.get(start).copied().filter(|sent| *sent < to)
    }

    /// One call recorded at `from` is counted at `to` instead.
    fn shift(&mut self, from: Instant, to: Instant) {
        if let Some(position) = self.0.iter().position(|sent| *sent == from) {
            self.0.remove(position);
            self.insert(to);
        }
    }

    fn forget_before(&mut self, before: Instant) {
        while self.0.front().is_some_and(|sent| *sent < before) {
            self.0.pop_front();
        }
    }
}

/// The adaptive pace of one API.
#[derive(Clone, Debug)]
pub struct Adaptive {
    /// Calls a window takes, once a throttling answer has counted the limit; before, the
    /// budget a window starts with.
    rate: f64,
    ceiling: f64,
    /// The limit counted last, once a throttling answer came.
    cubic: Option<Cubic>,
    /// Where the windows begin, from the first call on.
    phase: Option<Phase>,
    /// Calls sent, answered without throttling, and throttled (by when they were sent).
    sent: Calls,
    admitted: Calls,
    refused: Calls,
    /// The phase was lost and is being looked for.
    search: Option<Search>,
    /// The probe refining the phase, sent then and not answered yet.
    probe: Option<Instant>,
    /// The limit or the phase was estimated and not confirmed by a window since: windows
    /// ramp up to their budget instead of bursting it.
    ramp: bool,
    /// The limit counted is only a floor, and at most this: the first throttled window's
    /// calls were counted from the pace's window start, and the platform's may have begun in
    /// the pace's window before, among calls of that one (at most all those of the second
    /// before the throttled call). Windows that take their budget go halfway to this, until a
    /// throttled window counts the limit.
    at_most: Option<u32>,
    /// Throttled windows met (each one decrease).
    throttled_windows: u64,
    /// All calls let through and all throttling answers, for [`PROBE_SHARE`].
    total_admitted: u64,
    total_refused: u64,
    /// Before the first throttling answer: the first call of the latest window and when its
    /// answer came.
    first_answer: Option<(Instant, Instant)>,
    /// How long after a learned window's start its calls wait: [`PHASE_MARGIN`], or half the
    /// round trip of the first counted window's first call, if longer.
    lag: Duration,
}

/// What a throttling answer changed, for the log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decrease {
    /// The calls/s the window let through.
    pub estimate: f64,
    /// The budget from now on (calls per window).
    pub rate: f64,
}

impl Adaptive {
    /// Start at `start` calls a window; never exceed `ceiling`.
    pub fn new(start: f64, ceiling: f64) -> Adaptive {
        let ceiling = ceiling.max(MIN_RATE);
        Adaptive {
            rate: start.clamp(MIN_RATE, ceiling),
            ceiling,
            cubic: None,
            phase: None,
            sent: Calls::default(),
            admitted: Calls::default(),
            refused: Calls::default(),
            search: None,
            probe: None,
            ramp: false,
            at_most: None,
            throttled_windows: 0,
            total_admitted: 0,
            total_refused: 0,
            first_answer: None,
            lag: PHASE_MARGIN,
        }
    }

    /// The budget in force (calls per one-second window, i.e. calls/s).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Throttled windows met so far.
    pub fn throttled_windows(&self) -> u64 {
        self.throttled_windows
    }

    /// The window (whole windows since the learned start) `at` falls in.
    fn window_of(&self, phase: Phase, at: Instant) -> i64 {
        let since = if at >= phase.hi {
            at.duration_since(phase.hi).as_secs_f64()
        } else {
            -phase.hi.duration_since(at).as_secs_f64()
        };
        (since / WINDOW.as_secs_f64()).floor() as i64
    }

    fn begins(phase: Phase, index: i64) -> Instant {
        let offset = WINDOW * u32::try_from(index.unsigned_abs()).unwrap_or(u32::MAX);
        if index >= 0 {
            phase.hi + offset
        } else {
            phase.hi.checked_sub(offset).unwrap_or(phase.hi)
        }
    }

    /// The bounds of window `index`.
    fn bounds(phase: Phase, index: i64) -> (Instant, Instant) {
        (Self::begins(phase, index), Self::begins(phase, index + 1))
    }

    /// Whether windows that take their budget send beyond it: before the first throttling
    /// answer (a few calls at a time), and while the limit counted is only a floor (halfway to
    /// the most it can be).
    fn growing(&self) -> bool {
        self.cubic.is_none() || self.at_most.is_some()
    }

    /// How many more calls than a window has got answered may go while growing or ramping:
    /// `fast` (a few, more as each is answered, up to [`GROWTH_IN_FLIGHT`]), unless answers
    /// are so slow that the budget in force takes more than that in one round trip; then that
    /// share at once, or a window would barely grow before it ends.
    fn in_flight(&self, fast: u32) -> u32 {
        let slow = self.round_trip_share();
        if slow > GROWTH_IN_FLIGHT { slow } else { fast }
    }

    /// The calls the budget in force takes in one round trip (of the first call of the last
    /// window before the first throttling answer): what growth one call per answer would send
    /// in the time it waits for one.
    fn round_trip_share(&self) -> u32 {
        let round_trip = self
            .first_answer
            .map_or(Duration::ZERO, |(sent, answered)| {
                answered.saturating_duration_since(sent)
            });
        (self.rate * round_trip.as_secs_f64() / WINDOW.as_secs_f64()) as u32
    }

    /// The calls one window takes at the budget in force.
    fn budget(&self) -> u32 {
        self.rate.floor().max(MIN_RATE) as u32
    }

    /// When ordinary calls of the window `(start, end)` stop: the platform's window may end up
    /// to the phase's uncertainty earlier (but at least [`MIN_OPEN`] of a window stays open,
    /// so that a phase barely known still lets a burst go).
    fn closes(phase: Phase, (start, end): (Instant, Instant), margin: Duration) -> Instant {
        if phase.uncertainty.is_zero() {
            return end;
        }
        end.checked_sub(phase.uncertainty + PHASE_MARGIN)
            .unwrap_or(end)
            .max(start + margin + MIN_OPEN)
    }

    /// When the next call may go, asked at `now`.
    pub fn slot(&self, now: Instant) -> Slot {
        if let Some(search) = self.search {
            return match search.in_flight {
                Some(sent) => Slot {
                    at: (sent + WINDOW).max(now),
                    on_answer: true,
                },
                None => Slot::at(search.next.max(now)),
            };
        }
        let Some(phase) = self.phase else {
            return Slot::at(now);
        };
        let index = self.window_of(phase, now);
        let (start, end) = Self::bounds(phase, index);
        let margin = self.lag.max(PHASE_MARGIN);
        // The answer to a probe in flight may move the windows' start earlier: the next one
        // may then begin long before this one was thought to end.
        let next_window = Slot {
            at: end + margin,
            on_answer: self.probe.is_some(),
        };
        // The next window, unless an answer lets more of this one go first.
        let next_answer = Slot {
            at: next_window.at,
            on_answer: true,
        };
        if self.cubic.is_some() && now < start + margin {
            // A learned window's calls wait out the margin, even a caller that wakes just
            // after its start (the answer that moved the phase).
            return Slot::at(start + margin);
        }
        let sent = self.sent.count(start, end);
        if now < Self::closes(phase, (start, end), margin) {
            let budget = self.budget().max(self.carried_over(phase, index));
            if self.ramp {
                // Neither the limit nor the phase is confirmed yet: one call first, then more as
                // each is answered, so that a wrong guess meets few throttling answers.
                let admitted = self.admitted.count(start, end);
                // What the window before let through (its calls still in flight too), or
                // twice those of its calls answered: answers slower than a window stays open
                // would otherwise hold every window to the one call it starts with.
                let ramped = self
                    .unthrottled_before(phase, index)
                    .map_or(0, |(from, to)| {
                        let answered = self.admitted.count(from, to);
                        self.sent.count(from, to).max(2 * answered)
                    });
                let more = self.in_flight(admitted.clamp(1, GROWTH_IN_FLIGHT));
                let allowed = (admitted + more).max(ramped).min(budget);
                if sent < allowed {
                    return Slot::at(now);
                }
                if sent < budget && self.refused.count(start, end) == 0 {
                    return next_answer;
                }
            } else if sent < budget {
                let Some(at_once) = self.straddle_guard(budget) else {
                    return Slot::at(now);
                };
                let admitted = self.admitted.count(start, end);
                if sent < at_once.max(admitted + GROWTH_IN_FLIGHT) {
                    return Slot::at(now);
                }
                return next_answer;
            }
            if self.growing() && self.refused.count(start, end) == 0 {
                let admitted = self.admitted.count(start, end);
                let allowed = match self.at_most {
                    // Above a floor: halfway to the most it can be, without waiting for answers
                    // (a loaded server answers a burst over much of a window).
                    Some(most) => budget + most.saturating_sub(budget).div_ceil(2),
                    // Growing: once the budget went through, a few calls beyond it, more as
                    // each is answered.
                    None if admitted >= budget => {
                        let beyond = admitted - budget;
                        admitted + self.in_flight((beyond + 1).min(GROWTH_IN_FLIGHT))
                    }
                    None => 0,
                }
                .min(self.ceiling.floor() as u32);
                if sent < allowed {
                    return Slot::at(now);
                }
                return next_answer;
            }
        }
        match self.probe_time(phase, index, sent) {
            Some(at) if at < end => Slot::at(at.max(now)),
            _ => next_window,
        }
    }

    /// Before the first throttling answer, with answers fast enough to grow on, how much of a
    /// budget `budget` carried over from the window before goes at once; the rest goes as
    /// growth does, a few calls in flight. That count may straddle two of the platform's
    /// windows (nothing says yet where they begin), and bursting it at once into one that the
    /// window before's last calls already filled in part met 60-70 throttling answers.
    fn straddle_guard(&self, budget: u32) -> Option<u32> {
        if self.cubic.is_some() || self.round_trip_share() > GROWTH_IN_FLIGHT {
            return None;
        }
        Some((budget / 4).max(DOCUMENTED_RATE as u32))
    }

    /// The bounds of the window before window `index`, if none of its calls was throttled.
    fn unthrottled_before(&self, phase: Phase, index: i64) -> Option<(Instant, Instant)> {
        let (from, to) = Self::bounds(phase, index - 1);
        (self.refused.count(from, to) == 0).then_some((from, to))
    }

    /// While growing, a window's budget is at least what the window before it let through
    /// (once the limit is counted, a window of the phase counted: not the throttled one).
    fn carried_over(&self, phase: Phase, index: i64) -> u32 {
        if !self.growing() {
            return 0;
        }
        let (start, end) = Self::bounds(phase, index - 1);
        let through = match self.cubic {
            Some(cubic) if start < cubic.since => return 0,
            Some(_) => self.admitted.count(start, end),
            // Before any throttling answer, the calls still in flight count too: slow answers
            // would otherwise hold the next window back to what the last one got answered in
            // time, and growth would wait for them window after window.
            None => self
                .sent
                .count(start, end)
                .saturating_sub(self.refused.count(start, end)),
        };
        through.min(self.ceiling.floor() as u32)
    }

    /// When to send the probe that halves the phase's uncertainty in the full window `index`,
    /// if one is due: at the middle of the interval where the window may end.
    fn probe_time(&self, phase: Phase, index: i64, sent: u32) -> Option<Instant> {
        let cubic = self.cubic?;
        let exact = cubic.counted && self.budget() == cubic.w_max.floor() as u32;
        let affordable = (self.total_refused as f64) < PROBE_SHARE * self.total_admitted as f64;
        // One probe a window, once the window is full: the only call beyond its budget.
        if !exact
            || !affordable
            || self.at_most.is_some()
            || self.probe.is_some()
            || phase.uncertainty <= PRECISION
            || sent != self.budget()
        {
            return None;
        }
        let (_, end) = Self::bounds(phase, index);
        end.checked_sub(phase.uncertainty / 2)
    }

    /// A call goes at `at`.
    pub fn on_send(&mut self, at: Instant) {
        self.forget_before(at);
        if let Some(search) = &mut self.search {
            search.in_flight = Some(at);
        }
        match self.phase {
            None => {
                // The first call opens a window.
                self.phase = Some(Phase {
                    hi: at,
                    uncertainty: Duration::ZERO,
                });
            }
            Some(phase) if self.search.is_none() && !self.growing() => {
                // Past a full window's budget, only the probe of the phase goes.
                let (start, end) = Self::bounds(phase, self.window_of(phase, at));
                if self.sent.count(start, end) >= self.budget() {
                    self.probe = Some(at);
                }
            }
            Some(phase) if self.growing() => {
                let carried = f64::from(self.carried_over(phase, self.window_of(phase, at)));
                self.rate = self.rate.max(carried);
                if let Some(cubic) = &mut self.cubic {
                    // A floor that a window went beyond: CUBIC holds what it let through.
                    cubic.w_max = cubic.w_max.max(carried);
                    if self.at_most.is_some_and(|most| carried >= f64::from(most)) {
                        self.at_most = None;
                    }
                }
            }
            Some(_) => {}
        }
        self.sent.0.push_back(at);
    }

    /// A call sent at `sent_at` was answered (not throttled) at `now`.
    pub fn on_success(&mut self, sent_at: Instant, now: Instant) {
        self.forget_before(now);
        self.admitted.insert(sent_at);
        self.total_admitted += 1;
        if let Some(search) = self.search
            && sent_at >= search.since
        {
            // The first call through after the phase was lost: a window has just begun.
            let after = search
                .last_refused
                .filter(|refused| *refused < sent_at)
                .unwrap_or_else(|| sent_at.checked_sub(PROBE_GAP).unwrap_or(sent_at));
            self.phase = Some(Phase {
                hi: sent_at,
                uncertainty: sent_at.duration_since(after).min(WINDOW / 2),
            });
            self.search = None;
            self.ramp = true;
        }
        if self.probe == Some(sent_at) {
            self.probe = None;
            if let Some(phase) = self.phase {
                // The window had ended when the probe reached the platform, which is some
                // time after it went and before its answer came: the next window opened
                // before `now`, a little earlier than thought. (Taking the send instant
                // would put the start too early by the probe's way there, and the next
                // bursts would arrive in the full window before.)
                let (_, end) = Self::bounds(phase, self.window_of(phase, sent_at));
                let hi = now.min(end).max(sent_at);
                let narrowed = phase
                    .uncertainty
                    .saturating_sub(end.saturating_duration_since(hi));
                self.phase = Some(Phase {
                    hi,
                    uncertainty: narrowed,
                });
                // The probe is the first call of that window.
                self.sent.shift(sent_at, hi);
                self.admitted.shift(sent_at, hi);
            }
        }
        let Some(cubic) = self.cubic else {
            if let Some(phase) = self.phase {
                let (start, end) = Self::bounds(phase, self.window_of(phase, sent_at));
                if self.sent.first(start, end) == Some(sent_at) {
                    self.first_answer = Some((sent_at, now));
                }
            }
            return;
        };
        if self.settle(sent_at) {
            return;
        }
        if self.ramp
            && let Some(phase) = self.phase
        {
            let (start, end) = Self::bounds(phase, self.window_of(phase, sent_at));
            // A window took its whole budget: the estimate and the phase hold.
            self.ramp = self.admitted.count(start, end) < self.budget();
        }
        let held = now.saturating_duration_since(cubic.since).as_secs_f64() - HOLD;
        let grown = cubic.w_max + SCALE * held.max(0.0).powi(3);
        // As in the AWS SDKs, never more than twice what actually went through lately: an API
        // that callers use slowly must not "learn" a rate it never tried, then burst at it.
        let lately = now.checked_sub(WINDOW).unwrap_or(now);
        let tried = (2.0 * f64::from(self.admitted.count(lately, now + WINDOW))).max(self.rate);
        self.rate = grown.min(tried).clamp(MIN_RATE, self.ceiling);
    }

    /// A call sent at `sent_at` got a throttling answer at `now`. Returns the decrease when
    /// this answer is the first news of a full window.
    pub fn on_throttle(&mut self, sent_at: Instant, now: Instant) -> Option<Decrease> {
        self.forget_before(now);
        self.refused.insert(sent_at);
        self.total_refused += 1;
        if let Some(search) = &mut self.search {
            if sent_at >= search.since {
                // The window has not begun yet: probe again a little later.
                search.in_flight = None;
                search.last_refused = Some(sent_at);
                search.next = now + PROBE_GAP;
            }
            return None;
        }
        let phase = self.phase?;
        if self.probe == Some(sent_at) {
            // The window had not ended when the probe went: it ends later than that.
            self.probe = None;
            let (_, end) = Self::bounds(phase, self.window_of(phase, sent_at));
            self.phase = Some(Phase {
                hi: phase.hi,
                uncertainty: end
                    .saturating_duration_since(sent_at)
                    .min(phase.uncertainty),
            });
            return None;
        }
        let index = self.window_of(phase, sent_at);
        if index < self.window_of(phase, now) - 1 {
            // An answer to a call of a window long over.
            return None;
        }
        let (start, end) = Self::bounds(phase, index);
        if self.refused.count(start, end) > 1 {
            // This window was already known full.
            self.settle(sent_at);
            return None;
        }
        // The calls sent up to this one in its window and not throttled: the platform counts
        // in arrival order, so those still unanswered went through too (corrected by
        // [`Self::settle`] once all are answered).
        let up_to = sent_at + Duration::from_nanos(1);
        let through = self
            .unrefused(start, up_to)
            .max(self.admitted.count(start, end));
        let through = self.with_counted_before(phase, start, through);
        // The window before let more through without one throttling answer: in one window of
        // the platform's, that would be more than the limit.
        let short_of_the_window_before = || {
            self.unthrottled_before(phase, index)
                .is_some_and(|(from, to)| through < self.admitted.count(from, to))
        };
        if self.cubic.is_some()
            && (f64::from(through) < self.rate * 0.5 || short_of_the_window_before())
        {
            // Far fewer went through than the window takes, or fewer than the window before
            // let through unthrottled: the windows are not where they were thought to be, or
            // the limit dropped.
            self.rate = (self.rate * BETA).clamp(MIN_RATE, self.ceiling);
            self.cubic = Some(Cubic {
                w_max: self.rate,
                since: now,
                counted: false,
            });
            self.throttled_windows += 1;
            self.probe = None;
            self.at_most = None;
            self.search = Some(Search {
                since: now,
                next: now + PROBE_GAP,
                in_flight: None,
                last_refused: None,
            });
            return Some(Decrease {
                estimate: f64::from(through),
                rate: self.rate,
            });
        }
        if self.cubic.is_none() {
            // The first throttling answer: the full window began at or before its first call
            // and had not ended when this one went.
            let first = self.sent.first(start, end).unwrap_or(start).min(sent_at);
            let next = first + WINDOW;
            // Its first call reached the platform before its answer came (or this one's, if it
            // has not), about half the round trip after it went: the window may have begun up
            // to that much after the call went, and the calls of a learned window wait at
            // least that long after its start.
            let reached = match self.first_answer {
                Some((sent, answered)) if sent == first => answered.min(now),
                _ => now,
            };
            self.lag = (reached.saturating_duration_since(first) / 2).min(MAX_LAG);
            self.phase = Some(Phase {
                hi: next,
                uncertainty: next.saturating_duration_since(sent_at),
            });
            // The platform's window may have begun up to a second before this call, among the
            // calls of the pace's window before, which this count leaves out.
            let most = sent_at.checked_sub(WINDOW).map_or(through, |from| {
                self.unrefused(from + Duration::from_nanos(1), up_to)
            });
            self.at_most = (most > through).then_some(most);
        } else {
            // A counted window: the phase in force ends ordinary calls where the platform's
            // window may end, so the count is the limit.
            self.at_most = None;
        }
        // The first estimate is confirmed by the next window; a count in a counted window is
        // exact.
        self.ramp = self.cubic.is_none();
        // Exactly what the window let through: the limit, unless another caller of the same
        // app shares it. CUBIC probes above it after the hold.
        let estimate = f64::from(through).max(MIN_RATE);
        self.rate = estimate.min(self.ceiling);
        self.cubic = Some(Cubic {
            w_max: self.rate,
            since: now,
            counted: true,
        });
        self.throttled_windows += 1;
        Some(Decrease {
            estimate,
            rate: self.rate,
        })
    }

    /// Once every call of a throttled window is answered, what it let through is known
    /// exactly: that is the limit. Returns whether the window of `sent_at` was throttled.
    fn settle(&mut self, sent_at: Instant) -> bool {
        let (Some(phase), Some(cubic), None) = (self.phase, self.cubic, self.search) else {
            return false;
        };
        let (start, end) = Self::bounds(phase, self.window_of(phase, sent_at));
        let refused = self.refused.count(start, end);
        if refused == 0 {
            return false;
        }
        let admitted = self.admitted.count(start, end);
        if admitted + refused >= self.sent.count(start, end) && admitted > 0 {
            let limit =
                f64::from(self.with_counted_before(phase, start, admitted)).min(self.ceiling);
            if limit != cubic.w_max {
                self.rate = limit;
                self.cubic = Some(Cubic {
                    w_max: limit,
                    since: cubic.since,
                    counted: true,
                });
            }
        }
        true
    }

    /// What a counted window that began at `start` let through, `through` of its own calls:
    /// the platform's window may have begun up to the phase's uncertainty earlier, and calls
    /// sent in that stretch after the window before had closed (calls the phase in force would
    /// not have sent there: those of a window a probe has just found began earlier) may have
    /// been counted in it. So a window short of its budget by no more than those says nothing
    /// new about the limit. The window before's own calls are not among them: counted, a
    /// barely known phase (where most of a window may lie in the uncertainty) would never
    /// lower a budget above the limit. Before the first throttling answer nothing was counted.
    fn with_counted_before(&self, phase: Phase, start: Instant, through: u32) -> u32 {
        let (Some(_), Some(earliest), Some(before_start)) = (
            self.cubic,
            start.checked_sub(phase.uncertainty),
            start.checked_sub(WINDOW),
        ) else {
            return through;
        };
        let closed = Self::closes(phase, (before_start, start), self.lag.max(PHASE_MARGIN));
        let from = (earliest + Duration::from_nanos(1)).max(closed);
        through.max((through + self.unrefused(from, start)).min(self.budget()))
    }

    /// Calls sent in `[from, to)` and not throttled: let through, or not answered yet.
    fn unrefused(&self, from: Instant, to: Instant) -> u32 {
        self.sent
            .count(from, to)
            .saturating_sub(self.refused.count(from, to))
    }

    fn forget_before(&mut self, now: Instant) {
        let Some(before) = now.checked_sub(HISTORY) else {
            return;
        };
        for calls in [&mut self.sent, &mut self.admitted, &mut self.refused] {
            calls.forget_before(before);
        }
    }
}

#[cfg(test)]
mod tests;
