//! `same-content-daily`: the same user gets the same message content from the same app at most
//! once a day; the platform silently drops repeats. A work notification whose schedule fires
//! more than once on a platform day with content that does not change between those sends is
//! an error. Only `{{time}}` and `{{datetime}}` change between two sends of one day
//! (`model::template`); `{{date}}` and `{{weekday}}` do not. Bot messages to a group are not
//! work notifications and are not limited this way.

use super::Context;
use crate::model::template::{placeholders, variable};
use crate::model::{Finding, Message};

/// Whether the message text changes between two sends on the same day.
pub fn varies_within_a_day(message: &Message) -> bool {
    message.texts().iter().any(|text| {
        placeholders(&text.value)
            .iter()
            .any(|placeholder| variable(placeholder.name).is_some_and(|v| v.varies_within_a_day))
    })
}

/// Reports work notifications that would repeat identical content to a user within a day.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        if notification.spec.via.value.work_notification().is_none() {
            continue;
        }
        let Some(daily) = context.daily.get(name) else {
            continue;
        };
        let varies = varies_within_a_day(&notification.spec.message.value);
        let repeat = daily
            .days
            .iter()
            .filter(|(_, count)| count.sends > 1 && (!varies || count.distinct_times < count.sends))
            .max_by_key(|(day, count)| (count.sends, std::cmp::Reverse(**day)));
        if let Some((day, count)) = repeat {
            let why = if varies {
                "and `{{time}}` repeats: daylight saving turns the clock back over it".to_owned()
            } else {
                "and the content does not change between sends".to_owned()
            };
            findings.push(
                Finding::error(
                    "same-content-daily",
                    format!("this schedule sends {} times on {day} {why}; the platform delivers identical content to a user once a day", count.sends),
                )
                .at(&notification.file, &notification.spec.schedule.span)
                .address(format!("notification.{name}"))
                .help("send at most once a day, or make each send differ with `{{time}}` in the message"),
            );
        }
    }
}
