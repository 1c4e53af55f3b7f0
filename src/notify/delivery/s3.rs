//! The delivery log in S3-compatible object storage, beside the state (`PREFIX/KEY/delivery/`),
//! for any number of `notify run` processes on any number of hosts at once. Every claim is an
//! object created with `If-None-Match: *` (a second runner's create is refused), and every
//! change a rewrite with `If-Match` on the ETag just read (retried on a race), so the log keeps
//! the guarantees of the PostgreSQL one without a database:
//!
//! - `occurrences/OCC/NAME.json`: an occurrence, claimed by creating it, with a lease;
//! - `sends/OCC/NAME/ATTEMPT-BATCH.json`: a request, created as `sending` before it leaves,
//!   its outcome written after with `If-Match`; one whose lease lapsed while `sending` may have
//!   reached the platform and becomes `unknown`, never resent;
//! - `claimed/…`, `open/…`, `days/DAY/…`: empty markers, so that a cycle lists the claimed
//!   occurrences, the requests in flight or to follow up, and one day's requests, not the whole
//!   log. A marker is written before its object and dropped once its object moved on;
//! - `cursors/NAME.json`, and `pace.json`: the per-minute pace shared by every runner (on the
//!   runners' clocks, which must agree to within seconds: NTP).
//!
//! OCC is the occurrence in Unix seconds (zero-padded, so keys sort by time).
//!
//! The methods mirror the PostgreSQL log's one for one, but each body is a different protocol
//! (list markers, read objects, rewrite with `If-Match` until no other runner raced it, where
//! PostgreSQL runs one statement under row locks), so they stay apart; the pace window's
//! arithmetic is shared ([`window`](super::window)).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, UpdateVersion};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::rows::{holder, lease_until, newest_first, oldest_first};
use super::window::PaceWindow;
use super::{
    Channel, DeliveryStore, NewSend, OccurrenceRow, OccurrenceStatus, SendOutcome, SendRow,
    SendStatus, StoreFuture,
};
use crate::notify::NotifyError;
use crate::notify::pace::Pace;
use crate::state::s3::S3Target;

/// How many objects a listing reads at once.
const READ_AHEAD: usize = 16;

/// The delivery log of one workspace in a bucket.
pub struct S3DeliveryLog {
    client: Arc<dyn ObjectStore>,
    target: S3Target,
    workspace: String,
    location: String,
    holder: String,
    /// Where the send of each id handed out lives.
    sends: Mutex<HashMap<i64, Path>>,
}

#[derive(Clone, Serialize, Deserialize)]
struct OccurrenceObject {
    notification: String,
    occurrence: DateTime<Utc>,
    status: OccurrenceStatus,
    reason: Option<String>,
    claimed_at: DateTime<Utc>,
    #[serde(default)]
    refused: Vec<(String, String)>,
    holder: String,
    lease_until: Option<DateTime<Utc>>,
}

