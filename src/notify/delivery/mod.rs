//! The delivery log behind one trait, [`DeliveryStore`]: what the runner, `notify status` and
//! the CLI need from it, and the rows it keeps. One file per store, each owning its locking and
//! its atomicity:
//!
//! - [`sqlite`]: `.dingform/notify.db` on one machine; runners take turns under a file lock,
//!   so whatever is claimed when a cycle starts belongs to a runner that died;
//! - [`postgres`]: one database for many workspaces (keyed by the workspace key) and any
//!   number of runners on any number of hosts at once; claims carry a lease, and the
//!   per-minute pace is shared through the database;
//! - [`s3`]: the same in S3-compatible object storage, claims made with conditional writes
//!   (`If-None-Match: *` to claim, `If-Match` to change).
//!
//! Exactly once rests on two claims, both committed before anything leaves: an occurrence is
//! claimed by inserting its key (a second runner finds it taken), and every request is claimed
//! by inserting its send row as `sending`. A send row whose lease lapsed while still `sending`
//! may have reached the platform, and nobody can ask about it: it becomes `unknown` and is
//! never resent. A request that certainly never reached the platform (its access token could
//! not be had, its connection was refused) is `not_sent`, and so is its occurrence: the next
//! cycle within the grace window claims it again ([`DeliveryStore::take_not_sent`]) and sends
//! the requests that did not go out, each on its own row claimed again.
//!
//! Uses: model. Must not know the runner's logic: it stores and claims, nothing more.

pub mod postgres;
pub mod rows;
pub mod s3;
pub mod sqlite;
pub mod window;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::NotifyError;
use super::pace::Pace;
use sqlite::RunnerLock;

/// How long a claim (an occurrence being sent, a request on its way) is held without being
/// renewed. The runner renews it before each request and while it waits for the pace, so only
/// a runner that died (or lost the database) lets it lapse; a request's answer comes well
/// within it (the client's timeouts are seconds).
pub const LEASE: Duration = Duration::from_secs(120);

/// What a store's operations return: a boxed future, so that the runner can hold a
/// `dyn DeliveryStore` and still be `Send`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, NotifyError>> + Send + 'a>>;

/// Held by a runner for one cycle: the SQLite store's file lock (runners on one disk take
/// turns), nothing for stores whose rows are claimed one by one.
#[derive(Debug)]
pub struct CycleGuard {
    _lock: Option<RunnerLock>,
}

impl CycleGuard {
    /// A guard that holds nothing (row-level claims make a cycle lock unnecessary).
    pub fn none() -> Self {
        Self { _lock: None }
    }

    /// A guard holding the SQLite store's file lock.
    pub fn file(lock: RunnerLock) -> Self {
        Self { _lock: Some(lock) }
    }
}

/// The delivery log, as the runner and `notify status` see it. Every time passed in is the
/// runner's clock (`--at` moves it), so leases lapse on the runner's time.
pub trait DeliveryStore: Send + Sync {
    /// Where the log lives, for messages: a path or a URL without its password.
    fn location(&self) -> String;

