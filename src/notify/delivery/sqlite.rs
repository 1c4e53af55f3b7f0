//! The SQLite delivery log: a database file (`.dingform/notify.db`) that records, per
//! (notification, occurrence), the claim, every send request (its intent committed before the
//! request leaves, its task id or query key after), the follow-up and the outcome.
//!
//! Exactly once rests on two facts kept here: an occurrence is claimed by an `INSERT` on its
//! primary key inside `BEGIN IMMEDIATE` (a second runner finds it taken), and a send row is
//! committed as `sending` before the request, so a crash between the request and its answer
//! leaves a row that says "may have been sent" instead of nothing.
//!
//! Runners on one disk take turns: a cycle runs under [`RunnerLock`], so whatever is still
//! claimed or `sending` when a cycle starts belongs to a runner that died, whatever its lease
//! says.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::rows::{OCCURRENCE_COLUMNS, SEND_COLUMNS, StoredRow, occurrence_row, send_row};
use super::{
    CycleGuard, DeliveryStore, NewSend, OccurrenceRow, OccurrenceStatus, SendOutcome, SendRow,
    SendStatus, StoreFuture, parse_time, timestamp,
};
use crate::model::{Clock, SystemClock};
use crate::notify::NotifyError;

/// The SQLite delivery log.
pub struct DeliveryLog {
    // A mutex only to be `Sync` (the trait's futures borrow the store); one runner uses it.
    connection: Mutex<Connection>,
    path: PathBuf,
}

/// An exclusive lock held by the runner for a cycle: two runners never send at once. An OS
/// advisory lock on `<db>.lock`, released by the kernel if the process dies.
#[derive(Debug)]
pub struct RunnerLock {
    _file: std::fs::File,
}

impl RunnerLock {
    /// Wait for the lock next to the log at `db`.
    pub async fn acquire(db: &Path) -> Result<Self, NotifyError> {
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let path = db.with_file_name(name);
        let io = {
            let path = path.clone();
            move |source| NotifyError::Io {
                action: "lock",
                path: path.clone(),
                source,
            }
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io.clone())?;
        let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
            .await
            .map_err(|e| io(std::io::Error::other(e)))?
            .map_err(io)?;
        Ok(Self { _file: file })
    }
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
            connection: Mutex::new(connection),
            path: path.to_owned(),
        })
    }

    /// Open (creating) the log at `path` under the runner lock: two runners starting together
    /// must not both create the database (switching a new database to WAL is not covered by
    /// SQLite's busy wait).
    pub async fn open_locked(path: &Path) -> Result<Self, NotifyError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| NotifyError::Io {
                action: "create the directory of",
                path: path.to_owned(),
                source,
            })?;
        }
        let _lock = RunnerLock::acquire(path).await?;
        Self::open(path)
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding it leaves the connection as SQLite left it: still usable.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
        self.connection()
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
        self.connection()
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
        self.insert_occurrence(notification, occurrence, status, reason, at)
    }

    fn insert_occurrence(
        &self,
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
        let mut connection = self.connection();
        let transaction = connection
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
        self.connection()
            .execute(
                "UPDATE occurrences SET status = ?3, reason = ?4, updated_at = ?5
                 WHERE notification = ?1 AND occurrence = ?2",
                params![
                    notification,
                    timestamp(occurrence),
                    status.as_str(),
                    reason,
                    timestamp(SystemClock.now())
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
        self.connection()
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
        let sql = format!("SELECT {OCCURRENCE_COLUMNS} FROM occurrences {tail}");
        self.select(&sql, params, |row| occurrence_row(row))
    }

    /// The rows `sql` selects, each read by `read`.
    fn select<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, NotifyError> {
        let connection = self.connection();
        let mut statement = connection.prepare(sql).map_err(|e| self.db(e))?;
        let rows = statement.query_map(params, read).map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Record the intent to send (committed before the request leaves); returns the row id.
    pub fn begin_send(&self, send: &NewSend<'_>) -> Result<i64, NotifyError> {
        self.insert_send(send, "")?
            .ok_or_else(|| self.db(rusqlite::Error::QueryReturnedNoRows))
    }

    /// `begin_send`, with `conflict` (an `ON CONFLICT` clause or nothing) deciding what a
    /// second row for the same request does; `None` when nothing was inserted.
    fn insert_send(&self, send: &NewSend<'_>, conflict: &str) -> Result<Option<i64>, NotifyError> {
        let connection = self.connection();
        let sql = format!(
            "INSERT INTO sends (notification, occurrence, attempt, batch, channel, users,
             departments, to_all, fingerprint, day, status, created_at, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'sending', ?11, ?12) {conflict}
             RETURNING id"
        );
        connection
            .query_row(
                &sql,
                params![
                    send.notification,
                    timestamp(send.occurrence),
                    send.attempt,
                    send.batch,
                    send.channel.as_str(),
                    serde_json::to_string(send.users).unwrap_or_default(),
                    serde_json::to_string(send.departments).unwrap_or_default(),
                    send.to_all,
                    send.fingerprint,
                    send.day,
                    timestamp(send.at),
                    send.payload.to_string(),
                ],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.db(e))
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
        self.connection()
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
        self.connection()
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
        let sql = format!("SELECT {SEND_COLUMNS} FROM sends {tail}");
        self.select(&sql, params, |row| send_row(row))
    }
}

/// SQLite keeps times as RFC 3339 text and JSON as text.
impl StoredRow for rusqlite::Row<'_> {
    type Error = rusqlite::Error;

    fn text(&self, index: usize) -> Result<String, Self::Error> {
        self.get(index)
    }

    fn optional_text(&self, index: usize) -> Result<Option<String>, Self::Error> {
        self.get(index)
    }

    fn integer(&self, index: usize) -> Result<i64, Self::Error> {
        self.get(index)
    }

    fn optional_integer(&self, index: usize) -> Result<Option<i64>, Self::Error> {
        self.get(index)
    }

    fn count(&self, index: usize) -> Result<u32, Self::Error> {
        self.get(index)
    }

    fn flag(&self, index: usize) -> Result<bool, Self::Error> {
        self.get(index)
    }

    fn time(&self, index: usize) -> Result<DateTime<Utc>, Self::Error> {
        Ok(parse_time(&self.get::<_, String>(index)?))
    }

    fn json(&self, index: usize) -> Result<Option<serde_json::Value>, Self::Error> {
        let text: Option<String> = self.get(index)?;
        Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
    }
}