impl OccurrenceObject {
    fn row(&self) -> OccurrenceRow {
        OccurrenceRow {
            notification: self.notification.clone(),
            occurrence: self.occurrence,
            status: self.status,
            reason: self.reason.clone(),
            claimed_at: self.claimed_at,
            refused: self.refused.clone(),
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct SendObject {
    id: i64,
    notification: String,
    occurrence: DateTime<Utc>,
    attempt: u32,
    batch: u32,
    bot: bool,
    users: Vec<String>,
    departments: Vec<i64>,
    to_all: bool,
    fingerprint: String,
    day: String,
    status: String,
    task_id: Option<i64>,
    query_key: Option<String>,
    error: Option<String>,
    result: Option<SendOutcome>,
    payload: serde_json::Value,
    created_at: DateTime<Utc>,
    holder: String,
    lease_until: Option<DateTime<Utc>>,
}

impl SendObject {
    fn status(&self) -> SendStatus {
        SendStatus::parse(&self.status)
    }

    fn is_open(&self) -> bool {
        matches!(self.status(), SendStatus::Sending | SendStatus::Accepted)
    }

    fn lapsed(&self, at: DateTime<Utc>) -> bool {
        self.lease_until.is_none_or(|until| until < at)
    }

    fn row(&self) -> SendRow {
        SendRow {
            id: self.id,
            notification: self.notification.clone(),
            occurrence: self.occurrence,
            attempt: self.attempt,
            batch: self.batch,
            channel: if self.bot {
                Channel::Bot
            } else {
                Channel::Work
            },
            users: self.users.clone(),
            departments: self.departments.clone(),
            to_all: self.to_all,
            fingerprint: self.fingerprint.clone(),
            day: self.day.clone(),
            status: self.status(),
            task_id: self.task_id,
            query_key: self.query_key.clone(),
            error: self.error.clone(),
            result: self.result.clone(),
            payload: self.payload.clone(),
            created_at: self.created_at,
        }
    }
}

/// A name as one path segment: itself when it is plain, else hex (never a `/` or a `%`).
fn segment(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.')
    {
        name.to_owned()
    } else {
        format!("~{}", hex::encode(name))
    }
}

fn occurrence_segment(occurrence: DateTime<Utc>) -> String {
    format!("{:012}", occurrence.timestamp().max(0))
}

/// A stable id for a request (the same in every process), from what makes it unique.
fn send_id(notification: &str, occurrence: DateTime<Utc>, attempt: u32, batch: u32) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!(
        "{notification}\n{}\n{attempt}\n{batch}",
        occurrence.timestamp()
    ));
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&digest[..8]);
    // Positive and within 53 bits, so that JSON readers keep it exact.
    i64::from_be_bytes(bytes) & 0x001f_ffff_ffff_ffff
}

impl S3DeliveryLog {
    /// The log of workspace `key` at `url` (`s3://BUCKET/PREFIX`, the `AWS_*` environment).
    pub async fn open(url: &str, key: &str) -> Result<Self, NotifyError> {
        let target = S3Target::from_url(url).map_err(|error| NotifyError::Store {
            location: "the S3 delivery log".into(),
            message: error.to_string(),
        })?;
        Self::with_target(target, key).await
    }

    /// The log of workspace `key` in an already-built target; checks, before anything else,
    /// that the store honours conditional writes.
    pub async fn with_target(target: S3Target, key: &str) -> Result<Self, NotifyError> {
        let key = key.trim_matches('/').to_owned();
        let location = format!("{} (workspace {key})", target.url());
        let fail = |message: String| NotifyError::Store {
            location: location.clone(),
            message,
        };
        if key.is_empty() {
            return Err(fail("the workspace key is empty".into()));
        }
        let client = target.build().map_err(|e| fail(e.to_string()))?;
        target
            .check_conditional_writes(&*client)
            .await
            .map_err(|e| fail(e.into_message()))?;
        Ok(Self {
            client,
            target,
            workspace: key,
            location,
            holder: holder("s3 log"),
            sends: Mutex::new(HashMap::new()),
        })
    }

    fn error(&self, error: &object_store::Error) -> NotifyError {
        NotifyError::Store {
            location: self.location.clone(),
            message: self.target.explain(error),
        }
    }

    fn path(&self, name: &str) -> Path {
        self.target
            .path(&self.workspace, &format!("delivery/{name}"))
    }

    fn occurrence_name(notification: &str, occurrence: DateTime<Utc>) -> String {
        format!(
            "{}/{}",
            occurrence_segment(occurrence),
            segment(notification)
        )
    }

    fn send_name(
        notification: &str,
        occurrence: DateTime<Utc>,
        attempt: u32,
        batch: u32,
    ) -> String {
        format!(
            "{}/{attempt:04}-{batch:06}",
            Self::occurrence_name(notification, occurrence)
        )
    }

    /// The object a marker stands for: `MARKER_DIR/REST` → `sends/REST.json`.
    fn marked(&self, marker: &Path, marker_dir: &str, object_dir: &str) -> Option<Path> {
        let base = self.path(marker_dir);
        let rest = marker
            .as_ref()
            .strip_prefix(base.as_ref())?
            .trim_start_matches('/');
        Some(self.path(&format!("{object_dir}/{rest}.json")))
    }

