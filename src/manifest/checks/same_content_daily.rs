//! `same-content-daily`: the same user gets the same message content from the same app at most
//! once a day; the platform silently drops repeats. A work notification is an error when two
//! of its sends on one platform day would carry the same text: its template variables
//! (`model::template`) are rendered at each occurrence, in the schedule's time zone, and
//! compared. `{{time}}` and `{{datetime}}` tell sends of one day apart; `{{date}}` and
//! `{{weekday}}` only when the schedule's day differs from the platform's. Two notifications
//! with the same message that reach a user in common (a listed user, or all users) on the
//! same day with the same rendered text are an error too; departments are not expanded here
//! (no live directory). Bot messages to a group are not work notifications and are not
//! limited this way.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use super::Context;
use crate::manifest::frequency::DailyCounts;
use crate::model::template::{Variable, placeholders, variable};
use crate::model::{Address, Finding, Message, WorkNotification};

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
    within_one_schedule(context, findings);
    across_notifications(context, findings);
}

/// The texts a notification sends on `day` (its variables rendered at each occurrence).
pub fn contents_on(
    used: &[&Variable],
    daily: &DailyCounts,
    day: &NaiveDate,
) -> HashSet<Vec<String>> {
    daily.days.get(day).map_or_else(HashSet::new, |count| {
        count
            .occurrences
            .iter()
            .map(|at| {
                used.iter()
                    .map(|v| at.format(v.format).to_string())
                    .collect()
            })
            .collect()
    })
}

/// A user both notifications certainly reach, if any.
fn common_recipient(a: &WorkNotification, b: &WorkNotification) -> Option<String> {
    if a.to_all_users() && b.to_all_users() {
        return Some("every user".to_owned());
    }
    let listed_by = |work: &WorkNotification, user: &str| {
        work.to_all_users() || work.users.iter().any(|u| u.value == user)
    };
    a.users
        .iter()
        .chain(&b.users)
        .find(|user| listed_by(a, &user.value) && listed_by(b, &user.value))
        .map(|user| format!("user `{}`", user.value))
}

fn across_notifications(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut by_message: HashMap<String, Vec<&str>> = HashMap::new();
    for (name, notification) in &context.workspace.notifications {
        if notification.spec.via.value.work_notification().is_some()
            && context.daily.contains_key(name)
        {
            let key = serde_json::to_string(&notification.spec.message.value).unwrap_or_default();
            by_message.entry(key).or_default().push(name);
        }
    }
    let notifications = &context.workspace.notifications;
    let mut reported = HashSet::new();
    let mut groups: Vec<Vec<&str>> = by_message
        .into_values()
        .filter(|names| names.len() > 1)
        .collect();
    groups.sort();
    for names in groups {
        for (earlier, later) in candidate_pairs(context, &names) {
            let (a, b) = (&notifications[earlier], &notifications[later]);
            let (Some(work_a), Some(work_b)) = (
                a.spec.via.value.work_notification(),
                b.spec.via.value.work_notification(),
            ) else {
                continue;
            };
            let Some(who) = common_recipient(work_a, work_b) else {
                continue;
            };
            let used = variables_used(&a.spec.message.value);
            let (daily_a, daily_b) = (&context.daily[earlier], &context.daily[later]);
            let clash = daily_a
                .days
                .keys()
                .filter(|day| daily_b.days.contains_key(*day))
                .find(|day| {
                    !contents_on(&used, daily_a, day).is_disjoint(&contents_on(&used, daily_b, day))
                });
            if let Some(day) = clash
                && reported.insert(later)
            {
                findings.push(
                    Finding::error(
                        "same-content-daily",
                        format!("on {day} this sends {who} the same content as notification.{earlier}; the platform delivers identical content to a user once a day"),
                    )
                    .at(&b.file, &b.spec.message.span)
                    .address(Address::notification(later))
                    .help("make the messages differ, or merge the two notifications"),
                );
            }
        }
    }
}

/// Pairs (earlier, later) of notifications among `names` (same message) that share a listed
/// user or both go to all users, found through a user index rather than by trying every pair.
fn candidate_pairs<'a>(context: &Context<'a>, names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let notifications = &context.workspace.notifications;
    let mut by_user: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut to_all: Vec<&str> = Vec::new();
    for name in names {
        let Some(work) = notifications[*name].spec.via.value.work_notification() else {
            continue;
        };
        if work.to_all_users() {
            to_all.push(name);
        }
        for user in &work.users {
            by_user.entry(user.value.as_str()).or_default().push(name);
        }
    }
    let mut pairs = std::collections::BTreeSet::new();
    let mut add = |x: &'a str, y: &'a str| {
        if x != y {
            pairs.insert(if x < y { (x, y) } else { (y, x) });
        }
    };
    for sharing in by_user.values() {
        for (index, x) in sharing.iter().enumerate() {
            for y in &sharing[index + 1..] {
                add(x, y);
            }
            for y in &to_all {
                add(x, y);
            }
        }
    }
    for (index, x) in to_all.iter().enumerate() {
        for y in &to_all[index + 1..] {
            add(x, y);
        }
    }
    pairs.into_iter().collect()
}

/// Each notification on its own: several sends a day with the same text.
fn within_one_schedule(context: &Context<'_>, findings: &mut Vec<Finding>) {
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
                .address(Address::notification(name))
                .help("send at most once a day, or make each send differ with `{{time}}` in the message"),
            );
        }
    }
}
