//! The emulator clock: real time plus a virtual offset (`POST /_emulator/clock`), so tests can
//! jump past token expiry, the 24-hour result window or the 365-day join-URL lifetime.

use chrono::{DateTime, NaiveDate, Utc};

/// Milliseconds since the Unix epoch, by the emulator clock.
pub type Millis = i64;

/// One day in milliseconds.
pub const DAY_MS: Millis = 24 * 3600 * 1000;

/// The current emulator time, given the offset in seconds.
pub fn now_ms(offset_seconds: i64) -> Millis {
    Utc::now().timestamp_millis() + offset_seconds * 1000
}

/// The calendar day (China Standard Time, UTC+8, as the platform counts daily limits).
pub fn day_of(at: Millis) -> NaiveDate {
    crate::model::limits::platform_day(DateTime::from_timestamp_millis(at).unwrap_or_default())
}

/// RFC 3339 text of a time (for the admin API and `leaveTime`).
pub fn rfc3339(at: Millis) -> String {
    DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Parse an ISO-8601 / RFC 3339 time.
pub fn parse(text: &str) -> Option<Millis> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_roll_over_at_midnight_china_time() {
        // 2026-01-01T15:59:59Z is 23:59:59 in Shanghai; one second later it is the 2nd.
        let before = parse("2026-01-01T15:59:59Z").unwrap();
        assert_ne!(day_of(before), day_of(before + 1000));
    }
}
