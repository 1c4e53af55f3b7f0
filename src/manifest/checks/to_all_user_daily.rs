//! `to-all-user-daily`: sending to all users (`to_all_user`) is allowed at most 3 times a day;
//! the platform refuses the fourth. All schedules with `all_users: true` are summed per
//! platform day.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Context;
use crate::model::{Address, Finding};

/// Sends to all users allowed per day.
pub const MAX_TO_ALL_USER_PER_DAY: u32 = crate::model::limits::TO_ALL_USER_PER_DAY as u32;

/// Reports every all-users notification when together they exceed 3 on some day.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut senders = Vec::new();
    for (name, notification) in &context.workspace.notifications {
        let Some(work) = notification.spec.via.value.work_notification() else {
            continue;
        };
        let (true, Some(daily)) = (work.to_all_users(), context.daily.get(name)) else {
            continue;
        };
        for (day, count) in &daily.days {
            *per_day.entry(*day).or_default() += count.sends;
        }
        senders.push((name, notification, work));
    }
    let Some((day, total)) = per_day
        .iter()
        .max_by_key(|(day, total)| (**total, std::cmp::Reverse(**day)))
    else {
        return;
    };
    if *total <= MAX_TO_ALL_USER_PER_DAY {
        return;
    }
    for (name, notification, work) in senders {
        if context
            .daily
            .get(name)
            .and_then(|daily| daily.days.get(day))
            .is_none_or(|count| count.sends == 0)
        {
            continue;
        }
        let span = work
            .all_users
            .as_ref()
            .map_or(&notification.spec.schedule.span, |all| &all.span);
        findings.push(
            Finding::error(
                "to-all-user-daily",
                format!("schedules send to all users {total} times on {day}; the platform allows {MAX_TO_ALL_USER_PER_DAY} a day"),
            )
            .at(&notification.file, span)
            .address(Address::notification(name))
            .help("send to all users at most 3 times a day across all notifications, or target departments"),
        );
    }
}