/// The SQLite log behind the trait. Leases are not needed here: cycles take turns under the
/// [`RunnerLock`], so at a cycle's start every unfinished claim is a dead runner's.
impl DeliveryStore for DeliveryLog {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn guard(&self) -> StoreFuture<'_, CycleGuard> {
        Box::pin(async move { Ok(CycleGuard::file(RunnerLock::acquire(&self.path).await?)) })
    }

    fn cursor<'a>(&'a self, notification: &'a str) -> StoreFuture<'a, Option<DateTime<Utc>>> {
        Box::pin(async move { DeliveryLog::cursor(self, notification) })
    }

    fn advance_cursor<'a>(
        &'a self,
        notification: &'a str,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move { DeliveryLog::advance_cursor(self, notification, at) })
    }

    fn claim<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&'a str>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        Box::pin(
            async move { self.insert_occurrence(notification, occurrence, status, reason, at) },
        )
    }

    fn renew<'a>(
        &'a self,
        _notification: &'a str,
        _occurrence: DateTime<Utc>,
        _at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn take_over_lapsed(&self, _at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(async move { self.occurrences_in(OccurrenceStatus::Claimed) })
    }

    fn take_not_sent(&self, _at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        // Runners on one disk take turns under the file lock: whatever is `not_sent` now is
        // this runner's to send again.
        Box::pin(async move {
            let rows = self.occurrences_in(OccurrenceStatus::NotSent)?;
            for row in &rows {
                DeliveryLog::set_occurrence(
                    self,
                    &row.notification,
                    row.occurrence,
                    OccurrenceStatus::Claimed,
                    row.reason.as_deref(),
                )?;
            }
            Ok(rows)
        })
    }

    fn lapsed_sends(&self, _at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move { DeliveryLog::sends_in(self, SendStatus::Sending) })
    }

    fn set_occurrence<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&'a str>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            DeliveryLog::set_occurrence(self, notification, occurrence, status, reason)
        })
    }

    fn set_refused<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        refused: &'a [(String, String)],
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move { DeliveryLog::set_refused(self, notification, occurrence, refused) })
    }

    fn occurrence<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<OccurrenceRow>> {
        Box::pin(async move { DeliveryLog::occurrence(self, notification, occurrence) })
    }

    fn recent_occurrences(&self, limit: usize) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(async move { DeliveryLog::recent_occurrences(self, limit) })
    }

    fn begin_send<'a>(
        &'a self,
        send: &'a NewSend<'a>,
        _at: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<i64>> {
        Box::pin(async move {
            // A row left `not_sent` never reached the platform: it is claimed again.
            self.insert_send(
                send,
                "ON CONFLICT (notification, occurrence, attempt, batch) DO UPDATE SET
                 status = 'sending', error = NULL, created_at = excluded.created_at,
                 users = excluded.users, departments = excluded.departments,
                 to_all = excluded.to_all, fingerprint = excluded.fingerprint,
                 day = excluded.day, payload = excluded.payload
                 WHERE sends.status = 'not_sent'",
            )
        })
    }

    fn finish_send<'a>(
        &'a self,
        id: i64,
        status: SendStatus,
        task_id: Option<i64>,
        query_key: Option<&'a str>,
        error: Option<&'a str>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(
            async move { DeliveryLog::finish_send(self, id, status, task_id, query_key, error) },
        )
    }

    fn record_result<'a>(&'a self, id: i64, outcome: &'a SendOutcome) -> StoreFuture<'a, ()> {
        Box::pin(async move { DeliveryLog::record_result(self, id, outcome) })
    }

    fn sends_of<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<SendRow>> {
        Box::pin(async move { DeliveryLog::sends_of(self, notification, occurrence) })
    }

    fn sends_on<'a>(&'a self, day: &'a str) -> StoreFuture<'a, Vec<SendRow>> {
        Box::pin(async move { DeliveryLog::sends_on(self, day) })
    }

    fn sends_in(&self, status: SendStatus) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move { DeliveryLog::sends_in(self, status) })
    }

    fn to_follow_up(&self, _at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move { DeliveryLog::sends_in(self, SendStatus::Accepted) })
    }
}
