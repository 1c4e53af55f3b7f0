//! `message-size`: a work notification's `msg` may be at most 2,048 bytes and a bot message's
//! `msgParam` at most 15,000 bytes; the platform refuses larger ones. The size is measured on
//! the payload the runner sends ([`crate::model::payload`]), with template variables rendered
//! at the schedule's next occurrence (a date or time adds a few bytes at most).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Context;
use crate::model::message::{ImageMessage, Message};
use crate::model::schedule::Schedule;
use crate::model::{Address, Finding, Notification, Spanned, Target, payload};

/// Largest work-notification `msg`, in bytes.
pub const MAX_WORK_NOTIFICATION_BYTES: usize = crate::model::limits::WORK_NOTIFICATION_MSG_BYTES;
/// Largest bot `msgParam`, in bytes.
pub const MAX_BOT_PARAM_BYTES: usize = crate::model::limits::BOT_MSG_PARAM_BYTES;

/// Stands for the media id an image from a local file gets when the runner uploads it.
pub const MEDIA_ID_PLACEHOLDER: &str = "@media";

/// The payload the check measures for one notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measured {
    /// The bytes sent: the work notification's `msg` or the bot's `msgParam`, as JSON text.
    pub payload: String,
    /// What the platform accepts, in bytes.
    pub max: usize,
    /// Which payload (`work-notification `msg``, `bot `msgParam``).
    pub what: &'static str,
}

/// The payload of `notification`'s occurrence after `now`, as the runner would send it; None
/// when it has no such occurrence, goes through a webhook, or cannot be sent at all (other
/// rules say why).
pub fn measure(notification: &Notification, now: DateTime<Utc>) -> Option<Measured> {
    let (schedule, at) = next_occurrence(notification, now)?;
    measure_at(notification, &schedule, at)
}

/// A schedule and its next occurrence.
type Next = (Schedule, DateTime<Utc>);

/// The schedule of `notification` and its next occurrence after `now`.
fn next_occurrence(notification: &Notification, now: DateTime<Utc>) -> Option<Next> {
    let schedule =
        Schedule::parse(&notification.schedule.value, notification.timezone_name()).ok()?;
    let at = schedule.next_after(now)?.with_timezone(&Utc);
    Some((schedule, at))
}

/// [`measure`] at the occurrence `at` of `schedule` (the notification's).
fn measure_at(
    notification: &Notification,
    schedule: &Schedule,
    at: DateTime<Utc>,
) -> Option<Measured> {
    let message = payload::render(&uploaded(&notification.message.value), schedule, at);
    match notification.via.value.target() {
        Ok(Target::WorkNotification(_)) => Some(Measured {
            payload: serde_json::to_string(&payload::work_message(&message).ok()?).ok()?,
            max: MAX_WORK_NOTIFICATION_BYTES,
            what: "work-notification `msg`",
        }),
        Ok(Target::BotToGroup { .. }) => Some(Measured {
            payload: payload::bot_message(&message).ok()?.1.to_string(),
            max: MAX_BOT_PARAM_BYTES,
            what: "bot `msgParam`",
        }),
        Ok(Target::Webhook(_)) | Err(_) => None,
    }
}

/// An image from a local file as the runner sends it once uploaded: by a media id.
fn uploaded(message: &Message) -> Message {
    match message {
        Message::Image(ImageMessage {
            path: Some(_),
            media_id: None,
            ..
        }) => Message::Image(ImageMessage {
            path: None,
            media_id: Some(Spanned::unplaced(MEDIA_ID_PLACEHOLDER.to_owned())),
            url: None,
        }),
        _ => message.clone(),
    }
}

/// Reports messages whose payload is over the platform's limit.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    // Many notifications share a schedule: each (expression, zone) is parsed and searched once.
    let mut next: HashMap<(&str, &str), Option<Next>> = HashMap::new();
    for (name, notification) in &context.workspace.notifications {
        let spec = &notification.spec;
        let key = (spec.schedule.value.as_str(), spec.timezone_name());
        let Some((schedule, at)) = next
            .entry(key)
            .or_insert_with(|| next_occurrence(spec, context.now))
        else {
            continue;
        };
        let Some(Measured { payload, max, what }) = measure_at(spec, schedule, *at) else {
            continue;
        };
        let size = payload.len();
        if size > max {
            findings.push(
                Finding::error(
                    "message-size",
                    format!("the {what} would be {size} bytes; the platform accepts {max}"),
                )
                .at(&notification.file, &spec.message.span)
                .address(Address::notification(name))
                .help("shorten the message, or link to the full text"),
            );
        }
    }
}
