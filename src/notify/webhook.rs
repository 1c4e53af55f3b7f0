//! What the runner needs for custom robots' webhooks: the token and secret read from the
//! environment at send time (never stored: the delivery log keeps only the variable's name),
//! the `msgUuid` of an occurrence, and pacing to 20 messages a minute per robot
//! (`webhook-rate`), counting what earlier runs sent.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use crate::model::webhook::{WEBHOOK_PER_MINUTE, Webhook};
use crate::provider::Secret;

/// The window of [`WEBHOOK_PER_MINUTE`].
pub const WEBHOOK_WINDOW: Duration = Duration::from_secs(60);

/// A robot's token and secret, read from the environment.
#[derive(Clone, Debug)]
pub struct RobotCredentials {
    /// The access token.
    pub token: Secret,
    /// The signing secret, when the manifest names one.
    pub secret: Option<Secret>,
}

/// Reads the variables `webhook` names through `lookup` (the process environment in the
/// runner). A missing or empty variable is an error naming it, never its value. A whole
/// webhook URL in the token variable is accepted: its `access_token` is used.
pub fn credentials(
    webhook: &Webhook,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<RobotCredentials, String> {
    let read = |name: &str| match lookup(name) {
        Some(value) if !value.trim().is_empty() => Ok(value.trim().to_owned()),
        _ => Err(format!(
            "{name} is not set: the webhook's {} comes from the environment at send time; nothing was sent",
            if name == webhook.token_env.value {
                "access token"
            } else {
                "signing secret"
            }
        )),
    };
    let token = read(&webhook.token_env.value)?;
    let token = match url::Url::parse(&token) {
        Ok(url) if url.has_host() => url
            .query_pairs()
            .find(|(key, _)| key == "access_token")
            .map(|(_, value)| value.into_owned())
            .ok_or_else(|| {
                format!(
                    "{} holds a URL without `access_token=`: give the robot's webhook URL or its token",
                    webhook.token_env.value
                )
            })?,
        _ => token,
    };
    let secret = match &webhook.secret_env {
        Some(name) => Some(Secret::new(read(&name.value)?)),
        None => None,
    };
    Ok(RobotCredentials {
        token: Secret::new(token),
        secret,
    })
}

/// The `msgUuid` of an occurrence: the same on every attempt, different for every
/// occurrence.
pub fn msg_uuid(notification: &str, occurrence: chrono::DateTime<chrono::Utc>) -> String {
    let name = format!(
        "dingform:notification.{notification}@{}",
        occurrence.timestamp()
    );
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
        .simple()
        .to_string()
}

/// Admits webhook requests so that no robot gets more than 20 in any minute, on tokio's clock
/// (tests may pause it).
#[derive(Debug, Default)]
pub struct WebhookPacer {
    sent: HashMap<String, VecDeque<Instant>>,
    waited: Duration,
}

impl WebhookPacer {
    /// Total time spent waiting so far.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// Wait until `robot` (its token variable's name) may take one more message. `earlier`
    /// gives how long ago earlier runs sent through it (read from the delivery log), counted
    /// the first time the robot is seen.
    pub async fn admit(&mut self, robot: &str, earlier: impl FnOnce() -> Vec<Duration>) {
        let now = Instant::now();
        let sent = self.sent.entry(robot.to_owned()).or_insert_with(|| {
            let mut ages = earlier();
            ages.sort_unstable_by(|a, b| b.cmp(a));
            ages.into_iter()
                .filter(|age| *age < WEBHOOK_WINDOW)
                .filter_map(|age| now.checked_sub(age))
                .collect()
        });
        loop {
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|at| now.duration_since(*at) >= WEBHOOK_WINDOW)
            {
                sent.pop_front();
            }
            if sent.len() < WEBHOOK_PER_MINUTE {
                sent.push_back(now);
                return;
            }
            let Some(oldest) = sent.front().copied() else {
                continue;
            };
            let until = oldest + WEBHOOK_WINDOW;
            tokio::time::sleep_until(until).await;
            self.waited += until.saturating_duration_since(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Spanned;

    fn webhook(secret: bool) -> Webhook {
        Webhook {
            token_env: Spanned::unplaced("OPS_TOKEN".to_owned()),
            secret_env: secret.then(|| Spanned::unplaced("OPS_SECRET".to_owned())),
            at: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_robot_takes_twenty_a_minute_and_others_are_not_held_up() {
        let mut pacer = WebhookPacer::default();
        let start = Instant::now();
        for _ in 0..20 {
            pacer.admit("A", Vec::new).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.admit("B", Vec::new).await;
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "another robot waits for nobody"
        );
        pacer.admit("A", Vec::new).await;
        assert_eq!(start.elapsed(), WEBHOOK_WINDOW);
        assert_eq!(pacer.waited(), WEBHOOK_WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn sends_of_an_earlier_run_count() {
        let mut pacer = WebhookPacer::default();
        let start = Instant::now();
        // An earlier run sent 20 through the robot, the oldest 45 seconds ago.
        let earlier = || (0..20).map(|n| Duration::from_secs(45 - n)).collect();
        pacer.admit("A", earlier).await;
        assert_eq!(start.elapsed(), Duration::from_secs(15));
    }

    #[test]
    fn a_missing_variable_is_named_and_no_value_is_shown() {
        let error = credentials(&webhook(true), |name| {
            (name == "OPS_TOKEN").then(|| "tok-123".to_owned())
        })
        .unwrap_err();
        assert!(error.starts_with("OPS_SECRET is not set"), "{error}");
        assert!(!error.contains("tok-123"), "{error}");
        let error = credentials(&webhook(false), |_| None).unwrap_err();
        assert!(error.starts_with("OPS_TOKEN is not set"), "{error}");
    }

    #[test]
    fn a_webhook_url_gives_its_token() {
        let read = credentials(&webhook(false), |_| {
            Some("https://oapi.dingtalk.com/robot/send?access_token=abc123".to_owned())
        })
        .unwrap();
        assert_eq!(read.token.expose(), "abc123");
        assert_eq!(
            msg_uuid("a", chrono::DateTime::UNIX_EPOCH),
            msg_uuid("a", chrono::DateTime::UNIX_EPOCH)
        );
        assert_ne!(
            msg_uuid("a", chrono::DateTime::UNIX_EPOCH),
            msg_uuid("b", chrono::DateTime::UNIX_EPOCH)
        );
    }
}