    async fn get<T: DeserializeOwned + Send>(
        &self,
        path: &Path,
    ) -> Result<Option<(T, Option<String>)>, NotifyError> {
        let got = match self.client.get(path).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(self.error(&error)),
        };
        let e_tag = got.meta.e_tag.clone();
        let bytes = got.bytes().await.map_err(|e| self.error(&e))?;
        let value = serde_json::from_slice(&bytes).map_err(|error| NotifyError::Store {
            location: self.location.clone(),
            message: format!("{path} is not a delivery log object: {error}"),
        })?;
        Ok(Some((value, e_tag)))
    }

    /// Create `path` unless it exists: false when it did (someone else has it).
    async fn create<T: Serialize + Sync>(
        &self,
        path: &Path,
        value: &T,
    ) -> Result<bool, NotifyError> {
        let bytes = serde_json::to_vec(value).expect("log objects serialize");
        match self
            .client
            .put_opts(path, bytes.into(), PutMode::Create.into())
            .await
        {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(error) => Err(self.error(&error)),
        }
    }

    async fn mark(&self, path: &Path) -> Result<(), NotifyError> {
        self.client
            .put_opts(path, Vec::<u8>::new().into(), PutOptions::default())
            .await
            .map(drop)
            .map_err(|e| self.error(&e))
    }

    async fn unmark(&self, path: &Path) {
        // A marker left behind is only read again, found stale and dropped then.
        let _ = self.client.delete(path).await;
    }

    /// Read, change and write back `path` with `If-Match` on the ETag read, again on a race;
    /// `change` returns false to leave it as it is. The object after, if it exists.
    async fn update<T: Serialize + DeserializeOwned + Send>(
        &self,
        path: &Path,
        change: impl Fn(&mut T) -> bool + Send + Sync,
    ) -> Result<Option<T>, NotifyError> {
        loop {
            let Some((mut value, e_tag)) = self.get::<T>(path).await? else {
                return Ok(None);
            };
            if !change(&mut value) {
                return Ok(Some(value));
            }
            let bytes = serde_json::to_vec(&value).expect("log objects serialize");
            let mode = PutMode::Update(UpdateVersion {
                e_tag,
                version: None,
            });
            match self.client.put_opts(path, bytes.into(), mode.into()).await {
                Ok(_) => return Ok(Some(value)),
                Err(object_store::Error::Precondition { .. }) => continue,
                Err(error) => return Err(self.error(&error)),
            }
        }
    }

    async fn list(&self, dir: &str) -> Result<Vec<Path>, NotifyError> {
        let prefix = self.path(dir);
        let mut paths: Vec<Path> = self
            .client
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        paths.sort();
        Ok(paths)
    }

    /// Every object of `paths` that still exists, read concurrently, in order.
    async fn read_all<T: DeserializeOwned + Send>(
        &self,
        paths: Vec<Path>,
    ) -> Result<Vec<(Path, T, Option<String>)>, NotifyError> {
        let read: Vec<Option<(Path, T, Option<String>)>> = futures_util::stream::iter(paths)
            .map(|path| async move {
                Ok::<_, NotifyError>(
                    self.get::<T>(&path)
                        .await?
                        .map(|(value, e_tag)| (path, value, e_tag)),
                )
            })
            .buffered(READ_AHEAD)
            .try_collect()
            .await?;
        Ok(read.into_iter().flatten().collect())
    }

    fn remember(&self, send: &SendObject, path: &Path) {
        self.sends
            .lock()
            .expect("the id map is never poisoned")
            .insert(send.id, path.clone());
    }

    fn sends_rows(&self, sends: Vec<(Path, SendObject, Option<String>)>) -> Vec<SendRow> {
        let mut sends: Vec<(Path, SendObject)> = sends
            .into_iter()
            .map(|(path, send, _)| (path, send))
            .collect();
        sends.sort_by(|(a_path, a), (b_path, b)| {
            (a.created_at, a.occurrence, a.attempt, a.batch, a_path).cmp(&(
                b.created_at,
                b.occurrence,
                b.attempt,
                b.batch,
                b_path,
            ))
        });
        sends
            .into_iter()
            .map(|(path, send)| {
                self.remember(&send, &path);
                send.row()
            })
            .collect()
    }

    /// The requests that are `sending` or `accepted` (through the `open/` markers), dropping
    /// markers of requests that moved on.
    async fn open_sends(&self) -> Result<Vec<(Path, SendObject, Option<String>)>, NotifyError> {
        let markers = self.list("open").await?;
        let mut objects = Vec::new();
        for marker in &markers {
            if let Some(object) = self.marked(marker, "open", "sends") {
                objects.push((marker.clone(), object));
            }
        }
        let by_object: HashMap<Path, Path> = objects
            .iter()
            .map(|(marker, object)| (object.clone(), marker.clone()))
            .collect();
        let read = self
            .read_all::<SendObject>(objects.into_iter().map(|(_, object)| object).collect())
            .await?;
        let mut open = Vec::new();
        for (path, send, e_tag) in read {
            if send.is_open() {
                open.push((path, send, e_tag));
            } else if let Some(marker) = by_object.get(&path) {
                self.unmark(marker).await;
            }
        }
        Ok(open)
    }

    async fn path_of_send(&self, id: i64) -> Result<Option<Path>, NotifyError> {
        if let Some(path) = self
            .sends
            .lock()
            .expect("the id map is never poisoned")
            .get(&id)
        {
            return Ok(Some(path.clone()));
        }
        // An id this process never saw (not one the runner uses): look through the log.
        let all = self.list("sends").await?;
        for (path, send, _) in self.read_all::<SendObject>(all).await? {
            self.remember(&send, &path);
            if send.id == id {
                return Ok(Some(path));
            }
        }
        Ok(None)
    }

    async fn update_send(
        &self,
        id: i64,
        change: impl Fn(&mut SendObject) -> bool + Send + Sync,
    ) -> Result<(), NotifyError> {
        let Some(path) = self.path_of_send(id).await? else {
            return Ok(());
        };
        if let Some(send) = self.update(&path, change).await?
            && !send.is_open()
        {
            let name = Self::send_name(
                &send.notification,
                send.occurrence,
                send.attempt,
                send.batch,
            );
            self.unmark(&self.path(&format!("open/{name}"))).await;
        }
        Ok(())
    }

    async fn admit_now(&self, users: usize, pace: Pace) -> Result<Option<Duration>, NotifyError> {
        let path = self.path("pace.json");
        loop {
            let now = Utc::now();
            let (window, e_tag) = match self.get::<PaceWindow>(&path).await? {
                Some((window, e_tag)) => (window, Some(e_tag)),
                None => (PaceWindow::new(now), None),
            };
            let window = match window.admit(users, pace, now) {
                Ok(window) => window,
                Err(wait) => return Ok(Some(wait)),
            };
            let bytes = serde_json::to_vec(&window).expect("the pace serializes");
            let mode = match e_tag {
                None => PutMode::Create,
                Some(e_tag) => PutMode::Update(UpdateVersion {
                    e_tag,
                    version: None,
                }),
            };
            match self.client.put_opts(&path, bytes.into(), mode.into()).await {
                Ok(_) => return Ok(None),
                // Another runner counted first: count again on what it wrote.
                Err(
                    object_store::Error::Precondition { .. }
                    | object_store::Error::AlreadyExists { .. },
                ) => continue,
                Err(error) => return Err(self.error(&error)),
            }
        }
    }

    async fn take_over(&self, at: DateTime<Utc>) -> Result<Vec<OccurrenceRow>, NotifyError> {
        let markers = self.list("claimed").await?;
        let mut rows = Vec::new();
        for marker in markers {
            let Some(path) = self.marked(&marker, "claimed", "occurrences") else {
                continue;
            };
            let Some((occurrence, e_tag)) = self.get::<OccurrenceObject>(&path).await? else {
                continue;
            };
            if occurrence.status != OccurrenceStatus::Claimed {
                self.unmark(&marker).await;
                continue;
            }
            if occurrence.lease_until.is_some_and(|until| until >= at) {
                continue;
            }
            // A request still in flight is its runner's to finish, or `lapsed_sends`' to call
            // unknown: the occurrence is not resumed around it.
            let name = Self::occurrence_name(&occurrence.notification, occurrence.occurrence);
            let sends = self.list(&format!("sends/{name}")).await?;
            let in_flight = self
                .read_all::<SendObject>(sends)
                .await?
                .iter()
                .any(|(_, send, _)| send.status() == SendStatus::Sending);
            if in_flight {
                continue;
            }
            let mut taken = occurrence.clone();
            taken.lease_until = Some(lease_until(at));
            taken.holder = self.holder.clone();
            let bytes = serde_json::to_vec(&taken).expect("log objects serialize");
            let mode = PutMode::Update(UpdateVersion {
                e_tag,
                version: None,
            });
            match self.client.put_opts(&path, bytes.into(), mode.into()).await {
                Ok(_) => rows.push(taken.row()),
                // Another runner took it (or its holder renewed) first.
                Err(object_store::Error::Precondition { .. }) => {}
                Err(error) => return Err(self.error(&error)),
            }
        }
        oldest_first(&mut rows);
        Ok(rows)
    }
}

