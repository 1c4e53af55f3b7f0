//! How often each notification fires per day, computed from its cron expression in its time
//! zone over real days — the next five weeks plus the days around every daylight-saving change
//! of the coming year — never guessed from the expression's text.
//!
//! Days are the platform's days: DingTalk's daily limits (`same-content-daily`,
//! `per-user-daily-*`, `to-all-user-daily`) are counted per calendar day in China Standard
//! Time (Asia/Shanghai, no daylight saving), whatever zone a schedule is written in.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::model::schedule::Schedule;
use crate::model::{Notification, Workspace};

/// The zone whose calendar days the platform's daily limits count in.
pub const PLATFORM_TIMEZONE: Tz = crate::model::limits::PLATFORM_DAY_ZONE;
/// Days sampled from the reference time: five weeks covers every weekday and most
/// day-of-month patterns.
const WINDOW_DAYS: i64 = 35;
/// Occurrences enumerated per sampled stretch at most (an every-minute schedule gives 1,440
/// a day: the cap keeps validation bounded).
const MAX_OCCURRENCES: usize = 60_000;

/// Sends per platform day for one schedule, over the sampled days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DailyCounts {
    /// Platform day → that day's occurrences.
    pub days: BTreeMap<NaiveDate, DayCount>,
}

/// One day's occurrences.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayCount {
    /// How many times it fires.
    pub sends: u32,
    /// When, in the schedule's own time zone (what template variables are rendered in).
    pub occurrences: Vec<DateTime<Tz>>,
}

impl DailyCounts {
    /// The busiest sampled day and its sends (None when the schedule never fires).
    pub fn busiest(&self) -> Option<(NaiveDate, u32)> {
        self.days
            .iter()
            .max_by_key(|(date, count)| (count.sends, std::cmp::Reverse(**date)))
            .map(|(date, count)| (*date, count.sends))
    }
}

/// Counts per day for `schedule` from `now`.
pub fn daily_counts(schedule: &Schedule, now: DateTime<Utc>) -> DailyCounts {
    let mut occurrences: BTreeSet<DateTime<Utc>> = BTreeSet::new();
    let take =
        |occurrences: &mut BTreeSet<DateTime<Utc>>, from: DateTime<Utc>, until: DateTime<Utc>| {
            occurrences.extend(
                schedule
                    .occurrences(from, until, MAX_OCCURRENCES)
                    .iter()
                    .map(|at| at.with_timezone(&Utc)),
            );
        };
    take(&mut occurrences, now, now + Duration::days(WINDOW_DAYS));
    for change in schedule.offset_changes(now, 366) {
        take(
            &mut occurrences,
            change - Duration::hours(48),
            change + Duration::hours(48),
        );
    }
    if occurrences.is_empty()
        && let Some(next) = schedule.next_after(now)
    {
        // A yearly or rare schedule: its busiest day is the day it fires.
        let next = next.with_timezone(&Utc);
        take(
            &mut occurrences,
            next - Duration::hours(24),
            next + Duration::hours(24),
        );
    }
    let mut days: BTreeMap<NaiveDate, DayCount> = BTreeMap::new();
    for at in occurrences {
        let day = days
            .entry(at.with_timezone(&PLATFORM_TIMEZONE).date_naive())
            .or_default();
        day.sends += 1;
        day.occurrences.push(at.with_timezone(&schedule.timezone()));
    }
    DailyCounts { days }
}

/// Daily counts of every notification whose schedule and time zone parse, by name; computed
/// once per distinct (schedule, time zone) pair and shared by the notifications that have it
/// (a copy each was 3% of `validate` on a large workspace, issue 15).
pub fn all_daily_counts(
    workspace: &Workspace,
    now: DateTime<Utc>,
) -> BTreeMap<String, Arc<DailyCounts>> {
    let mut cache: HashMap<(String, String), Option<Arc<DailyCounts>>> = HashMap::new();
    let mut counts = BTreeMap::new();
    for (name, notification) in &workspace.notifications {
        let key = schedule_key(&notification.spec);
        let computed = cache
            .entry(key)
            .or_insert_with(|| {
                Schedule::parse(
                    &notification.spec.schedule.value,
                    notification.spec.timezone_name(),
                )
                .ok()
                .map(|schedule| Arc::new(daily_counts(&schedule, now)))
            })
            .clone();
        if let Some(computed) = computed {
            counts.insert(name.clone(), computed);
        }
    }
    counts
}

fn schedule_key(notification: &Notification) -> (String, String) {
    (
        notification.schedule.value.clone(),
        notification.timezone_name().to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn busiest(expression: &str, timezone: &str) -> u32 {
        let now = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
        daily_counts(&Schedule::parse(expression, timezone).unwrap(), now)
            .busiest()
            .map_or(0, |(_, sends)| sends)
    }

    #[test]
    fn counts_come_from_the_expression() {
        assert_eq!(busiest("0 9 * * 1-5", "Asia/Shanghai"), 1);
        assert_eq!(busiest("0 * * * *", "Asia/Shanghai"), 24);
        assert_eq!(busiest("*/15 9-17 * * *", "Asia/Shanghai"), 36);
        assert_eq!(
            busiest("0 9 1 7 *", "Asia/Shanghai"),
            1,
            "a yearly schedule fires once on its day"
        );
    }

    #[test]
    fn daylight_saving_days_are_sampled() {
        // Berlin 17:00 is 00:00 in Shanghai in winter and 23:00 in summer: on the spring-forward
        // Sunday (2026-03-29) both Saturday's and Sunday's sends fall on one Shanghai day. Only
        // sampling that day finds it; an ordinary day has one send.
        let now = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
        let counts = daily_counts(
            &Schedule::parse("0 17 * * *", "Europe/Berlin").unwrap(),
            now,
        );
        let spring_forward = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(counts.days[&spring_forward].sends, 2);
        assert_eq!(counts.busiest(), Some((spring_forward, 2)));
        assert_eq!(
            counts.days[&NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()].sends,
            1
        );
    }

    #[test]
    fn a_repeated_local_hour_fires_once() {
        // Berlin falls back on 2026-10-25: 02:30 happens twice, the schedule fires once.
        let now = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let counts = daily_counts(
            &Schedule::parse("30 2 * * *", "Europe/Berlin").unwrap(),
            now,
        );
        assert!(counts.days.values().all(|day| day.sends == 1), "{counts:?}");
    }
}
