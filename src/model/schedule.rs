//! [`Schedule`]: a notification's cron expression read in its IANA time zone, and the
//! occurrences it gives. Used by the static frequency rules and by the notify runner.

use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

/// A parsed schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    cron: Cron,
    timezone: Tz,
}

/// Why a schedule does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The cron expression is not a five-field cron expression croner accepts.
    #[error("`{expression}` is not a cron expression: {reason}")]
    Cron {
        /// As written.
        expression: String,
        /// croner's reason.
        reason: String,
    },
    /// The time zone is not an IANA name.
    #[error("`{0}` is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)")]
    Timezone(String),
}

/// Parses a five-field cron expression (minute hour day-of-month month day-of-week; seconds
/// are refused: no notification needs them and they defeat the daily limits).
///
/// Parsed expressions are remembered per thread: a large workspace writes the same few
/// schedules thousands of times, and `validate` reads each one in several rules (parsing was
/// a fifth of its time, issue 15).
pub fn parse_cron(expression: &str) -> Result<Cron, ScheduleError> {
    /// More distinct expressions than this and the memory starts over.
    const REMEMBERED: usize = 1024;
    thread_local! {
        static PARSED: std::cell::RefCell<std::collections::HashMap<String, Result<Cron, ScheduleError>>> =
            std::cell::RefCell::default();
    }
    PARSED.with_borrow_mut(|parsed| {
        if let Some(known) = parsed.get(expression) {
            return known.clone();
        }
        let result = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .build()
            .parse(expression)
            .map_err(|error| ScheduleError::Cron {
                expression: expression.to_owned(),
                reason: field_reason(expression).unwrap_or_else(|| error.to_string()),
            });
        if parsed.len() >= REMEMBERED {
            parsed.clear();
        }
        parsed.insert(expression.to_owned(), result.clone());
        result
    })
}

/// The five fields, each with the values it takes (day-of-week 7 is Sunday, as 0 is).
const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
];

/// Why croner refused `expression`, in the words of its fields, where that is plain: the
/// wrong number of fields, or a number outside its field's range. `None` leaves croner's own
/// reason (names, steps and the rest it checks itself).
fn field_reason(expression: &str) -> Option<String> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != FIELDS.len() {
        return Some(format!(
            "it has {} field{}; five are needed: minute hour day-of-month month day-of-week",
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        ));
    }
    fields
        .iter()
        .zip(FIELDS)
        .find_map(|(field, (name, low, high))| {
            field
                .split(',')
                .flat_map(|part| part.split('/').next().unwrap_or_default().split('-'))
                .filter_map(|number| number.parse::<u32>().ok())
                .find(|number| !(low..=high).contains(number))
                .map(|number| format!("the {name} field's {number} is outside {low}-{high}"))
        })
}

/// Parses an IANA time zone name.
pub fn parse_timezone(name: &str) -> Result<Tz, ScheduleError> {
    Tz::from_str(name).map_err(|_| ScheduleError::Timezone(name.to_owned()))
}

impl Schedule {
    /// Parses a cron expression and a time zone name.
    pub fn parse(expression: &str, timezone: &str) -> Result<Self, ScheduleError> {
        Ok(Self {
            cron: parse_cron(expression)?,
            timezone: parse_timezone(timezone)?,
        })
    }

    /// The schedule's time zone.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The first occurrence strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let local = after.with_timezone(&self.timezone);
        self.cron.find_next_occurrence(&local, false).ok()
    }

    /// Occurrences in `[from, until)`, at most `limit` of them. A local time that happens
    /// twice (daylight saving turning the clock back) fires once, at its first instance, as
    /// classic cron does; the notify runner uses this same iteration.
    pub fn occurrences(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Vec<DateTime<Tz>> {
        let local = from.with_timezone(&self.timezone);
        let mut previous: Option<chrono::NaiveDateTime> = None;
        self.cron
            .iter_from(local, croner::Direction::Forward)
            .take_while(|at| at.with_timezone(&Utc) < until)
            .filter(|at| {
                let naive = at.naive_local();
                let repeated = previous == Some(naive);
                previous = Some(naive);
                !repeated
            })
            .take(limit)
            .collect()
    }

    /// Instants in the next `days` days (from `from`) at which the time zone's UTC offset
    /// changes (daylight saving), to the day.
    pub fn offset_changes(&self, from: DateTime<Utc>, days: u32) -> Vec<DateTime<Utc>> {
        let offset_at = |at: DateTime<Utc>| self.timezone.offset_from_utc_datetime(&at.naive_utc());
        let mut changes = Vec::new();
        let mut previous = offset_at(from);
        for day in 1..=i64::from(days) {
            let at = from + chrono::Duration::days(day);
            let offset = offset_at(at);
            if offset != previous {
                changes.push(at);
                previous = offset;
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_expression_says_which_field_is_wrong() {
        let reason = |expression: &str| match parse_cron(expression) {
            Err(ScheduleError::Cron { reason, .. }) => reason,
            other => panic!("{expression}: {other:?}"),
        };
        assert_eq!(reason("0 25 * * *"), "the hour field's 25 is outside 0-23");
        assert_eq!(
            reason("0 9 1-32/2 * *"),
            "the day-of-month field's 32 is outside 1-31"
        );
        assert_eq!(
            reason("0 9 * * 1-5 2026"),
            "it has 6 fields; five are needed: minute hour day-of-month month day-of-week"
        );
        // What the fields alone do not explain keeps croner's reason.
        assert!(!reason("0 9 * * FOO").is_empty());
        assert!(parse_cron("0 9 * * 7").is_ok(), "7 is Sunday");
    }

    #[test]
    fn schedules_parse_five_fields_and_iana_zones() {
        assert!(Schedule::parse("0 9 * * 1-5", "Asia/Shanghai").is_ok());
        assert!(matches!(
            Schedule::parse("0 0 9 * * 1-5", "UTC"),
            Err(ScheduleError::Cron { .. })
        ));
        assert!(matches!(
            Schedule::parse("0 25 * * *", "UTC"),
            Err(ScheduleError::Cron { .. })
        ));
        assert!(matches!(
            Schedule::parse("0 9 * * *", "Mars/Olympus"),
            Err(ScheduleError::Timezone(_))
        ));
    }

    #[test]
    fn berlin_has_two_offset_changes_a_year() {
        let schedule = Schedule::parse("0 9 * * *", "Europe/Berlin").unwrap();
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(schedule.offset_changes(from, 366).len(), 2);
        let shanghai = Schedule::parse("0 9 * * *", "Asia/Shanghai").unwrap();
        assert!(shanghai.offset_changes(from, 366).is_empty());
    }
}
