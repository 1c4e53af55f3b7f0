//! Durations and times as a DingTalk admin reads them: "3 days 4 hours" rather than 4,560
//! minutes, and a schedule's times in the schedule's own time zone rather than in UTC.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// `d` in its two largest units, rounded down: "45 seconds", "12 minutes", "1 hour 5 minutes",
/// "3 days 4 hours". A negative duration reads as its absolute value.
pub fn duration(d: chrono::Duration) -> String {
    let seconds = d.num_seconds().unsigned_abs();
    let units = [
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let counts: Vec<(u64, &str)> = units
        .iter()
        .scan(seconds, |rest, &(size, name)| {
            let count = *rest / size;
            *rest %= size;
            Some((count, name))
        })
        .collect();
    let Some(first) = counts.iter().position(|(count, _)| *count > 0) else {
        return "0 seconds".to_owned();
    };
    counts[first..]
        .iter()
        .take(2)
        .filter(|(count, _)| *count > 0)
        .map(|(count, name)| format!("{count} {name}{}", if *count == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A standard-library duration, as [`duration`] says it.
pub fn std_duration(d: std::time::Duration) -> String {
    duration(chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX))
}

/// `at` as RFC 3339 in `zone`, the zone a schedule is written in: `2026-03-02T09:00:00+08:00`
/// for Asia/Shanghai, `2026-03-02T01:00:00Z` for UTC. The same instant a UTC time names, read
/// the way the schedule beside it reads.
pub fn in_zone(at: DateTime<Utc>, zone: Tz) -> String {
    if zone == chrono_tz::UTC {
        return at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    }
    at.with_timezone(&zone)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// "a" or "an" before `word` (by its first letter: "an internal group", "a scene group").
pub fn a_or_an(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_before_a_vowel() {
        assert_eq!(a_or_an("internal"), "an");
        assert_eq!(a_or_an("standard"), "a");
        assert_eq!(a_or_an("scene"), "a");
        assert_eq!(a_or_an("third-party"), "a");
    }

    #[test]
    fn says_the_two_largest_units() {
        let d = chrono::Duration::seconds;
        assert_eq!(duration(d(0)), "0 seconds");
        assert_eq!(duration(d(45)), "45 seconds");
        assert_eq!(duration(d(60)), "1 minute");
        assert_eq!(duration(d(61)), "1 minute 1 second");
        assert_eq!(duration(d(3_900)), "1 hour 5 minutes");
        assert_eq!(duration(d(3_600 + 7)), "1 hour");
        assert_eq!(duration(d(4_560 * 60)), "3 days 4 hours");
        assert_eq!(duration(d(2 * 86_400 + 59)), "2 days");
        assert_eq!(duration(d(-120)), "2 minutes");
    }

    #[test]
    fn shows_a_time_in_its_zone() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            in_zone(at, chrono_tz::Asia::Shanghai),
            "2026-03-02T09:00:00+08:00"
        );
        assert_eq!(in_zone(at, chrono_tz::UTC), "2026-03-02T01:00:00Z");
    }
}
