//! The delivery log: an SQLite database (`.dingform/notify.db`) that records, per
//! (notification, occurrence), the claim, every send request (its intent committed before the
//! request leaves, its task id or query key after), the follow-up and the outcome.
//!
//! Exactly once rests on two facts kept here: an occurrence is claimed by an `INSERT` on its
//! primary key inside `BEGIN IMMEDIATE` (a second runner finds it taken), and a send row is
//! committed as `sending` before the request, so a crash between the request and its answer
//! leaves a row that says "may have been sent" instead of nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::NotifyError;

/// What became of an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceStatus {
    /// Claimed by a runner that is sending it (or crashed while doing so).
    Claimed,
    /// Every request was accepted; results are still to be followed up.
    Sent,
    /// Followed up: delivered to everyone it could reach.
    Delivered,
    /// Followed up: some recipients were failed, forbidden, invalid or refused.
    Incomplete,
    /// A request was refused or errored, nothing reached the platform for it.
    Failed,
    /// The rule checks refused it before sending (what the platform would drop).
    Refused,
    /// A request may have reached the platform but no id was recorded: never resent.
    Unknown,
    /// Older than its grace window when the runner saw it: not sent.
    Missed,
}

impl OccurrenceStatus {
    /// Its name in the log and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Incomplete => "incomplete",
            Self::Failed => "failed",
            Self::Refused => "refused",
            Self::Unknown => "unknown",
            Self::Missed => "missed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "incomplete" => Self::Incomplete,
            "failed" => Self::Failed,
            "refused" => Self::Refused,
            "unknown" => Self::Unknown,
            "missed" => Self::Missed,
            _ => Self::Claimed,
        }
    }

    /// Whether this outcome is a failure the runner reports (exit 1).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Self::Incomplete | Self::Failed | Self::Refused | Self::Unknown | Self::Missed
        )
    }
}

/// What became of one send request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendStatus {
    /// Intent recorded; the request is (or was, before a crash) on its way.
    Sending,
    /// The platform accepted it (task id or query key recorded); to follow up.
    Accepted,
    /// Followed up.
    Done,
    /// Refused by the platform (not processed).
    Failed,
    /// May have been processed; no id to ask about.
    Unknown,
}

impl SendStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Accepted => "accepted",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "accepted" => Self::Accepted,
            "done" => Self::Done,
            "failed" => Self::Failed,
            "unknown" => Self::Unknown,
            _ => Self::Sending,
        }
    }
}

/// Which channel a send used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A bot message to a group.
    Bot,
    /// A work notification.
    Work,
}

/// One send request as the log keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct SendRow {
    /// Row id.
    pub id: i64,
    /// The notification's name.
    pub notification: String,
    /// The occurrence (UTC).
    pub occurrence: DateTime<Utc>,
    /// 0 for the first send, 1 for the resend to failed users.
    pub attempt: u32,
    /// Batch number within the attempt.
    pub batch: u32,
    /// Bot or work notification.
    pub channel: Channel,
    /// userids named in the request.
    pub users: Vec<String>,
    /// Departments named in the request.
    pub departments: Vec<i64>,
    /// Whether it went to all users.
    pub to_all: bool,
    /// SHA-256 of the rendered message (for `same-content-daily`).
    pub fingerprint: String,
    /// The calendar day (China time, as the platform counts) it was sent on.
    pub day: String,
    /// Where it is.
    pub status: SendStatus,
    /// The work notification's task id.
    pub task_id: Option<i64>,
    /// The bot message's process query key.
    pub query_key: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The followed-up result.
    pub result: Option<SendOutcome>,
    /// What was sent: the work notification `msg`, or `{robot_code, open_conversation_id}` of
    /// a bot message (to resend to failed users, or to ask about a bot message).
    pub payload: serde_json::Value,
    /// When the request was made.
    pub created_at: DateTime<Utc>,
}

