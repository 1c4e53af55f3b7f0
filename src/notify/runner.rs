//! One cycle of the runner: recover what a crashed runner left, record missed occurrences,
//! claim and send what is due, follow up what was sent, and say what became of each.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::NotifyError;

mod followup;
mod media;
mod webhook;
use super::compose;
use super::delivery::{Channel, DeliveryStore, NewSend, OccurrenceStatus, SendStatus};
use super::due::Scheduled;
use super::limits::{self, Request};
use super::media::{MEDIA_CACHE_PATH, MediaCache};
use super::pace::{Pace, Pacer};
use super::status::summarize;
use super::webhook::WebhookPacer;
pub use crate::model::occurrence::{CycleReport, OccurrenceReport};
use crate::model::{Address, AppKind, Clock, Message, SystemClock, Target, humanize};
use crate::provider::{ApiError, BotMessage, MessageApi, WebhookApi, WorkNotification};
use crate::state::State;

/// Most users one work-notification request may name (`recipients-per-request`).
pub const USERS_PER_REQUEST: usize = crate::model::limits::RECIPIENTS_PER_REQUEST;
/// How long results can be asked for (`delivery-result-window`).
pub const RESULT_WINDOW: chrono::Duration =
    chrono::Duration::hours(crate::model::limits::DELIVERY_RESULT_WINDOW_HOURS as i64);

/// How the runner behaves.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The app's agent id (`app.agent_id` of dingform.yaml), for work notifications.
    pub agent_id: Option<i64>,
    /// The app's kind (daily limits).
    pub app_kind: AppKind,
    /// Pacing of work notifications.
    pub pace: Pace,
    /// How long a cycle waits for sends to finish before leaving the follow-up to the next.
    pub follow_up_wait: Duration,
    /// Between two progress queries.
    pub poll_interval: Duration,
    /// The workspace directory: images from files are read relative to it, and their media
    /// ids kept in its `.dingform/media.json`.
    pub workspace_root: std::path::PathBuf,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            agent_id: None,
            app_kind: AppKind::Internal,
            pace: Pace::default(),
            follow_up_wait: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
            workspace_root: std::path::PathBuf::from("."),
        }
    }
}

/// The runner over one delivery log.
pub struct Runner<'a, A: MessageApi> {
    api: &'a A,
    log: Box<dyn DeliveryStore>,
    options: RunOptions,
    pacer: Pacer,
    /// The cycle's `now` and when (on tokio's clock) the cycle began: leases are taken on the
    /// runner's clock, which `--at` moves.
    clock: (DateTime<Utc>, tokio::time::Instant),
    webhook_pacer: WebhookPacer,
    media: MediaCache,
}

impl<'a, A: MessageApi + WebhookApi> Runner<'a, A> {
    /// A runner sending through `api`, logging to `log`.
    pub fn new(api: &'a A, log: impl DeliveryStore + 'static, options: RunOptions) -> Self {
        Self::with_store(api, Box::new(log), options)
    }

    /// A runner sending through `api`, logging to a store chosen at run time.
    pub fn with_store(api: &'a A, log: Box<dyn DeliveryStore>, options: RunOptions) -> Self {
        let pacer = Pacer::new(options.pace);
        let media = MediaCache::open(&options.workspace_root.join(MEDIA_CACHE_PATH));
        Self {
            api,
            log,
            options,
            pacer,
            clock: (SystemClock.now(), tokio::time::Instant::now()),
            webhook_pacer: WebhookPacer::default(),
            media,
        }
    }

    /// The log.
    pub fn log(&self) -> &dyn DeliveryStore {
        self.log.as_ref()
    }

    /// Give the log back (to hand it to another runner).
    pub fn into_store(self) -> Box<dyn DeliveryStore> {
        self.log
    }

    /// Now on the runner's clock: the cycle's `now` plus the time the cycle has taken.
    pub(super) fn now(&self) -> DateTime<Utc> {
        let (at, since) = self.clock;
        at + chrono::Duration::from_std(since.elapsed()).unwrap_or_default()
    }

