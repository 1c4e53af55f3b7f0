//! `webhook-rate`: a custom robot's webhook takes at most 20 messages a minute, then the
//! platform throttles it for ten minutes. The runner paces sends to 20 a minute per robot, so
//! nothing is refused, but a minute whose schedules together want more than 20 goes out
//! late: a warning at each notification sharing that robot (the same `token_env`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};

use super::Context;
use crate::model::schedule::Schedule;
use crate::model::webhook::WEBHOOK_PER_MINUTE;
use crate::model::{Address, Finding, Target};

/// How far ahead schedules are looked at: a week covers every weekly pattern.
const HORIZON_DAYS: i64 = 7;

/// Reports robots whose schedules want more than 20 messages in some minute.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut robots: BTreeMap<&str, Vec<(&String, &crate::model::Declared<_>)>> = BTreeMap::new();
    for (name, notification) in &context.workspace.notifications {
        if let Ok(Target::Webhook(webhook)) = notification.spec.via.value.target() {
            robots
                .entry(webhook.token_env.value.as_str())
                .or_default()
                .push((name, notification));
        }
    }
    let until = context.now + Duration::days(HORIZON_DAYS);
    for (robot, senders) in robots {
        // One cron fires at most once a minute: 20 notifications can never exceed it.
        if senders.len() <= WEBHOOK_PER_MINUTE {
            continue;
        }
        let mut per_minute: BTreeMap<DateTime<Utc>, usize> = BTreeMap::new();
        for (_, notification) in &senders {
            let spec = &notification.spec;
            let Ok(schedule) = Schedule::parse(&spec.schedule.value, spec.timezone_name()) else {
                continue;
            };
            for at in schedule.occurrences(context.now, until, 7 * 24 * 60) {
                let minute = at.with_timezone(&Utc);
                let minute = minute
                    .duration_trunc(Duration::minutes(1))
                    .unwrap_or(minute);
                *per_minute.entry(minute).or_default() += 1;
            }
        }
        let Some((minute, count)) = per_minute
            .iter()
            .max_by_key(|(minute, count)| (**count, std::cmp::Reverse(**minute)))
            .filter(|(_, count)| **count > WEBHOOK_PER_MINUTE)
        else {
            continue;
        };
        let minutes_late = count.div_ceil(WEBHOOK_PER_MINUTE) - 1;
        for (name, notification) in &senders {
            let Ok(Target::Webhook(webhook)) = notification.spec.via.value.target() else {
                continue;
            };
            findings.push(
                Finding::warning(
                    "webhook-rate",
                    format!(
                        "{count} notifications post through the robot in ${robot} at {} UTC; a robot takes {WEBHOOK_PER_MINUTE} a minute, so the last go out up to {minutes_late} minute(s) late",
                        minute.format("%Y-%m-%d %H:%M")
                    ),
                )
                .at(&notification.file, &webhook.token_env.span)
                .address(Address::notification(*name))
                .help("spread the schedules over more minutes, or post through another robot"),
            );
        }
    }
}
