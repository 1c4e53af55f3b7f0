//! `message-size`: a work notification's `msg` may be at most 2,048 bytes and a bot message's
//! `msgParam` at most 15,000 bytes; the platform refuses larger ones. The size is measured on
//! the payload dingform would send (`model::payload`), with template variables rendered at
//! the schedule's next occurrence (a date or time adds a few bytes at most).

use super::Context;
use crate::model::schedule::Schedule;
use crate::model::{Finding, Target};

/// Largest work-notification `msg`, in bytes.
pub const MAX_WORK_NOTIFICATION_BYTES: usize = 2_048;
/// Largest bot `msgParam`, in bytes.
pub const MAX_BOT_PARAM_BYTES: usize = 15_000;

/// Reports messages whose payload is over the platform's limit.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        let spec = &notification.spec;
        let Ok(schedule) = Schedule::parse(&spec.schedule.value, spec.timezone_name()) else {
            continue;
        };
        let Some(at) = schedule.next_after(context.now) else {
            continue;
        };
        let message = spec.message.value.rendered(&at);
        let (size, max, what) = match spec.via.value.target() {
            Ok(Target::WorkNotification(_)) => (
                message
                    .work_notification_msg(Some("@media"))
                    .to_string()
                    .len(),
                MAX_WORK_NOTIFICATION_BYTES,
                "work-notification `msg`",
            ),
            Ok(Target::BotToGroup { .. }) => match message.bot_message(Some("@media")) {
                Some((_, param)) => (
                    param.to_string().len(),
                    MAX_BOT_PARAM_BYTES,
                    "bot `msgParam`",
                ),
                None => continue,
            },
            Ok(Target::Webhook(_)) | Err(_) => continue,
        };
        if size > max {
            findings.push(
                Finding::error(
                    "message-size",
                    format!("the {what} would be {size} bytes; the platform accepts {max}"),
                )
                .at(&notification.file, &spec.message.span)
                .address(format!("notification.{name}"))
                .help("shorten the message, or link to the full text"),
            );
        }
    }
}