    /// One cycle at `now` over the notifications `state` registers. The caller holds the
    /// store's [`guard`](DeliveryStore::guard).
    pub async fn cycle(
        &mut self,
        state: &State,
        now: DateTime<Utc>,
    ) -> Result<CycleReport, NotifyError> {
        self.clock = (now, tokio::time::Instant::now());
        let (scheduled, errors) = super::due::scheduled(state);
        let mut report = CycleReport {
            errors: errors.iter().map(ToString::to_string).collect(),
            ..CycleReport::default()
        };
        let paced_before = self.pacer.waited() + self.webhook_pacer.waited();
        let mut touched: Vec<(String, DateTime<Utc>)> = Vec::new();

        // 1. A request whose intent was recorded but whose answer was not: a runner died in
        // between. Without an id nobody can ask the platform: unknown, never resent.
        for row in self.log.lapsed_sends(now).await? {
            self.log.finish_send(
                row.id,
                SendStatus::Unknown,
                None,
                None,
                Some("the runner stopped after sending and before recording the answer; no id to ask the platform with"),
            ).await?;
            self.close_left_over(
                &row.notification,
                row.occurrence,
                OccurrenceStatus::Unknown,
                "may have been sent (the runner stopped before recording the answer): not resent",
            )
            .await?;
            touched.push((row.notification.clone(), row.occurrence));
        }
        // Certainly not sent (no access token could be had, the connection was refused): sent
        // again while within the grace window, the requests that did go out skipped.
        for row in self.log.take_not_sent(now).await? {
            match scheduled.iter().find(|n| n.name == row.notification) {
                Some(notification) if within(now, row.occurrence, notification.grace) => {
                    self.send_occurrence(state, notification, row.occurrence, now)
                        .await?;
                }
                Some(notification) => {
                    let reason = format!(
                        "not sent ({}); now beyond the grace window of {}: given up",
                        row.reason
                            .as_deref()
                            .unwrap_or("no request reached the platform"),
                        humanize::std_duration(notification.grace)
                    );
                    self.close_left_over(
                        &row.notification,
                        row.occurrence,
                        OccurrenceStatus::Failed,
                        &reason,
                    )
                    .await?;
                }
                None => {
                    self.close_left_over(
                        &row.notification,
                        row.occurrence,
                        OccurrenceStatus::Failed,
                        "not sent, and no longer registered in state",
                    )
                    .await?
                }
            }
            touched.push((row.notification, row.occurrence));
        }
        // Claimed but not finished (a crash before a request or between batches): resume;
        // batches already made are skipped.
        for row in self.log.take_over_lapsed(now).await? {
            match scheduled.iter().find(|n| n.name == row.notification) {
                Some(notification) if within(now, row.occurrence, notification.grace) => {
                    self.send_occurrence(state, notification, row.occurrence, now)
                        .await?;
                }
                Some(_) => {
                    let started = !self
                        .log
                        .sends_of(&row.notification, row.occurrence)
                        .await?
                        .is_empty();
                    let (status, reason) = if started {
                        (
                            OccurrenceStatus::Failed,
                            "interrupted between requests; the rest is now beyond the grace window: not sent",
                        )
                    } else {
                        (
                            OccurrenceStatus::Missed,
                            "the runner stopped before sending; now beyond the grace window: not sent",
                        )
                    };
                    self.close_left_over(&row.notification, row.occurrence, status, reason)
                        .await?;
                }
                None => {
                    self.close_left_over(
                        &row.notification,
                        row.occurrence,
                        OccurrenceStatus::Failed,
                        "no longer registered in state",
                    )
                    .await?
                }
            }
            touched.push((row.notification, row.occurrence));
        }

        // 2. What is due.
        for notification in &scheduled {
            let cursor = self.log.cursor(&notification.name).await?;
            let due = notification.due(cursor, now);
            for occurrence in &due.missed {
                let reason = format!(
                    "{} late, beyond the grace window of {}: not sent",
                    humanize::duration(now - *occurrence),
                    humanize::std_duration(notification.grace)
                );
                if self
                    .log
                    .claim(
                        &notification.name,
                        *occurrence,
                        OccurrenceStatus::Missed,
                        Some(&reason),
                        now,
                    )
                    .await?
                {
                    touched.push((notification.name.clone(), *occurrence));
                }
            }
            if let Some(latest) = due.send.last() {
                for occurrence in &due.superseded {
                    let reason = format!(
                        "superseded by the occurrence at {}: only the latest is sent after a delay",
                        humanize::in_zone(*latest, notification.schedule.timezone())
                    );
                    if self
                        .log
                        .claim(
                            &notification.name,
                            *occurrence,
                            OccurrenceStatus::Missed,
                            Some(&reason),
                            now,
                        )
                        .await?
                    {
                        touched.push((notification.name.clone(), *occurrence));
                    }
                }
            }
            if due.missed_not_recorded > 0 {
                report.errors.push(format!(
                    "notification.{}: {} more occurrences missed (not recorded one by one)",
                    notification.name, due.missed_not_recorded
                ));
            }
            for occurrence in &due.send {
                if self
                    .log
                    .claim(
                        &notification.name,
                        *occurrence,
                        OccurrenceStatus::Claimed,
                        None,
                        now,
                    )
                    .await?
                {
                    self.send_occurrence(state, notification, *occurrence, now)
                        .await?;
                    touched.push((notification.name.clone(), *occurrence));
                }
            }
            self.log.advance_cursor(&notification.name, now).await?;
        }

        // 3. Follow up what was accepted, then settle occurrences with nothing pending.
        let followed = self.follow_up(&mut report).await?;
        touched.extend(followed);
        touched.sort();
        touched.dedup();
        for (name, occurrence) in touched {
            self.settle(&name, occurrence).await?;
            if let Some(row) = self.log.occurrence(&name, occurrence).await? {
                report.occurrences.push(OccurrenceReport {
                    summary: summarize(self.log.as_ref(), &row).await?,
                    notification: name,
                    occurrence,
                    status: row.status,
                    reason: row.reason,
                });
            }
        }
        report.paced = self.pacer.waited() + self.webhook_pacer.waited() - paced_before;
        Ok(report)
    }