impl S3DeliveryLog {
    /// [`DeliveryStore::take_not_sent`]: each `not_sent` occurrence (found by its marker) is
    /// claimed with a conditional write, so of two runners only one gets it.
    async fn take_not_sent_now(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<OccurrenceRow>, NotifyError> {
        let mut rows = Vec::new();
        for marker in self.list("not_sent").await? {
            let Some(path) = self.marked(&marker, "not_sent", "occurrences") else {
                continue;
            };
            let won = AtomicBool::new(false);
            let taken = self
                .update::<OccurrenceObject>(&path, |object| {
                    won.store(false, Ordering::SeqCst);
                    if object.status != OccurrenceStatus::NotSent {
                        return false;
                    }
                    object.status = OccurrenceStatus::Claimed;
                    object.lease_until = Some(lease_until(at));
                    object.holder = self.holder.clone();
                    won.store(true, Ordering::SeqCst);
                    true
                })
                .await?;
            self.unmark(&marker).await;
            if let Some(taken) = taken.filter(|_| won.load(Ordering::SeqCst)) {
                let name = Self::occurrence_name(&taken.notification, taken.occurrence);
                self.mark(&self.path(&format!("claimed/{name}"))).await?;
                rows.push(taken.row());
            }
        }
        oldest_first(&mut rows);
        Ok(rows)
    }

    /// A request object already there that was left `not_sent` (nothing of it reached the
    /// platform) is claimed again as `sending`; any other status stays as it is.
    async fn reclaim_not_sent(
        &self,
        path: &Path,
        at: DateTime<Utc>,
    ) -> Result<Option<SendObject>, NotifyError> {
        let won = AtomicBool::new(false);
        let send = self
            .update::<SendObject>(path, |send| {
                won.store(false, Ordering::SeqCst);
                if send.status() != SendStatus::NotSent {
                    return false;
                }
                send.status = SendStatus::Sending.as_str().to_owned();
                send.holder = self.holder.clone();
                send.lease_until = Some(lease_until(at));
                send.error = None;
                won.store(true, Ordering::SeqCst);
                true
            })
            .await?;
        Ok(send.filter(|_| won.load(Ordering::SeqCst)))
    }
}

impl DeliveryStore for S3DeliveryLog {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn cursor<'a>(&'a self, notification: &'a str) -> StoreFuture<'a, Option<DateTime<Utc>>> {
        Box::pin(async move {
            let path = self.path(&format!("cursors/{}.json", segment(notification)));
            Ok(self
                .get::<DateTime<Utc>>(&path)
                .await?
                .map(|(since, _)| since))
        })
    }

