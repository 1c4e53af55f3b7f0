//! Sending one occurrence through a custom robot's webhook. What the webhook's answers allow:
//! errcode 0 means the platform took the message (recorded as delivered: there is no id to
//! ask about it later, no read list, no recall); a refusal is a failure; a lost answer is
//! `unknown` and never resent. Every request carries the occurrence's `msgUuid`.

use chrono::{DateTime, Utc};

use super::{Runner, bot_send, day_of};
use crate::model::webhook::{Webhook, webhook_body};
use crate::model::{Clock, Message, SystemClock};
use crate::notify::NotifyError;
use crate::notify::compose;
use crate::notify::delivery::{OccurrenceStatus, SendOutcome};
use crate::notify::webhook::{credentials, msg_uuid};
use crate::provider::{MessageApi, WebhookApi, WebhookSend};

/// What a webhook send the platform accepted is marked with (`notify status`).
pub const WEBHOOK_ACCEPTED: &str = "ACCEPTED_BY_WEBHOOK";

impl<A: MessageApi + WebhookApi> Runner<'_, A> {
    pub(super) async fn send_webhook(
        &mut self,
        name: &str,
        occurrence: DateTime<Utc>,
        webhook: &Webhook,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<Result<(), (OccurrenceStatus, String)>, NotifyError> {
        let failed = |why: String| Ok(Err((OccurrenceStatus::Failed, why)));
        let robot = webhook.token_env.value.as_str();
        let body = match webhook_body(message, webhook, &msg_uuid(name, occurrence)) {
            Ok(body) => body,
            Err(why) => return failed(why),
        };
        if super::made(&self.log.sends_of(name, occurrence).await?) {
            return Ok(Ok(()));
        }
        let robot_credentials = match credentials(webhook, |name| std::env::var(name).ok()) {
            Ok(read) => read,
            Err(why) => return failed(why),
        };
        let day = day_of(now);
        let earlier = self.log.sends_on(&day).await?;
        // Ages on the runner's clock, the one `created_at` was written by.
        let sent_by = self.now();
        self.webhook_pacer
            .admit(robot, || {
                earlier
                    .iter()
                    .filter(|row| {
                        row.payload.get("webhook").and_then(|w| w.as_str()) == Some(robot)
                    })
                    .filter_map(|row| (sent_by - row.created_at).to_std().ok())
                    .collect()
            })
            .await;
        let fingerprint = compose::fingerprint(&body);
        // The variable's name only: the token never reaches the log.
        let payload = serde_json::json!({"webhook": robot});
        let send = bot_send(name, occurrence, &fingerprint, &day, &payload, self.now());
        let Some(id) = self.log.begin_send(&send, self.now()).await? else {
            // Another runner made this request.
            return Ok(Ok(()));
        };
        let answer = self
            .api
            .send_webhook(&WebhookSend {
                token: &robot_credentials.token,
                secret: robot_credentials.secret.as_ref(),
                // The platform checks the signature's time against its own wall clock.
                timestamp_ms: SystemClock.now().timestamp_millis(),
                body: &body,
            })
            .await;
        let accepted = answer.is_ok();
        let outcome = self
            .record_answer(id, answer.map(|()| (None, None)))
            .await?;
        if accepted {
            // Nothing more can be learnt from a webhook: the answer is the delivery.
            self.log
                .record_result(
                    id,
                    &SendOutcome {
                        delivered: 1,
                        bot_status: Some(WEBHOOK_ACCEPTED.to_owned()),
                        ..SendOutcome::default()
                    },
                )
                .await?;
        }
        Ok(outcome)
    }
}