/// The followed-up result of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOutcome {
    /// Recipients delivered to (work notifications), or 1 for a bot message that arrived.
    pub delivered: usize,
    /// userids the platform failed to reach.
    #[serde(default)]
    pub failed: Vec<String>,
    /// userids refused by the platform, with the reason code.
    #[serde(default)]
    pub forbidden: Vec<(String, String)>,
    /// userids that do not exist.
    #[serde(default)]
    pub invalid: Vec<String>,
    /// Departments that do not exist.
    #[serde(default)]
    pub invalid_departments: Vec<i64>,
    /// The bot message's status (`SUCCESS`, `RECALLED`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_status: Option<String>,
}

/// An occurrence as the log keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct OccurrenceRow {
    /// The notification's name.
    pub notification: String,
    /// The occurrence (UTC).
    pub occurrence: DateTime<Utc>,
    /// Where it is.
    pub status: OccurrenceStatus,
    /// Why (for failed, refused, unknown, missed, incomplete).
    pub reason: Option<String>,
    /// When it was claimed (run time).
    pub claimed_at: DateTime<Utc>,
    /// Recipients refused before sending, by rule id.
    pub refused: Vec<(String, String)>,
}

/// A new send request, before it is made.
#[derive(Clone, Debug)]
pub struct NewSend<'a> {
    /// The notification's name.
    pub notification: &'a str,
    /// The occurrence.
    pub occurrence: DateTime<Utc>,
    /// 0 first send, 1 resend.
    pub attempt: u32,
    /// Batch number.
    pub batch: u32,
    /// Channel.
    pub channel: Channel,
    /// userids named.
    pub users: &'a [String],
    /// Departments named.
    pub departments: &'a [i64],
    /// To all users.
    pub to_all: bool,
    /// SHA-256 of the rendered message.
    pub fingerprint: &'a str,
    /// Day (China time).
    pub day: &'a str,
    /// What is sent (see [`SendRow::payload`]).
    pub payload: &'a serde_json::Value,
    /// Now.
    pub at: DateTime<Utc>,
}

/// The delivery log.
pub struct DeliveryLog {
    connection: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cursors (
    notification TEXT PRIMARY KEY,
    since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS occurrences (
    notification TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    refused TEXT,
    claimed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (notification, occurrence)
);
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notification TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    channel TEXT NOT NULL,
    users TEXT NOT NULL,
    departments TEXT NOT NULL,
    to_all INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    task_id INTEGER,
    query_key TEXT,
    error TEXT,
    result TEXT,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (notification, occurrence, attempt, batch)
);
CREATE INDEX IF NOT EXISTS sends_by_day ON sends (day);
";

/// RFC 3339 in UTC with seconds and `Z`: sorts as text.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_default()
}