    fn advance_cursor<'a>(
        &'a self,
        notification: &'a str,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(&format!("cursors/{}.json", segment(notification)));
            loop {
                if self
                    .update::<DateTime<Utc>>(&path, |since| {
                        let forward = at > *since;
                        if forward {
                            *since = at;
                        }
                        forward
                    })
                    .await?
                    .is_some()
                {
                    return Ok(());
                }
                if self.create(&path, &at).await? {
                    return Ok(());
                }
            }
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
            let claimed = status == OccurrenceStatus::Claimed;
            let name = Self::occurrence_name(notification, occurrence);
            if claimed {
                self.mark(&self.path(&format!("claimed/{name}"))).await?;
            }
            let object = OccurrenceObject {
                notification: notification.to_owned(),
                occurrence,
                status,
                reason: reason.map(str::to_owned),
                claimed_at: at,
                refused: Vec::new(),
                holder: self.holder.clone(),
                lease_until: claimed.then(|| lease_until(at)),
            };
            self.create(&self.path(&format!("occurrences/{name}.json")), &object)
                .await
        })
    }

    fn renew<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let name = Self::occurrence_name(notification, occurrence);
            let until = lease_until(at);
            self.update::<OccurrenceObject>(
                &self.path(&format!("occurrences/{name}.json")),
                |object| {
                    if object.status != OccurrenceStatus::Claimed {
                        return false;
                    }
                    object.lease_until = Some(object.lease_until.map_or(until, |u| u.max(until)));
                    object.holder = self.holder.clone();
                    true
                },
            )
            .await
            .map(drop)
        })
    }

    fn take_over_lapsed(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(self.take_over(at))
    }

    fn take_not_sent(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(self.take_not_sent_now(at))
    }

    fn lapsed_sends(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move {
            let open = self.open_sends().await?;
            let lapsed = open
                .into_iter()
                .filter(|(_, send, _)| send.status() == SendStatus::Sending && send.lapsed(at))
                .collect();
            Ok(self.sends_rows(lapsed))
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
            let name = Self::occurrence_name(notification, occurrence);
            self.update::<OccurrenceObject>(
                &self.path(&format!("occurrences/{name}.json")),
                |object| {
                    object.status = status;
                    object.reason = reason.map(str::to_owned);
                    true
                },
            )
            .await?;
            if status != OccurrenceStatus::Claimed {
                self.unmark(&self.path(&format!("claimed/{name}"))).await;
            }
            if status == OccurrenceStatus::NotSent {
                self.mark(&self.path(&format!("not_sent/{name}"))).await?;
            }
            Ok(())
        })
    }

    fn set_refused<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
        refused: &'a [(String, String)],
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let name = Self::occurrence_name(notification, occurrence);
            self.update::<OccurrenceObject>(
                &self.path(&format!("occurrences/{name}.json")),
                |object| {
                    object.refused = refused.to_vec();
                    true
                },
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
            let name = Self::occurrence_name(notification, occurrence);
            Ok(self
                .get::<OccurrenceObject>(&self.path(&format!("occurrences/{name}.json")))
                .await?
                .map(|(object, _)| object.row()))
        })
    }

    fn recent_occurrences(&self, limit: usize) -> StoreFuture<'_, Vec<OccurrenceRow>> {
        Box::pin(async move {
            // Keys name the occurrence and the notification: read only the newest `limit`.
            let mut paths = self.list("occurrences").await?;
            let order = |path: &Path| {
                let parts: Vec<String> = path.parts().map(|p| p.as_ref().to_owned()).collect();
                let occurrence = parts.len().checked_sub(2).map(|i| parts[i].clone());
                (std::cmp::Reverse(occurrence), parts.last().cloned())
            };
            paths.sort_by_cached_key(order);
            paths.truncate(limit);
            let mut rows: Vec<OccurrenceRow> = self
                .read_all::<OccurrenceObject>(paths)
                .await?
                .into_iter()
                .map(|(_, object, _)| object.row())
                .collect();
            newest_first(&mut rows);
            Ok(rows)
        })
    }

    fn begin_send<'a>(
        &'a self,
        send: &'a NewSend<'a>,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, Option<i64>> {
        Box::pin(async move {
            let name =
                Self::send_name(send.notification, send.occurrence, send.attempt, send.batch);
            let object = SendObject {
                id: send_id(send.notification, send.occurrence, send.attempt, send.batch),
                notification: send.notification.to_owned(),
                occurrence: send.occurrence,
                attempt: send.attempt,
                batch: send.batch,
                bot: send.channel == Channel::Bot,
                users: send.users.to_vec(),
                departments: send.departments.to_vec(),
                to_all: send.to_all,
                fingerprint: send.fingerprint.to_owned(),
                day: send.day.to_owned(),
                status: SendStatus::Sending.as_str().to_owned(),
                task_id: None,
                query_key: None,
                error: None,
                result: None,
                payload: send.payload.clone(),
                created_at: send.at,
                holder: self.holder.clone(),
                lease_until: Some(lease_until(at)),
            };
            // The markers first: a marker without its object is skipped, an object without
            // its marker would be missed.
            self.mark(&self.path(&format!("open/{name}"))).await?;
            self.mark(&self.path(&format!("days/{}/{name}", segment(send.day))))
                .await?;
            let path = self.path(&format!("sends/{name}.json"));
            if !self.create(&path, &object).await? {
                // Another runner made it, or an earlier attempt that certainly did not go out.
                let Some(again) = self.reclaim_not_sent(&path, at).await? else {
                    return Ok(None);
                };
                self.remember(&again, &path);
                return Ok(Some(again.id));
            }
            self.remember(&object, &path);
            Ok(Some(object.id))
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
            self.update_send(id, |send| {
                if send.status() != SendStatus::Sending {
                    return false;
                }
                send.status = status.as_str().to_owned();
                send.task_id = task_id.or(send.task_id);
                send.query_key = query_key.map(str::to_owned).or(send.query_key.take());
                send.error = error.map(str::to_owned);
                true
            })
            .await
        })
    }

    fn record_result<'a>(&'a self, id: i64, outcome: &'a SendOutcome) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.update_send(id, |send| {
                send.status = SendStatus::Done.as_str().to_owned();
                send.result = Some(outcome.clone());
                true
            })
            .await
        })
    }

    fn sends_of<'a>(
        &'a self,
        notification: &'a str,
        occurrence: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<SendRow>> {
        Box::pin(async move {
            let name = Self::occurrence_name(notification, occurrence);
            let paths = self.list(&format!("sends/{name}")).await?;
            let mut rows = self.sends_rows(self.read_all(paths).await?);
            rows.sort_by_key(|row| (row.attempt, row.batch));
            Ok(rows)
        })
    }

    fn sends_on<'a>(&'a self, day: &'a str) -> StoreFuture<'a, Vec<SendRow>> {
        Box::pin(async move {
            let dir = format!("days/{}", segment(day));
            let markers = self.list(&dir).await?;
            let paths = markers
                .iter()
                .filter_map(|marker| self.marked(marker, &dir, "sends"))
                .collect();
            Ok(self.sends_rows(self.read_all(paths).await?))
        })
    }

    fn sends_in(&self, status: SendStatus) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move {
            let sends = match status {
                SendStatus::Sending | SendStatus::Accepted => self.open_sends().await?,
                _ => self.read_all(self.list("sends").await?).await?,
            };
            let wanted = sends
                .into_iter()
                .filter(|(_, send, _)| send.status() == status)
                .collect();
            Ok(self.sends_rows(wanted))
        })
    }

    fn to_follow_up(&self, at: DateTime<Utc>) -> StoreFuture<'_, Vec<SendRow>> {
        Box::pin(async move {
            let open = self.open_sends().await?;
            let mine = open
                .into_iter()
                .filter(|(_, send, _)| {
                    send.status() == SendStatus::Accepted
                        && (send.holder == self.holder || send.lapsed(at))
                })
                .collect();
            Ok(self.sends_rows(mine))
        })
    }

    fn shares_pace(&self) -> bool {
        true
    }

    fn admit(&self, users: usize, pace: Pace) -> StoreFuture<'_, Option<Duration>> {
        Box::pin(self.admit_now(users, pace))
    }
}
