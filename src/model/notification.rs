//! [`Notification`]: a message sent on a cron schedule, through a bot to a group or as a work
//! notification to users, departments or everyone.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::message::Message;
use super::span::{Span, Spanned};
use super::webhook::Webhook;

/// The time zone a schedule is read in when `timezone` is not given: DingTalk's home zone.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

/// A scheduled notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// Five-field cron expression (minute hour day-of-month month day-of-week), read in
    /// `timezone`.
    pub schedule: Spanned<String>,
    /// IANA time zone of the schedule (default `Asia/Shanghai`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Spanned<String>>,
    /// How it is delivered.
    pub via: Spanned<Via>,
    /// What is sent.
    pub message: Spanned<Message>,
    /// How late a missed occurrence may still be sent, e.g. `15m`, `2h`, `90s` (default: the
    /// notify runner's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace: Option<Spanned<String>>,
}

impl Notification {
    /// The schedule's time zone name as written, or [`DEFAULT_TIMEZONE`].
    pub fn timezone_name(&self) -> &str {
        self.timezone
            .as_ref()
            .map_or(DEFAULT_TIMEZONE, |tz| tz.value.as_str())
    }

    /// The grace window, if given and well formed.
    pub fn grace_window(&self) -> Option<Duration> {
        self.grace
            .as_ref()
            .and_then(|grace| parse_duration(&grace.value))
    }
}

/// How a notification is delivered: `{bot, group}`, `{work_notification: {…}}` or
/// `{webhook: {…}}`. Kept as
/// written (both forms' keys optional) so a mistake is reported with its position;
/// `Via::target` gives the checked form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["bot", "group"]}, {"required": ["work_notification"]}, {"required": ["webhook"]}]))]
pub struct Via {
    /// The bot (a name under `bots:`) that posts to `group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<Spanned<String>>,
    /// The group (a name under `groups:`) the bot posts to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Spanned<String>>,
    /// Send as a work notification from the workspace's app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_notification: Option<WorkNotification>,
    /// Post through a custom robot's webhook (a robot a person added to a group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Webhook>,
}

/// The checked form of [`Via`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target<'a> {
    /// A bot posting to a group.
    BotToGroup {
        /// The bot's name.
        bot: &'a Spanned<String>,
        /// The group's name.
        group: &'a Spanned<String>,
    },
    /// A work notification.
    WorkNotification(&'a WorkNotification),
    /// A custom robot's webhook.
    Webhook(&'a Webhook),
}

impl Via {
    /// The delivery this names, or a sentence saying what is wrong.
    pub fn target(&self) -> Result<Target<'_>, &'static str> {
        if let Some(webhook) = &self.webhook {
            return match (&self.bot, &self.group, &self.work_notification) {
                (None, None, None) => Ok(Target::Webhook(webhook)),
                _ => Err("`via` gives a webhook and another delivery: choose one"),
            };
        }
        match (&self.bot, &self.group, &self.work_notification) {
            (Some(bot), Some(group), None) => Ok(Target::BotToGroup { bot, group }),
            (None, None, Some(work)) => Ok(Target::WorkNotification(work)),
            (Some(_), None, None) => Err("`via.bot` needs `via.group`: the group the bot posts to"),
            (None, Some(_), None) => Err("`via.group` needs `via.bot`: the bot that posts to it"),
            (None, None, None) => Err(
                "`via` names no delivery: give `{bot, group}`, `{work_notification: …}` or `{webhook: …}`",
            ),
            _ => Err("`via` gives both a bot and a work notification: choose one"),
        }
    }

    /// The work notification, if that is the delivery.
    pub fn work_notification(&self) -> Option<&WorkNotification> {
        match self.target() {
            Ok(Target::WorkNotification(work)) => Some(work),
            _ => None,
        }
    }
}

/// Recipients of a work notification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkNotification {
    /// userIds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<Spanned<String>>,
    /// Department ids (sub-departments included, as the platform does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<Spanned<u64>>,
    /// Everyone in the organization (`to_all_user`, at most 3 times a day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_users: Option<Spanned<bool>>,
}

impl WorkNotification {
    /// Whether it goes to everyone.
    pub fn to_all_users(&self) -> bool {
        self.all_users.as_ref().is_some_and(|all| all.value)
    }

    /// Whether it reaches people beyond the listed users (departments or everyone), whose
    /// number is unknown without the live directory.
    pub fn reaches_beyond_users(&self) -> bool {
        self.to_all_users() || !self.departments.is_empty()
    }

    /// Whether it names nobody at all.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && !self.reaches_beyond_users()
    }

    /// The span to point at for the recipients: `all_users`, else the first department,
    /// else the first user.
    pub fn recipients_span(&self) -> Option<&Span> {
        self.all_users
            .as_ref()
            .filter(|all| all.value)
            .map(|all| &all.span)
            .or_else(|| self.departments.first().map(|d| &d.span))
            .or_else(|| self.users.first().map(|u| &u.span))
    }
}

/// Parses `90s`, `15m`, `2h` (a number and one unit).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_one_unit() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("15"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("1d"), None);
    }
}
