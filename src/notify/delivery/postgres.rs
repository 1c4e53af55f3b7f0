//! The PostgreSQL delivery log: one database for many workspaces (rows keyed by the workspace
//! key) and any number of `notify run` processes on any number of hosts at once.
//!
//! - Tables live in the `dingform` schema, prefixed `delivery_` (the state store keeps its own
//!   tables in the same schema), made on first use by versioned migrations under an advisory
//!   lock; a log migrated by a newer dingform is refused, not guessed at.
//! - An occurrence is claimed by `INSERT … ON CONFLICT DO NOTHING` on its key, with a lease on
//!   the runner's clock; a request is claimed the same way on (occurrence, attempt, batch) and
//!   committed as `sending` before it leaves. A `sending` row whose lease lapsed is reported
//!   for the runner to mark `unknown`; a claimed occurrence whose lease lapsed (and that has no
//!   request in flight) is taken over by one `UPDATE … RETURNING`, which row locks make
//!   exclusive.
//! - The per-minute pace is one row per workspace, read `FOR UPDATE` on the database's clock,
//!   so every runner counts against the same window.
//!
//! Connecting is [`connect`], one small function (URL plus the libpq environment, no TLS yet).
//!
//! The S3 log implements the same trait method for method, but only the shape repeats: a
//! cursor here is one row moved forward by `greatest()` in one statement, where S3 rewrites an
//! object in a compare-and-swap loop, and claims are row locks here, conditional writes there.
//! What the two share is in one place: rows in [`rows`](super::rows), how the pace window admits
//! a request in [`window`](super::window), the cycle guard (none) in the trait's default.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;
use tokio_postgres::{Client, Row};

use super::rows::{
    OCCURRENCE_COLUMNS, SEND_COLUMNS, StoredRow, holder, lease_until, occurrence_row, oldest_first,
    send_row,
};
use super::window::PaceWindow;
use super::{
    DeliveryStore, NewSend, OccurrenceRow, OccurrenceStatus, SendOutcome, SendRow, SendStatus,
    StoreFuture,
};
use crate::notify::NotifyError;
use crate::notify::pace::Pace;
use crate::state::postgres::{ConnectError, PgTarget};

/// The migrations, in order: the log's schema version is how many have been applied.
const MIGRATIONS: &[&str] = &["
CREATE TABLE dingform.delivery_cursors (
    workspace text NOT NULL,
    notification text NOT NULL,
    since timestamptz NOT NULL,
    PRIMARY KEY (workspace, notification)
);
CREATE TABLE dingform.delivery_occurrences (
    workspace text NOT NULL,
    notification text NOT NULL,
    occurrence timestamptz NOT NULL,
    status text NOT NULL,
    reason text,
    refused jsonb NOT NULL DEFAULT '[]',
    claimed_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    holder text,
    lease_until timestamptz,
    PRIMARY KEY (workspace, notification, occurrence)
);
CREATE INDEX delivery_occurrences_by_status ON dingform.delivery_occurrences (workspace, status);
CREATE TABLE dingform.delivery_sends (
    id bigserial PRIMARY KEY,
    workspace text NOT NULL,
    notification text NOT NULL,
    occurrence timestamptz NOT NULL,
    attempt integer NOT NULL,
    batch integer NOT NULL,
    channel text NOT NULL,
    users jsonb NOT NULL,
    departments jsonb NOT NULL,
    to_all boolean NOT NULL,
    fingerprint text NOT NULL,
    day text NOT NULL,
    status text NOT NULL,
    task_id bigint,
    query_key text,
    error text,
    result jsonb,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    holder text,
    lease_until timestamptz,
    UNIQUE (workspace, notification, occurrence, attempt, batch)
);
CREATE INDEX delivery_sends_by_day ON dingform.delivery_sends (workspace, day);
CREATE INDEX delivery_sends_by_status ON dingform.delivery_sends (workspace, status);
CREATE TABLE dingform.delivery_pace (
    workspace text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    used bigint NOT NULL
);
"];

/// The advisory lock migrations run under (two runners starting together on a new database).
const MIGRATION_LOCK: i64 = 0x6469_6e67_6465_6c76; // "dingdelv"

/// Connect to `url` (`postgres://user:password@host:port/database`) through the state store's
/// connection builder ([`PgTarget`]), so the delivery log takes the same URLs, libpq
/// environment and TLS modes as the shared state. Returns the client and where it is, for
/// messages: database, host, port and user, never the password.
pub async fn connect(url: &str) -> Result<(Client, String), NotifyError> {
    let target = PgTarget::from_url(url).map_err(|error| NotifyError::Store {
        location: mask(url),
        message: error.to_string(),
    })?;
    let location = target.describe();
    let client = target.connect().await.map_err(|error| match error {
        ConnectError::Connect { reason, hint, .. } => NotifyError::Postgres {
            location: location.clone(),
            reason: match hint {
                Some(hint) => format!("{reason} ({hint})"),
                None => reason,
            },
        },
        other => NotifyError::Store {
            location: location.clone(),
            message: other.to_string(),
        },
    })?;
    Ok((client, location))
}

/// A driver error as one line: the server's own message for a database error (`password
/// authentication failed for user "…"`, `database "…" does not exist`), else the driver's
/// error with its cause.
fn postgres_error(location: &str, error: &tokio_postgres::Error) -> NotifyError {
    let reason = match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None if error.is_closed() => "the connection to the server was lost".to_owned(),
        None => match std::error::Error::source(error) {
            // The driver names the kind (`error connecting to server`); the cause says why.
            Some(cause) if !error.to_string().contains(&cause.to_string()) => {
                format!("{error}: {cause}")
            }
            _ => error.to_string(),
        },
    };
    NotifyError::Postgres {
        location: location.to_owned(),
        reason,
    }
}

