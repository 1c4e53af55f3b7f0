//! `same-content-daily`: the same user gets the same message content from the same app at most
//! once a day; the platform silently drops repeats. A work notification is an error when two
//! of its sends on one platform day would carry the same text: its template variables
//! (`model::template`) are rendered at each occurrence, in the schedule's time zone, and
//! compared. `{{time}}` and `{{datetime}}` tell sends of one day apart; `{{date}}` and
//! `{{weekday}}` only when the schedule's day differs from the platform's. Bot messages to a
//! group are not work notifications and are not limited this way.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use super::Context;
use crate::manifest::frequency::DailyCounts;
use crate::model::template::{Variable, placeholders, variable};
use crate::model::{Finding, Message};

/// The template variables a message uses, each once.
pub fn variables_used(message: &Message) -> Vec<&'static Variable> {
    let mut used: Vec<&'static Variable> = message
        .texts()
        .iter()
        .flat_map(|text| {
            placeholders(&text.value)
                .into_iter()
                .filter_map(|p| variable(p.name))
                .collect::<Vec<_>>()
        })
        .collect();
    used.sort_by_key(|v| v.name);
    used.dedup();
    used
}

/// How many different texts the sends at `occurrences` carry.
fn distinct_contents(used: &[&Variable], occurrences: &[DateTime<Tz>]) -> usize {
    if used.is_empty() {
        return 1;
    }
    let rendered: HashSet<Vec<String>> = occurrences
        .iter()
        .map(|at| {
            used.iter()
                .map(|v| at.format(v.format).to_string())
                .collect()
        })
        .collect();
    rendered.len()
}

/// A notification's schedule, zone and the variables it uses: what the verdict depends on.
type Judged<'a> = (&'a str, &'a str, Vec<&'static str>);
/// The busiest day that repeats content: (day, sends, distinct contents).
type Repeat = (NaiveDate, u32, usize);

/// The busiest platform day on which sends repeat content: (day, sends, distinct contents).
fn first_repeat(daily: &DailyCounts, used: &[&Variable]) -> Option<Repeat> {
    daily
        .days
        .iter()
        .filter(|(_, day)| day.sends > 1)
        .map(|(date, day)| (*date, day.sends, distinct_contents(used, &day.occurrences)))
        .filter(|(_, sends, distinct)| (*sends as usize) > *distinct)
        .max_by_key(|(date, sends, _)| (*sends, std::cmp::Reverse(*date)))
}

/// Reports work notifications that would repeat identical content to a user within a day.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    // Many notifications share a schedule and the variables they use: judge each pair once.
    let mut judged: HashMap<Judged<'_>, Option<Repeat>> = HashMap::new();
    for (name, notification) in &context.workspace.notifications {
        if notification.spec.via.value.work_notification().is_none() {
            continue;
        }
        let Some(daily) = context.daily.get(name) else {
            continue;
        };
        let used = variables_used(&notification.spec.message.value);
        let key = (
            notification.spec.schedule.value.as_str(),
            notification.spec.timezone_name(),
            used.iter().map(|v| v.name).collect(),
        );
        let repeat = *judged
            .entry(key)
            .or_insert_with(|| first_repeat(daily, &used));
        if let Some((day, sends, distinct)) = repeat {
            let what = if distinct == 1 {
                "the same content".to_owned()
            } else {
                format!("only {distinct} different contents")
            };
            findings.push(
                Finding::error(
                    "same-content-daily",
                    format!(
                        "this schedule sends {sends} times on {day} with {what}; the platform delivers identical content to a user once a day"
                    ),
                )
                .at(&notification.file, &notification.spec.schedule.span)
                .address(format!("notification.{name}"))
                .help("send at most once a day, or make each send differ with `{{time}}` in the message"),
            );
        }
    }
}
