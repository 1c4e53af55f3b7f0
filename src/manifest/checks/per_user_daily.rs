//! The shared count behind `per-user-daily-internal` and `per-user-daily-third-party`: how
//! many work notifications one user gets per platform day from all schedules together.
//!
//! Without the live directory a department's members are unknown, so users are counted two
//! ways. *Certain*: the notifications that list the user, plus those sent to all users — an
//! excess here is an error. *Worst case*: additionally every notification sent to departments,
//! as if the user belonged to all of them — an excess only here is a warning (`plan`, with the
//! directory, can tell). The sum is taken per platform day (see `manifest::frequency`), so two
//! schedules on different weekdays do not add up.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::Context;
use crate::manifest::frequency::DailyCounts;
use crate::model::humanize::a_or_an;
use crate::model::{Address, AppKind, Finding};

/// Reports users over the daily limit of an app of `kind`, under rule `rule`; does nothing
/// when the workspace's app is of another kind.
pub fn check<'a>(context: &Context<'a>, kind: AppKind, rule: &str, findings: &mut Vec<Finding>) {
    if context.app_kind != kind {
        return;
    }
    let limit = kind.daily_messages_per_user();
    // Sends per day that reach everyone for sure (all users) and possibly (departments).
    let mut everyone: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut departments: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    // Each user's notifications, each listed once: most users are in one or two, so their
    // days are summed only where several meet (not one map entry per user and day).
    let mut per_user: HashMap<&str, Vec<&DailyCounts>> = HashMap::new();
    for (name, notification) in &context.workspace.notifications {
        let (Some(work), Some(daily)) = (
            notification.spec.via.value.work_notification(),
            context.daily.get(name),
        ) else {
            continue;
        };
        if work.to_all_users() {
            for (day, count) in &daily.days {
                *everyone.entry(*day).or_default() += count.sends;
            }
            continue;
        }
        if !work.departments.is_empty() {
            for (day, count) in &daily.days {
                *departments.entry(*day).or_default() += count.sends;
            }
        }
        let mut seen = std::collections::HashSet::new();
        for user in &work.users {
            if seen.insert(user.value.as_str()) {
                per_user.entry(user.value.as_str()).or_default().push(daily);
            }
        }
    }
    let on = |map: &BTreeMap<NaiveDate, u32>, day: &NaiveDate| map.get(day).copied().unwrap_or(0);
    // The certain worst user and day, and the worst case with departments.
    let mut certain: Option<(u32, &str, NaiveDate)> = None;
    let mut possible: Option<(u32, NaiveDate)> = None;
    let mut days: Vec<NaiveDate> = everyone.keys().chain(departments.keys()).copied().collect();
    days.sort();
    days.dedup();
    // Users are visited in hash order: on a tie the earlier day and then the smaller userId
    // win, so the finding names the same user and day on every run.
    let mut consider = |user: &'a str, day: &NaiveDate, sends: u32| {
        let total = sends + on(&everyone, day);
        let rank = (total, Reverse(*day), Reverse(user));
        if total > limit
            && certain.is_none_or(|(worst, who, when)| rank > (worst, Reverse(when), Reverse(who)))
        {
            certain = Some((total, user, *day));
        }
        let worst = total + on(&departments, day);
        if worst > limit
            && possible.is_none_or(|(most, when)| (worst, Reverse(*day)) > (most, Reverse(when)))
        {
            possible = Some((worst, *day));
        }
    };
    for (user, dailies) in &per_user {
        match dailies.as_slice() {
            [one] => {
                for (day, count) in &one.days {
                    consider(user, day, count.sends);
                }
            }
            several => {
                let mut summed: BTreeMap<NaiveDate, u32> = BTreeMap::new();
                for daily in several {
                    for (day, count) in &daily.days {
                        *summed.entry(*day).or_default() += count.sends;
                    }
                }
                for (day, sends) in &summed {
                    consider(user, day, *sends);
                }
            }
        }
    }
    for day in &days {
        if on(&everyone, day) > limit && certain.is_none() {
            certain = Some((on(&everyone, day), "every user", *day));
        }
        let worst = on(&everyone, day) + on(&departments, day);
        if worst > limit && possible.is_none_or(|(most, _)| worst > most) {
            possible = Some((worst, *day));
        }
    }
    let (severity_error, total, who, day) = match (certain, possible) {
        (Some((total, user, day)), _) => (true, total, format!("user `{user}`"), day),
        (None, Some((total, day))) => (
            false,
            total,
            "a user in every listed department".to_owned(),
            day,
        ),
        (None, None) => return,
    };
    // Point at every notification that adds to that day's total.
    for (name, notification) in &context.workspace.notifications {
        let (Some(work), Some(daily)) = (
            notification.spec.via.value.work_notification(),
            context.daily.get(name),
        ) else {
            continue;
        };
        if daily.days.get(&day).is_none_or(|count| count.sends == 0) {
            continue;
        }
        let reaches = work.to_all_users()
            || (!severity_error && !work.departments.is_empty())
            || work
                .users
                .iter()
                .any(|user| who == format!("user `{}`", user.value));
        if !reaches {
            continue;
        }
        let kind = match kind {
            AppKind::Internal => "internal",
            AppKind::ThirdParty => "third-party",
        };
        let message = format!(
            "{who} would get {total} work notifications on {day} from all schedules together; {} {kind} app may send {limit} a day",
            a_or_an(kind)
        );
        let finding = if severity_error {
            Finding::error(rule, message)
        } else {
            Finding::warning(rule, message)
        };
        findings.push(
            finding
                .at(&notification.file, &notification.spec.schedule.span)
                .address(Address::notification(name))
                .help("send less often, or to fewer overlapping recipients; the platform marks users past the limit as forbidden"),
        );
    }
}
