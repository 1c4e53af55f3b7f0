//! Following up what was sent: progress and results inside the 24-hour window, one resend to
//! failed users, and the final status of an occurrence once nothing is pending.

use chrono::{DateTime, Utc};

use super::{CycleReport, RESULT_WINDOW, Runner, USERS_PER_REQUEST};
use crate::model::wire::notification::WorkMessage;
use crate::notify::NotifyError;
use crate::notify::delivery::{self, Channel, OccurrenceStatus, SendOutcome, SendRow, SendStatus};
use crate::notify::status::{WINDOW_CLOSED, summarize};
use crate::provider::{ApiError, MessageApi, WebhookApi, WorkNotification};

impl<A: MessageApi + WebhookApi> Runner<'_, A> {
    /// Follow up accepted sends until none is pending or the wait is over; resend once to
    /// failed users. Returns the occurrences touched.
    pub(super) async fn follow_up(
        &mut self,
        report: &mut CycleReport,
    ) -> Result<Vec<(String, DateTime<Utc>)>, NotifyError> {
        let deadline = tokio::time::Instant::now() + self.options.follow_up_wait;
        let mut touched = Vec::new();
        loop {
            let pending = self.log.to_follow_up(self.now()).await?;
            if pending.is_empty() {
                break;
            }
            let mut waiting = false;
            let mut query_failed = false;
            for row in pending {
                touched.push((row.notification.clone(), row.occurrence));
                match self.follow_up_one(&row).await? {
                    Ok(true) => {}
                    Ok(false) => waiting = true,
                    Err(error) => {
                        if self.now() - row.created_at > RESULT_WINDOW {
                            let outcome = SendOutcome {
                                bot_status: Some(format!("{WINDOW_CLOSED}: {error}")),
                                ..SendOutcome::default()
                            };
                            self.log.record_result(row.id, &outcome).await?;
                        } else {
                            query_failed = true;
                            report.errors.push(format!(
                                "notification.{} at {}: follow-up failed (retried next cycle): {error}",
                                row.notification,
                                delivery::timestamp(row.occurrence)
                            ));
                        }
                    }
                }
            }
            if query_failed {
                break;
            }
            if waiting {
                if tokio::time::Instant::now() + self.options.poll_interval > deadline {
                    break;
                }
                tokio::time::sleep(self.options.poll_interval).await;
            }
        }
        Ok(touched)
    }

    /// Asks the platform about one accepted send; `Ok(Ok(true))` when it is settled.
    async fn follow_up_one(
        &mut self,
        row: &SendRow,
    ) -> Result<Result<bool, ApiError>, NotifyError> {
        match row.channel {
            Channel::Bot => {
                let text = |key: &str| {
                    row.payload
                        .get(key)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                };
                let (Some(key), Some(robot), Some(group)) = (
                    &row.query_key,
                    text("robot_code"),
                    text("open_conversation_id"),
                ) else {
                    return Ok(Ok(true));
                };
                let status = match self.api.bot_message_status(&group, &robot, key).await {
                    Ok(status) => status,
                    Err(error) => return Ok(Err(error)),
                };
                if status.send_status == "PROCESSING" {
                    return Ok(Ok(false));
                }
                let outcome = SendOutcome {
                    delivered: usize::from(status.send_status == "SUCCESS"),
                    bot_status: Some(status.send_status),
                    ..SendOutcome::default()
                };
                self.log.record_result(row.id, &outcome).await?;
                Ok(Ok(true))
            }
            Channel::Work => {
                let (Some(agent_id), Some(task_id)) = (self.options.agent_id, row.task_id) else {
                    return Ok(Ok(true));
                };
                let task = crate::model::live::WorkNotificationTask { task_id };
                let progress = match self.api.work_notification_progress(agent_id, task).await {
                    Ok(progress) => progress,
                    Err(error) => return Ok(Err(error)),
                };
                if progress.status != 2 {
                    return Ok(Ok(false));
                }
                let result = match self.api.work_notification_result(agent_id, task).await {
                    Ok(result) => result,
                    Err(error) => return Ok(Err(error)),
                };
                let mut forbidden: Vec<(String, String)> = result
                    .forbidden
                    .iter()
                    .map(|f| (f.userid.clone(), f.code.clone()))
                    .collect();
                for user in &result.forbidden_user_ids {
                    if !forbidden.iter().any(|(u, _)| u == user) {
                        forbidden.push((user.clone(), "forbidden".into()));
                    }
                }
                let outcome = SendOutcome {
                    delivered: result.read_user_ids.len() + result.unread_user_ids.len(),
                    failed: result.failed_user_ids.clone(),
                    forbidden,
                    invalid: result.invalid_user_ids.clone(),
                    invalid_departments: result.invalid_dept_ids.clone(),
                    bot_status: None,
                };
                self.log.record_result(row.id, &outcome).await?;
                if row.attempt == 0 && !outcome.failed.is_empty() {
                    self.resend(row, &outcome.failed, agent_id).await?;
                }
                Ok(Ok(true))
            }
        }
    }

    /// Resend once to the users a request failed to reach.
    async fn resend(
        &mut self,
        row: &SendRow,
        failed: &[String],
        agent_id: i64,
    ) -> Result<(), NotifyError> {
        let sends = self.log.sends_of(&row.notification, row.occurrence).await?;
        let Ok(msg) = serde_json::from_value::<WorkMessage>(row.payload.clone()) else {
            return Ok(());
        };
        for (index, chunk) in failed.chunks(USERS_PER_REQUEST).enumerate() {
            let batch = row.batch * 1000 + u32::try_from(index).unwrap_or(0);
            if sends.iter().any(|s| s.attempt == 1 && s.batch == batch) {
                continue;
            }
            let request = WorkNotification {
                userids: chunk.to_vec(),
                dept_ids: Vec::new(),
                to_all_user: false,
                msg: msg.clone(),
            };
            let answer = self
                .send_work_request(
                    &row.notification,
                    row.occurrence,
                    1,
                    batch,
                    agent_id,
                    &request,
                    &row.fingerprint,
                    &row.day,
                )
                .await?;
            if let Err((status, why)) = answer {
                self.log
                    .set_occurrence(
                        &row.notification,
                        row.occurrence,
                        status,
                        Some(&format!("resend: {why}")),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// An occurrence whose sends are all settled gets its final status.
    pub(super) async fn settle(
        &self,
        name: &str,
        occurrence: DateTime<Utc>,
    ) -> Result<(), NotifyError> {
        let Some(row) = self.log.occurrence(name, occurrence).await? else {
            return Ok(());
        };
        if row.status != OccurrenceStatus::Sent {
            return Ok(());
        }
        let sends = self.log.sends_of(name, occurrence).await?;
        if sends
            .iter()
            .any(|s| matches!(s.status, SendStatus::Accepted | SendStatus::Sending))
        {
            return Ok(());
        }
        let summary = summarize(self.log.as_ref(), &row).await?;
        if summary.is_clean() {
            self.log
                .set_occurrence(name, occurrence, OccurrenceStatus::Delivered, None)
                .await
        } else {
            // The summary says who and why.
            self.log
                .set_occurrence(name, occurrence, OccurrenceStatus::Incomplete, None)
                .await
        }
    }
}