    /// Close an occurrence the cycle found left over, with `status` and why.
    async fn close_left_over(
        &self,
        notification: &str,
        occurrence: DateTime<Utc>,
        status: OccurrenceStatus,
        reason: &str,
    ) -> Result<(), NotifyError> {
        self.log
            .set_occurrence(notification, occurrence, status, Some(reason))
            .await
    }

    async fn send_occurrence(
        &mut self,
        state: &State,
        notification: &Scheduled,
        occurrence: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), NotifyError> {
        let name = notification.name.as_str();
        let message = compose::render(&notification.message, &notification.schedule, occurrence);
        let (message, media_id) = match self.uploaded(message, notification.via.target().ok()).await
        {
            Ok(pair) => pair,
            Err(why) => {
                return self
                    .log
                    .set_occurrence(name, occurrence, OccurrenceStatus::Failed, Some(&why))
                    .await;
            }
        };
        let outcome = match notification.via.target() {
            Ok(Target::BotToGroup { bot, group }) => {
                self.send_bot(
                    state,
                    name,
                    occurrence,
                    &bot.value,
                    &group.value,
                    &message,
                    now,
                )
                .await?
            }
            Ok(Target::WorkNotification(work)) => {
                let users: Vec<String> = work.users.iter().map(|u| u.value.clone()).collect();
                let departments: Vec<i64> = work
                    .departments
                    .iter()
                    .filter_map(|d| i64::try_from(d.value).ok())
                    .collect();
                self.send_work(
                    name,
                    occurrence,
                    users,
                    &departments,
                    work.to_all_users(),
                    &message,
                    now,
                )
                .await?
            }
            Ok(Target::Webhook(webhook)) => {
                self.send_webhook(name, occurrence, webhook, &message, now)
                    .await?
            }
            Err(why) => Err((OccurrenceStatus::Failed, why.to_owned())),
        };
        match outcome {
            Ok(()) => {
                self.log
                    .set_occurrence(name, occurrence, OccurrenceStatus::Sent, None)
                    .await
            }
            Err((status, reason)) => {
                self.forget_gone_media(media_id.as_deref(), &reason);
                self.log
                    .set_occurrence(name, occurrence, status, Some(&reason))
                    .await
            }
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; a struct would only rename them"
    )]
    async fn send_bot(
        &mut self,
        state: &State,
        name: &str,
        occurrence: DateTime<Utc>,
        bot: &str,
        group: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<Result<(), (OccurrenceStatus, String)>, NotifyError> {
        let failed = |why: String| Ok(Err((OccurrenceStatus::Failed, why)));
        let (group, bot) = (Address::group(group), Address::bot(bot));
        let Some(conversation) = state.resources.get(&group).and_then(|g| g.id.clone()) else {
            return failed(format!("{group} has no id in state: apply it first"));
        };
        let robot_code = state.resources.get(&bot).and_then(|b| {
            b.attributes
                .get("robot_code")
                .and_then(|c| c.as_str().map(str::to_owned))
                .or_else(|| b.id.clone())
        });
        let Some(robot_code) = robot_code else {
            return failed(format!("{bot} has no robot_code in state: apply it first"));
        };
        let (msg_key, msg_param) = match compose::bot_message(message) {
            Ok(pair) => pair,
            Err(why) => return failed(why),
        };
        if made(&self.log.sends_of(name, occurrence).await?) {
            return Ok(Ok(()));
        }
        let bot_message = BotMessage {
            robot_code,
            open_conversation_id: conversation,
            msg_key,
            msg_param,
        };
        let fingerprint = compose::fingerprint(&bot_message.msg_param);
        let day = day_of(now);
        let payload = serde_json::json!({
            "robot_code": bot_message.robot_code,
            "open_conversation_id": bot_message.open_conversation_id,
        });
        let send = bot_send(name, occurrence, &fingerprint, &day, &payload, self.now());
        let Some(id) = self.log.begin_send(&send, self.now()).await? else {
            // Another runner made this request.
            return Ok(Ok(()));
        };
        let answer = self.api.send_bot_message(&bot_message).await;
        self.record_answer(id, answer.map(|r| (None, Some(r.process_query_key))))
            .await
    }

    async fn record_answer(
        &self,
        id: i64,
        answer: Result<(Option<i64>, Option<String>), ApiError>,
    ) -> Result<Result<(), (OccurrenceStatus, String)>, NotifyError> {
        match answer {
            Ok((task_id, query_key)) => {
                self.log
                    .finish_send(
                        id,
                        SendStatus::Accepted,
                        task_id,
                        query_key.as_deref(),
                        None,
                    )
                    .await?;
                Ok(Ok(()))
            }
            Err(error) if error.never_sent() => {
                let why = format!(
                    "did not reach DingTalk; the next run sends it again within the grace window: {error}"
                );
                self.log
                    .finish_send(id, SendStatus::NotSent, None, None, Some(&why))
                    .await?;
                Ok(Err((OccurrenceStatus::NotSent, why)))
            }
            Err(error) if error.maybe_processed() => {
                let why = format!("may have been sent, not resent: {error}");
                self.log
                    .finish_send(id, SendStatus::Unknown, None, None, Some(&why))
                    .await?;
                Ok(Err((OccurrenceStatus::Unknown, why)))
            }
            Err(error) => {
                let why = error.to_string();
                self.log
                    .finish_send(id, SendStatus::Failed, None, None, Some(&why))
                    .await?;
                Ok(Err((OccurrenceStatus::Failed, why)))
            }
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; a struct would only rename them"
    )]
    async fn send_work(
        &mut self,
        name: &str,
        occurrence: DateTime<Utc>,
        mut users: Vec<String>,
        departments: &[i64],
        to_all: bool,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<Result<(), (OccurrenceStatus, String)>, NotifyError> {
        let Some(agent_id) = self.options.agent_id else {
            return Ok(Err((
                OccurrenceStatus::Failed,
                "work notifications need `app.agent_id` in dingform.yaml".into(),
            )));
        };
        let msg = match compose::work_message(message) {
            Ok(msg) => msg,
            Err(why) => return Ok(Err((OccurrenceStatus::Failed, why))),
        };
        users.sort();
        users.dedup();
        let fingerprint = compose::fingerprint(&msg);
        let day = day_of(now);
        let already = self.log.sends_of(name, occurrence).await?;
        let today = self.log.sends_on(&day).await?;
        let checked = limits::check(
            Request {
                notification: name,
                occurrence,
                users,
                departments,
                to_all,
                fingerprint: &fingerprint,
                status_bar: msg.oa.as_ref().is_some_and(|oa| oa.status_bar.is_some()),
            },
            &today,
            self.options.app_kind,
        );
        self.log
            .set_refused(name, occurrence, &checked.refused)
            .await?;
        if let Some((rule, why)) = checked.blocked {
            return Ok(Err((OccurrenceStatus::Refused, format!("{rule}: {why}"))));
        }
        let mut batches: Vec<&[String]> = checked.users.chunks(USERS_PER_REQUEST).collect();
        if batches.is_empty() {
            batches.push(&[]);
        }
        let mut result = Ok(());
        for (number, batch) in batches.into_iter().enumerate() {
            let number = u32::try_from(number).unwrap_or(u32::MAX);
            if already.iter().any(|row| {
                row.attempt == 0 && row.batch == number && row.status != SendStatus::NotSent
            }) {
                continue;
            }
            let wide = number == 0 && (to_all || !departments.is_empty());
            let request = WorkNotification {
                userids: batch.to_vec(),
                dept_ids: if wide {
                    departments.to_vec()
                } else {
                    Vec::new()
                },
                to_all_user: wide && to_all,
                msg: msg.clone(),
            };
            let answer = self
                .send_work_request(
                    name,
                    occurrence,
                    0,
                    number,
                    agent_id,
                    &request,
                    &fingerprint,
                    &day,
                )
                .await?;
            if let Err(error) = answer {
                // Unknown wins over failed, failed over not sent: an unknown must never be
                // resent, and a failure is not retried.
                let rank = |status: OccurrenceStatus| match status {
                    OccurrenceStatus::Unknown => 2,
                    OccurrenceStatus::NotSent => 0,
                    _ => 1,
                };
                if result
                    .as_ref()
                    .err()
                    .is_none_or(|(status, _)| rank(error.0) > rank(*status))
                {
                    result = Err(error);
                }
            }
        }
        Ok(result)
    }

    #[expect(clippy::too_many_arguments, reason = "the fields of one log row")]
    async fn send_work_request(
        &mut self,
        name: &str,
        occurrence: DateTime<Utc>,
        attempt: u32,
        batch: u32,
        agent_id: i64,
        request: &WorkNotification,
        fingerprint: &str,
        day: &str,
    ) -> Result<Result<(), (OccurrenceStatus, String)>, NotifyError> {
        let wide = request.to_all_user || !request.dept_ids.is_empty();
        let count = if wide {
            self.pacer.pace().users
        } else {
            request.userids.len()
        };
        self.admit(name, occurrence, count).await?;
        let payload = serde_json::to_value(&request.msg).unwrap_or_default();
        let send = NewSend {
            notification: name,
            occurrence,
            attempt,
            batch,
            channel: Channel::Work,
            users: &request.userids,
            departments: &request.dept_ids,
            to_all: request.to_all_user,
            fingerprint,
            day,
            payload: &payload,
            at: self.now(),
        };
        let Some(id) = self.log.begin_send(&send, self.now()).await? else {
            // Another runner made this request (a resend both followed up).
            return Ok(Ok(()));
        };
        let answer = self.api.send_work_notification(agent_id, request).await;
        self.record_answer(id, answer.map(|task| (Some(task.task_id), None)))
            .await
    }

    /// Wait until a request to `users` recipients fits the pace: this runner's own, or the one
    /// every runner of the store shares. The occurrence's claim is renewed while waiting, so
    /// a runner waiting its turn is never taken for a dead one.
    async fn admit(
        &mut self,
        name: &str,
        occurrence: DateTime<Utc>,
        users: usize,
    ) -> Result<(), NotifyError> {
        if !self.log.shares_pace() {
            self.pacer.admit(users).await;
            return Ok(());
        }
        let started = tokio::time::Instant::now();
        loop {
            self.log.renew(name, occurrence, self.now()).await?;
            match self.log.admit(users, self.pacer.pace()).await? {
                None => break,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
        self.pacer.record_wait(started.elapsed());
        Ok(())
    }
}

/// Whether a request of the occurrence was made (reached the platform, or may have): a
/// request that certainly did not is made again.
pub(super) fn made(sends: &[super::delivery::SendRow]) -> bool {
    sends.iter().any(|row| row.status != SendStatus::NotSent)
}

/// The log row of a bot or webhook message: one request, no recipients of its own.
fn bot_send<'a>(
    notification: &'a str,
    occurrence: DateTime<Utc>,
    fingerprint: &'a str,
    day: &'a str,
    payload: &'a serde_json::Value,
    at: DateTime<Utc>,
) -> NewSend<'a> {
    NewSend {
        notification,
        occurrence,
        attempt: 0,
        batch: 0,
        channel: Channel::Bot,
        users: &[],
        departments: &[],
        to_all: false,
        fingerprint,
        day,
        payload,
        at,
    }
}

/// Whether `occurrence` may still be sent at `now`.
fn within(now: DateTime<Utc>, occurrence: DateTime<Utc>, grace: Duration) -> bool {
    chrono::Duration::from_std(grace).is_ok_and(|grace| now - occurrence <= grace)
}

/// The calendar day the platform counts daily limits in (China time).
pub fn day_of(at: DateTime<Utc>) -> String {
    crate::model::limits::platform_day(at)
        .format("%Y-%m-%d")
        .to_string()
}
