//! What the three stores share about their rows: the columns the SQL stores read, one mapping
//! from a stored row to [`SendRow`] and [`OccurrenceRow`] (each store says only how it reads
//! one column), the order rows are handed back in, leases and who holds them.
//!
//! Uses: model, state (the host name). Knows nothing of SQL dialects or object keys.

use chrono::{DateTime, Utc};

use super::{Channel, LEASE, OccurrenceRow, OccurrenceStatus, SendRow, SendStatus};

/// The columns of an occurrence, in the order [`occurrence_row`] reads them.
pub const OCCURRENCE_COLUMNS: &str =
    "notification, occurrence, status, reason, claimed_at, refused";

/// The columns of a send request, in the order [`send_row`] reads them.
pub const SEND_COLUMNS: &str = "id, notification, occurrence, attempt, batch, channel, users, \
     departments, to_all, fingerprint, day, status, task_id, query_key, error, result, \
     created_at, payload";

/// One stored row, read a column at a time by its index: how a store's driver reads each kind
/// of value (SQLite keeps times and JSON as text, PostgreSQL as `timestamptz` and `jsonb`).
pub trait StoredRow {
    /// The driver's error (a column of an unexpected type).
    type Error;
    /// A text column.
    fn text(&self, index: usize) -> Result<String, Self::Error>;
    /// A text column that may be NULL.
    fn optional_text(&self, index: usize) -> Result<Option<String>, Self::Error>;
    /// A 64-bit integer column.
    fn integer(&self, index: usize) -> Result<i64, Self::Error>;
    /// A 64-bit integer column that may be NULL.
    fn optional_integer(&self, index: usize) -> Result<Option<i64>, Self::Error>;
    /// A small count (attempt, batch).
    fn count(&self, index: usize) -> Result<u32, Self::Error>;
    /// A boolean column.
    fn flag(&self, index: usize) -> Result<bool, Self::Error>;
    /// A point in time.
    fn time(&self, index: usize) -> Result<DateTime<Utc>, Self::Error>;
    /// A JSON column that may be NULL.
    fn json(&self, index: usize) -> Result<Option<serde_json::Value>, Self::Error>;
}

/// An occurrence read in the order of [`OCCURRENCE_COLUMNS`].
pub fn occurrence_row<R: StoredRow>(row: &R) -> Result<OccurrenceRow, R::Error> {
    Ok(OccurrenceRow {
        notification: row.text(0)?,
        occurrence: row.time(1)?,
        status: OccurrenceStatus::parse(&row.text(2)?),
        reason: row.optional_text(3)?,
        claimed_at: row.time(4)?,
        refused: decode(row.json(5)?).unwrap_or_default(),
    })
}

/// A send request read in the order of [`SEND_COLUMNS`].
pub fn send_row<R: StoredRow>(row: &R) -> Result<SendRow, R::Error> {
    Ok(SendRow {
        id: row.integer(0)?,
        notification: row.text(1)?,
        occurrence: row.time(2)?,
        attempt: row.count(3)?,
        batch: row.count(4)?,
        channel: Channel::parse(&row.text(5)?),
        users: decode(row.json(6)?).unwrap_or_default(),
        departments: decode(row.json(7)?).unwrap_or_default(),
        to_all: row.flag(8)?,
        fingerprint: row.text(9)?,
        day: row.text(10)?,
        status: SendStatus::parse(&row.text(11)?),
        task_id: row.optional_integer(12)?,
        query_key: row.optional_text(13)?,
        error: row.optional_text(14)?,
        result: decode(row.json(15)?),
        created_at: row.time(16)?,
        payload: row.json(17)?.unwrap_or_default(),
    })
}

fn decode<T: serde::de::DeserializeOwned>(value: Option<serde_json::Value>) -> Option<T> {
    value.and_then(|value| serde_json::from_value(value).ok())
}

impl Channel {
    /// Its name in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bot => "bot",
            Self::Work => "work",
        }
    }

    /// Read back its name in the log (anything but `bot` is a work notification).
    pub fn parse(text: &str) -> Self {
        if text == "bot" { Self::Bot } else { Self::Work }
    }
}

/// Occurrences in the order a cycle resumes them: oldest first, then by notification.
pub fn oldest_first(rows: &mut [OccurrenceRow]) {
    rows.sort_by(|a, b| (a.occurrence, &a.notification).cmp(&(b.occurrence, &b.notification)));
}

/// Occurrences in the order `notify status` lists them: newest first, then by notification.
pub fn newest_first(rows: &mut [OccurrenceRow]) {
    rows.sort_by(|a, b| {
        b.occurrence
            .cmp(&a.occurrence)
            .then_with(|| a.notification.cmp(&b.notification))
    });
}

/// When a claim made or renewed at `at` lapses.
pub fn lease_until(at: DateTime<Utc>) -> DateTime<Utc> {
    at + chrono::Duration::from_std(LEASE).unwrap_or_default()
}

/// Who holds a claim, for whoever reads the log: host, process id, and which log of the
/// process (a process may run several runners); `kind` names the store (`log`, `s3 log`).
pub fn holder(kind: &str) -> String {
    static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let number = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{} pid {} {kind} {number}",
        crate::state::host_name(),
        std::process::id()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_reads_back_as_written() {
        for channel in [Channel::Bot, Channel::Work] {
            assert_eq!(Channel::parse(channel.as_str()), channel);
        }
    }

    #[test]
    fn two_logs_of_one_process_have_different_holders() {
        assert_ne!(holder("log"), holder("log"));
    }
}