    /// What a runner holds for a cycle (see [`CycleGuard`]): by default nothing, for a store
    /// whose rows are claimed one by one.
    fn guard(&self) -> StoreFuture<'_, CycleGuard> {
        Box::pin(async { Ok(CycleGuard::none()) })
    }

    /// Since when runners have looked at `notification` (`None`: never).
    fn cursor<'a>(&'a self, notification: &'a str) -> StoreFuture<'a, Option<DateTime<Utc>>>;

    /// Move the cursor of `notification` forward to `at` (never back).
    fn advance_cursor<'a>(
        &'a self,
        notification: &'a str,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;

    /// Claim an occurrence with `status` (`claimed` to send it, with a lease until
    /// `at` + [`LEASE`]; `missed` to record a miss). False when it was already in the log:
    /// someone else has it.
    fn claim<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&'a str>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, bool>;

    /// Extend the lease of a claimed occurrence to `at` + [`LEASE`].
    fn renew<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;

    /// Occurrences still `claimed` whose runner is gone (lease lapsed before `at`), now leased
    /// to the caller, which resumes them.
    fn take_over_lapsed(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>>;

    /// Occurrences `not_sent` (nothing of them reached the platform, or only some batches),
    /// now `claimed` and leased to the caller until `at` + [`LEASE`], which sends them again
    /// or gives them up. Two runners never both get one.
    fn take_not_sent(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>>;

    /// Requests still `sending` whose runner is gone (lease lapsed before `at`): they may have
    /// reached the platform.
    fn lapsed_sends(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>>;

    /// Set an occurrence's status and reason.
    fn set_occurrence<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: Option<&'a str>,
    ) -> StoreFuture<'a, ()>;

    /// Record the recipients the rule checks refused (rule id, userid or target).
    fn set_refused<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        refused: &'a [(String, String)],
    ) -> StoreFuture<'a, ()>;

    /// One occurrence.
    fn occurrence<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<OccurrenceRow>>;

    /// The most recent occurrences (by occurrence time), newest first.
    fn recent_occurrences(&self, limit: usize) -> StoreFuture<'_, Vec<OccurrenceRow>>;

    /// Claim a request: its row is committed as `sending`, leased until `at` + [`LEASE`],
    /// before the request leaves. `None` when that request (notification, occurrence, attempt,
    /// batch) is already in the log: another runner made it. A row left `not_sent` (the
    /// request never reached the platform) is claimed again instead: back to `sending`, leased
    /// to the caller, its id returned.
    fn begin_send<'a>(
        &'a self,
        send: &'a NewSend<'a>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<i64>>;

    /// Record the platform's answer to a request still `sending`.
    fn finish_send<'a>(
        &'a self,
        id: i64,
        status: SendStatus,
        task_id: Option<i64>,
        query_key: Option<&'a str>,
        error: Option<&'a str>,
    ) -> StoreFuture<'a, ()>;

    /// Record the followed-up result of a request.
    fn record_result<'a>(&'a self, id: i64, outcome: &'a SendOutcome) -> StoreFuture<'a, ()>;

    /// Requests of an occurrence, by attempt and batch.
    fn sends_of<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<SendRow>>;

    /// Requests of a calendar day (for the daily limits).
    fn sends_on<'a>(&'a self, day: &'a str) -> StoreFuture<'a, Vec<SendRow>>;

    /// Requests in a status, oldest first.
    fn sends_in(&self, status: SendStatus) -> StoreFuture<'_, Vec<SendRow>>;

    /// Accepted requests for this runner to follow up, oldest first: its own, and those of
    /// runners that are gone (lease lapsed before `at`), so that two live runners do not both
    /// ask about (and report) the same request.
    fn to_follow_up(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>>;

    /// Whether runners on this store share one pace through it (then the runner asks
    /// [`admit`](Self::admit) before each request instead of pacing on its own).
    fn shares_pace(&self) -> bool {
        false
    }

    /// Admit a request to `users` recipients under `pace`, counted for every runner of this
    /// workspace: `None` when admitted, or how long to wait before asking again.
    fn admit(&self, users: usize, pace: Pace) -> StoreFuture<'_, Option<Duration>> {
        let _ = (users, pace);
        Box::pin(async { Ok(None) })
    }
}

pub use crate::model::occurrence::OccurrenceStatus;

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
    /// Certainly never reached the platform (no access token, connection refused): made
    /// again within the occurrence's grace window.
    NotSent,
}

impl SendStatus {
    /// Its name in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Accepted => "accepted",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::NotSent => "not_sent",
        }
    }

    /// Read back its name in the log (anything unknown reads as the first state).
    pub fn parse(text: &str) -> Self {
        match text {
            "not_sent" => Self::NotSent,
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

/// RFC 3339 in UTC with seconds and `Z`: sorts as text.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Read back a [`timestamp`] (an unreadable one reads as the epoch).
pub fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_default()
}