impl DeliveryLog {
    /// Open (creating) the log at `path`.
    pub fn open(path: &Path) -> Result<Self, NotifyError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| NotifyError::Io {
                action: "create the directory of",
                path: path.to_owned(),
                source,
            })?;
        }
        let db = |source| NotifyError::Database {
            path: path.to_owned(),
            source,
        };
        let connection = Connection::open(path).map_err(db)?;
        connection
            .busy_timeout(Duration::from_secs(30))
            .map_err(db)?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(db)?;
        connection.execute_batch(SCHEMA).map_err(db)?;
        Ok(Self {
            connection,
            path: path.to_owned(),
        })
    }

    /// Where the log lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db(&self, source: rusqlite::Error) -> NotifyError {
        NotifyError::Database {
            path: self.path.clone(),
            source,
        }
    }

    /// Since when the runner has looked at `notification` (`None`: never).
    pub fn cursor(&self, notification: &str) -> Result<Option<DateTime<Utc>>, NotifyError> {
        self.connection
            .query_row(
                "SELECT since FROM cursors WHERE notification = ?1",
                [notification],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map(|since| since.as_deref().map(parse_time))
            .map_err(|e| self.db(e))
    }

    /// Move the cursor of `notification` forward to `at` (never back).
    pub fn advance_cursor(&self, notification: &str, at: DateTime<Utc>) -> Result<(), NotifyError> {
        self.connection
            .execute(
                "INSERT INTO cursors (notification, since) VALUES (?1, ?2)
                 ON CONFLICT (notification) DO UPDATE SET since = max(since, excluded.since)",
                params![notification, timestamp(at)],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Claim an occurrence with `status` (`claimed` to send it, `missed` to record a miss).
    /// Returns false when it was already in the log: someone else has it.
    pub fn claim(
        &mut self,
        notification: &str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, NotifyError> {
        let path = self.path.clone();
        let db = |source| NotifyError::Database {
            path: path.clone(),
            source,
        };
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let inserted = transaction
            .execute(
                "INSERT OR IGNORE INTO occurrences
                 (notification, occurrence, status, reason, claimed_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    notification,
                    timestamp(occurrence),
                    status.as_str(),
                    reason,
                    timestamp(at)
                ],
            )
            .map_err(db)?;
        transaction.commit().map_err(db)?;
        Ok(inserted == 1)
    }

    /// Set an occurrence's status and reason.
    pub fn set_occurrence(
        &self,
        notification: &str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&str>,
    ) -> Result<(), NotifyError> {
        self.connection
            .execute(
                "UPDATE occurrences SET status = ?3, reason = ?4, updated_at = ?5
                 WHERE notification = ?1 AND occurrence = ?2",
                params![
                    notification,
                    timestamp(occurrence),
                    status.as_str(),
                    reason,
                    timestamp(Utc::now())
                ],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Record the recipients the rule checks refused (rule id, userid or target).
    pub fn set_refused(
        &self,
        notification: &str,
        occurrence: DateTime<Utc>,
        refused: &[(String, String)],
    ) -> Result<(), NotifyError> {
        let text = serde_json::to_string(refused).unwrap_or_default();
        self.connection
            .execute(
                "UPDATE occurrences SET refused = ?3 WHERE notification = ?1 AND occurrence = ?2",
                params![notification, timestamp(occurrence), text],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Occurrences in a status.
    pub fn occurrences_in(
        &self,
        status: OccurrenceStatus,
    ) -> Result<Vec<OccurrenceRow>, NotifyError> {
        self.select_occurrences("WHERE status = ?1", [status.as_str()])
    }

    /// The most recent occurrences (by occurrence time), newest first.
    pub fn recent_occurrences(&self, limit: usize) -> Result<Vec<OccurrenceRow>, NotifyError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.select_occurrences(
            "ORDER BY occurrence DESC, notification LIMIT ?1",
            [limit.to_string()],
        )
    }

    /// One occurrence.
    pub fn occurrence(
        &self,
        notification: &str,
        occurrence: DateTime<Utc>,
    ) -> Result<Option<OccurrenceRow>, NotifyError> {
        Ok(self
            .select_occurrences(
                "WHERE notification = ?1 AND occurrence = ?2",
                [notification.to_owned(), timestamp(occurrence)],
            )?
            .pop())
    }

    fn select_occurrences<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Vec<OccurrenceRow>, NotifyError> {
        let sql = format!(
            "SELECT notification, occurrence, status, reason, claimed_at, refused
             FROM occurrences {tail}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(|e| self.db(e))?;
        let rows = statement
            .query_map(params, |row| {
                let refused: Option<String> = row.get(5)?;
                Ok(OccurrenceRow {
                    notification: row.get(0)?,
                    occurrence: parse_time(&row.get::<_, String>(1)?),
                    status: OccurrenceStatus::parse(&row.get::<_, String>(2)?),
                    reason: row.get(3)?,
                    claimed_at: parse_time(&row.get::<_, String>(4)?),
                    refused: refused
                        .and_then(|text| serde_json::from_str(&text).ok())
                        .unwrap_or_default(),
                })
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Record the intent to send (committed before the request leaves); returns the row id.
    pub fn begin_send(&self, send: &NewSend<'_>) -> Result<i64, NotifyError> {
        self.connection
            .execute(
                "INSERT INTO sends (notification, occurrence, attempt, batch, channel, users,
                 departments, to_all, fingerprint, day, status, created_at, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'sending', ?11, ?12)",
                params![
                    send.notification,
                    timestamp(send.occurrence),
                    send.attempt,
                    send.batch,
                    match send.channel {
                        Channel::Bot => "bot",
                        Channel::Work => "work",
                    },
                    serde_json::to_string(send.users).unwrap_or_default(),
                    serde_json::to_string(send.departments).unwrap_or_default(),
                    send.to_all,
                    send.fingerprint,
                    send.day,
                    timestamp(send.at),
                    send.payload.to_string(),
                ],
            )
            .map_err(|e| self.db(e))?;
        Ok(self.connection.last_insert_rowid())
    }

    /// Record the platform's answer to a send.
    pub fn finish_send(
        &self,
        id: i64,
        status: SendStatus,
        task_id: Option<i64>,
        query_key: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), NotifyError> {
        self.connection
            .execute(
                "UPDATE sends SET status = ?2, task_id = coalesce(?3, task_id),
                 query_key = coalesce(?4, query_key), error = ?5 WHERE id = ?1",
                params![id, status.as_str(), task_id, query_key, error],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Record the followed-up result of a send.
    pub fn record_result(&self, id: i64, outcome: &SendOutcome) -> Result<(), NotifyError> {
        self.connection
            .execute(
                "UPDATE sends SET status = 'done', result = ?2 WHERE id = ?1",
                params![id, serde_json::to_string(outcome).unwrap_or_default()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Send rows of an occurrence.
    pub fn sends_of(
        &self,
        notification: &str,
        occurrence: DateTime<Utc>,
    ) -> Result<Vec<SendRow>, NotifyError> {
        self.select_sends(
            "WHERE notification = ?1 AND occurrence = ?2 ORDER BY attempt, batch",
            [notification.to_owned(), timestamp(occurrence)],
        )
    }

    /// Send rows of a calendar day (for the daily limits).
    pub fn sends_on(&self, day: &str) -> Result<Vec<SendRow>, NotifyError> {
        self.select_sends("WHERE day = ?1", [day.to_owned()])
    }

    /// Send rows in a status.
    pub fn sends_in(&self, status: SendStatus) -> Result<Vec<SendRow>, NotifyError> {
        self.select_sends(
            "WHERE status = ?1 ORDER BY id",
            [status.as_str().to_owned()],
        )
    }

    fn select_sends<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Vec<SendRow>, NotifyError> {
        let sql = format!(
            "SELECT id, notification, occurrence, attempt, batch, channel, users, departments,
             to_all, fingerprint, day, status, task_id, query_key, error, result, created_at, payload
             FROM sends {tail}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(|e| self.db(e))?;
        let rows = statement
            .query_map(params, |row| {
                let users: String = row.get(6)?;
                let departments: String = row.get(7)?;
                let result: Option<String> = row.get(15)?;
                Ok(SendRow {
                    id: row.get(0)?,
                    notification: row.get(1)?,
                    occurrence: parse_time(&row.get::<_, String>(2)?),
                    attempt: row.get(3)?,
                    batch: row.get(4)?,
                    channel: if row.get::<_, String>(5)? == "bot" {
                        Channel::Bot
                    } else {
                        Channel::Work
                    },
                    users: serde_json::from_str(&users).unwrap_or_default(),
                    departments: serde_json::from_str(&departments).unwrap_or_default(),
                    to_all: row.get(8)?,
                    fingerprint: row.get(9)?,
                    day: row.get(10)?,
                    status: SendStatus::parse(&row.get::<_, String>(11)?),
                    task_id: row.get(12)?,
                    query_key: row.get(13)?,
                    error: row.get(14)?,
                    result: result.and_then(|text| serde_json::from_str(&text).ok()),
                    created_at: parse_time(&row.get::<_, String>(16)?),
                    payload: serde_json::from_str(&row.get::<_, String>(17)?).unwrap_or_default(),
                })
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }
}