/// `url` without its password (for an error about the URL itself).
fn mask(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("****"));
            }
            parsed.to_string()
        }
        Err(_) => "the PostgreSQL URL".into(),
    }
}

/// The delivery log of one workspace in a PostgreSQL database.
pub struct PostgresDeliveryLog {
    client: Mutex<Client>,
    workspace: String,
    location: String,
    holder: String,
}

impl PostgresDeliveryLog {
    /// Connect to `url`, migrate the tables if needed, and keep the log of workspace `key`.
    pub async fn open(url: &str, key: &str) -> Result<Self, NotifyError> {
        let (client, location) = connect(url).await?;
        let location = format!("{location} (workspace {key})");
        if key.trim().is_empty() {
            return Err(NotifyError::Store {
                location,
                message: "the workspace key is empty".into(),
            });
        }
        let log = Self {
            client: Mutex::new(client),
            workspace: key.to_owned(),
            location,
            holder: holder("log"),
        };
        log.migrate().await?;
        Ok(log)
    }

    /// The schema version this dingform writes.
    pub fn schema_version() -> i32 {
        i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
    }

    fn db(&self, source: tokio_postgres::Error) -> NotifyError {
        postgres_error(&self.location, &source)
    }

    async fn migrate(&self) -> Result<(), NotifyError> {
        let mut client = self.client.lock().await;
        if let Err(error) = client
            .batch_execute("CREATE SCHEMA IF NOT EXISTS dingform")
            .await
        {
            // Another process made it at the same moment: that is what we wanted.
            let raced = error.code().is_some_and(|code| {
                *code == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
                    || *code == tokio_postgres::error::SqlState::DUPLICATE_SCHEMA
            });
            if !raced {
                return Err(self.db(error));
            }
        }
        let transaction = client.transaction().await.map_err(|e| self.db(e))?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| self.db(e))?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS dingform.delivery_migrations (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )",
            )
            .await
            .map_err(|e| self.db(e))?;
        let current: i32 = transaction
            .query_one(
                "SELECT coalesce(max(version), 0) FROM dingform.delivery_migrations",
                &[],
            )
            .await
            .map_err(|e| self.db(e))?
            .get(0);
        let known = Self::schema_version();
        if current > known {
            return Err(NotifyError::Store {
                location: self.location.clone(),
                message: format!(
                    "its tables are at schema version {current}, made by a newer dingform; \
                     this one knows up to version {known}: upgrade dingform"
                ),
            });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = i32::try_from(index + 1).unwrap_or(i32::MAX);
            transaction
                .batch_execute(migration)
                .await
                .map_err(|e| self.db(e))?;
            transaction
                .execute(
                    "INSERT INTO dingform.delivery_migrations (version) VALUES ($1)",
                    &[&version],
                )
                .await
                .map_err(|e| self.db(e))?;
        }
        transaction.commit().await.map_err(|e| self.db(e))
    }

    async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, NotifyError> {
        let client = self.client.lock().await;
        client.execute(sql, params).await.map_err(|e| self.db(e))
    }

    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, NotifyError> {
        let client = self.client.lock().await;
        client.query(sql, params).await.map_err(|e| self.db(e))
    }

    async fn select_occurrences(
        &self,
        tail: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<OccurrenceRow>, NotifyError> {
        let sql = format!(
            "SELECT {OCCURRENCE_COLUMNS} FROM dingform.delivery_occurrences
             WHERE workspace = $1 {tail}"
        );
        self.occurrence_rows(self.query(&sql, params).await?)
    }

    async fn select_sends(
        &self,
        tail: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<SendRow>, NotifyError> {
        let sql = format!(
            "SELECT {SEND_COLUMNS} FROM dingform.delivery_sends WHERE workspace = $1 {tail}"
        );
        self.query(&sql, params)
            .await?
            .iter()
            .map(|row| send_row(row).map_err(|e| self.db(e)))
            .collect()
    }

    fn occurrence_rows(&self, rows: Vec<Row>) -> Result<Vec<OccurrenceRow>, NotifyError> {
        rows.iter()
            .map(|row| occurrence_row(row).map_err(|e| self.db(e)))
            .collect()
    }

    async fn admit_now(&self, users: usize, pace: Pace) -> Result<Option<Duration>, NotifyError> {
        let mut client = self.client.lock().await;
        let transaction = client.transaction().await.map_err(|e| self.db(e))?;
        transaction
            .execute(
                "INSERT INTO dingform.delivery_pace (workspace, window_start, used)
                 VALUES ($1, clock_timestamp(), 0) ON CONFLICT DO NOTHING",
                &[&self.workspace],
            )
            .await
            .map_err(|e| self.db(e))?;
        let row = transaction
            .query_one(
                "SELECT window_start, used, clock_timestamp() FROM dingform.delivery_pace
                 WHERE workspace = $1 FOR UPDATE",
                &[&self.workspace],
            )
            .await
            .map_err(|e| self.db(e))?;
        let window = PaceWindow {
            window_start: row.get(0),
            used: usize::try_from(row.get::<_, i64>(1)).unwrap_or(0),
        };
        let now: DateTime<Utc> = row.get(2);
        let window = match window.admit(users, pace, now) {
            Ok(window) => window,
            Err(wait) => {
                transaction.commit().await.map_err(|e| self.db(e))?;
                return Ok(Some(wait));
            }
        };
        transaction
            .execute(
                "UPDATE dingform.delivery_pace SET window_start = $2, used = $3
                 WHERE workspace = $1",
                &[
                    &self.workspace,
                    &window.window_start,
                    &i64::try_from(window.used).unwrap_or(i64::MAX),
                ],
            )
            .await
            .map_err(|e| self.db(e))?;
        transaction.commit().await.map_err(|e| self.db(e))?;
        Ok(None)
    }
}

/// PostgreSQL keeps times as `timestamptz`, JSON as `jsonb` and counts as `integer`.
impl StoredRow for Row {
    type Error = tokio_postgres::Error;

    fn text(&self, index: usize) -> Result<String, Self::Error> {
        self.try_get(index)
    }

    fn optional_text(&self, index: usize) -> Result<Option<String>, Self::Error> {
        self.try_get(index)
    }

    fn integer(&self, index: usize) -> Result<i64, Self::Error> {
        self.try_get(index)
    }

    fn optional_integer(&self, index: usize) -> Result<Option<i64>, Self::Error> {
        self.try_get(index)
    }

    fn count(&self, index: usize) -> Result<u32, Self::Error> {
        Ok(u32::try_from(self.try_get::<_, i32>(index)?).unwrap_or_default())
    }

    fn flag(&self, index: usize) -> Result<bool, Self::Error> {
        self.try_get(index)
    }

    fn time(&self, index: usize) -> Result<DateTime<Utc>, Self::Error> {
        self.try_get(index)
    }

    fn json(&self, index: usize) -> Result<Option<serde_json::Value>, Self::Error> {
        self.try_get(index)
    }
}

impl DeliveryStore for PostgresDeliveryLog {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn cursor<'a>(&'a self, notification: &'a str) -> StoreFuture<'a, Option<DateTime<Utc>>> {
        Box::pin(async move {
            let rows = self
                .query(
                    "SELECT since FROM dingform.delivery_cursors
                     WHERE workspace = $1 AND notification = $2",
                    &[&self.workspace, &notification],
                )
                .await?;
            Ok(rows.first().map(|row| row.get(0)))
        })
    }

    fn advance_cursor<'a>(
        &'a self,
        notification: &'a str,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.execute(
                "INSERT INTO dingform.delivery_cursors (workspace, notification, since)
                 VALUES ($1, $2, $3) ON CONFLICT (workspace, notification)
                 DO UPDATE SET since = greatest(delivery_cursors.since, excluded.since)",
                &[&self.workspace, &notification, &at],
            )
            .await
            .map(drop)
        })
    }

    fn claim<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&'a str>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let lease = (status == OccurrenceStatus::Claimed).then(|| lease_until(at));
            let inserted = self
                .execute(
                    "INSERT INTO dingform.delivery_occurrences (workspace, notification,
                     occurrence, status, reason, claimed_at, updated_at, holder, lease_until)
                     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) ON CONFLICT DO NOTHING",
                    &[
                        &self.workspace,
                        &notification,
                        &occurrence,
                        &status.as_str(),
                        &reason,
                        &at,
                        &self.holder,
                        &lease,
                    ],
                )
                .await?;
            Ok(inserted == 1)
        })
    }

    fn renew<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.execute(
                "UPDATE dingform.delivery_occurrences
                 SET lease_until = greatest(lease_until, $4), holder = $5
                 WHERE workspace = $1 AND notification = $2 AND occurrence = $3
                 AND status = 'claimed'",
                &[
                    &self.workspace,
                    &notification,
                    &occurrence,
                    &lease_until(at),
                    &self.holder,
                ],
            )
            .await
            .map(drop)
        })
    }

    fn take_over_lapsed(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(async move {
            // A request still in flight is the runner's to finish, or `lapsed_sends`' to call
            // unknown: the occurrence is not resumed around it.
            let rows = self
                .query(
                    &format!(
                        "UPDATE dingform.delivery_occurrences AS o
                     SET lease_until = $3, holder = $4, updated_at = now()
                     WHERE o.workspace = $1 AND o.status = 'claimed'
                     AND (o.lease_until IS NULL OR o.lease_until < $2)
                     AND NOT EXISTS (SELECT 1 FROM dingform.delivery_sends AS s
                        WHERE s.workspace = o.workspace AND s.notification = o.notification
                        AND s.occurrence = o.occurrence AND s.status = 'sending')
                     RETURNING {OCCURRENCE_COLUMNS}"
                    ),
                    &[&self.workspace, &at, &lease_until(at), &self.holder],
                )
                .await?;
            let mut rows = self.occurrence_rows(rows)?;
            oldest_first(&mut rows);
            Ok(rows)
        })
    }

    fn take_not_sent(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(async move {
            // One UPDATE: of two runners, only one sees each row still `not_sent`.
            let rows = self
                .query(
                    &format!(
                        "UPDATE dingform.delivery_occurrences
                     SET status = 'claimed', lease_until = $2, holder = $3, updated_at = now()
                     WHERE workspace = $1 AND status = 'not_sent'
                     RETURNING {OCCURRENCE_COLUMNS}"
                    ),
                    &[&self.workspace, &lease_until(at), &self.holder],
                )
                .await?;
            let mut rows = self.occurrence_rows(rows)?;
            oldest_first(&mut rows);
            Ok(rows)
        })
    }

    fn lapsed_sends(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move {
            self.select_sends(
                "AND status = 'sending' AND (lease_until IS NULL OR lease_until < $2)
                 ORDER BY id",
                &[&self.workspace, &at],
            )
            .await
        })
    }

    fn set_occurrence<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&'a str>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.execute(
                "UPDATE dingform.delivery_occurrences
                 SET status = $4, reason = $5, updated_at = now()
                 WHERE workspace = $1 AND notification = $2 AND occurrence = $3",
                &[
                    &self.workspace,
                    &notification,
                    &occurrence,
                    &status.as_str(),
                    &reason,
                ],
            )
            .await
            .map(drop)
        })
    }

    fn set_refused<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        refused: &'a [(String, String)],
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let refused = serde_json::to_value(refused).unwrap_or_default();
            self.execute(
                "UPDATE dingform.delivery_occurrences SET refused = $4
                 WHERE workspace = $1 AND notification = $2 AND occurrence = $3",
                &[&self.workspace, &notification, &occurrence, &refused],
            )
            .await
            .map(drop)
        })
    }

    fn occurrence<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<OccurrenceRow>> {
        Box::pin(async move {
            Ok(self
                .select_occurrences(
                    "AND notification = $2 AND occurrence = $3",
                    &[&self.workspace, &notification, &occurrence],
                )
                .await?
                .pop())
        })
    }

    fn recent_occurrences(&self, limit: usize) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(async move {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            self.select_occurrences(
                "ORDER BY occurrence DESC, notification LIMIT $2",
                &[&self.workspace, &limit],
            )
            .await
        })
    }

    fn begin_send<'a>(
        &'a self,
        send: &'a NewSend<'a>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<i64>> {
        Box::pin(async move {
            let attempt = i32::try_from(send.attempt).unwrap_or(i32::MAX);
            let batch = i32::try_from(send.batch).unwrap_or(i32::MAX);
            let channel = send.channel.as_str();
            let users = serde_json::to_value(send.users).unwrap_or_default();
            let departments = serde_json::to_value(send.departments).unwrap_or_default();
            let rows = self
                .query(
                    "INSERT INTO dingform.delivery_sends (workspace, notification, occurrence,
                     attempt, batch, channel, users, departments, to_all, fingerprint, day,
                     status, created_at, payload, holder, lease_until)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sending', $12, $13,
                     $14, $15)
                     ON CONFLICT (workspace, notification, occurrence, attempt, batch) DO UPDATE
                     SET status = 'sending', error = NULL, created_at = excluded.created_at,
                     users = excluded.users, departments = excluded.departments,
                     to_all = excluded.to_all, fingerprint = excluded.fingerprint,
                     day = excluded.day, payload = excluded.payload,
                     holder = excluded.holder, lease_until = excluded.lease_until
                     WHERE delivery_sends.status = 'not_sent'
                     RETURNING id",
                    &[
                        &self.workspace,
                        &send.notification,
                        &send.occurrence,
                        &attempt,
                        &batch,
                        &channel,
                        &users,
                        &departments,
                        &send.to_all,
                        &send.fingerprint,
                        &send.day,
                        &send.at,
                        send.payload,
                        &self.holder,
                        &lease_until(at),
                    ],
                )
                .await?;
            Ok(rows.first().map(|row| row.get(0)))
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
        Box::pin(async move {
            // Only a request still `sending`: one another runner already called unknown stays so.
            self.execute(
                "UPDATE dingform.delivery_sends SET status = $3,
                 task_id = coalesce($4, task_id), query_key = coalesce($5, query_key), error = $6
                 WHERE workspace = $1 AND id = $2 AND status = 'sending'",
                &[
                    &self.workspace,
                    &id,
                    &status.as_str(),
                    &task_id,
                    &query_key,
                    &error,
                ],
            )
            .await
            .map(drop)
        })
    }

    fn record_result<'a>(&'a self, id: i64, outcome: &'a SendOutcome) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let result = serde_json::to_value(outcome).unwrap_or_default();
            self.execute(
                "UPDATE dingform.delivery_sends SET status = 'done', result = $3
                 WHERE workspace = $1 AND id = $2",
                &[&self.workspace, &id, &result],
            )
            .await
            .map(drop)
        })
    }

    fn sends_of<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<SendRow>> {
        Box::pin(async move {
            self.select_sends(
                "AND notification = $2 AND occurrence = $3 ORDER BY attempt, batch",
                &[&self.workspace, &notification, &occurrence],
            )
            .await
        })
    }

    fn sends_on<'a>(&'a self, day: &'a str) -> StoreFuture<'a, Vec<SendRow>> {
        Box::pin(async move {
            self.select_sends("AND day = $2", &[&self.workspace, &day])
                .await
        })
    }

    fn sends_in(&self, status: SendStatus) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move {
            self.select_sends(
                "AND status = $2 ORDER BY id",
                &[&self.workspace, &status.as_str()],
            )
            .await
        })
    }

    fn to_follow_up(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move {
            self.select_sends(
                "AND status = 'accepted' AND (holder = $2 OR lease_until IS NULL
                 OR lease_until < $3) ORDER BY id",
                &[&self.workspace, &self.holder, &at],
            )
            .await
        })
    }

    fn shares_pace(&self) -> bool {
        true
    }

    fn admit(&self, users: usize, pace: Pace) -> StoreFuture<'_, Option<Duration>> {
        Box::pin(self.admit_now(users, pace))
    }
}
