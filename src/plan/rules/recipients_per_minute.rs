//! `recipients-per-minute`: an internal app delivers to at most 5,000 users a minute; the
//! platform delivers the rest in later minutes. Notifications that fire in the same minute add
//! up, and a department counts with every member of it and its sub-departments (read from the
//! live directory). Nothing is refused, so a `warning` at each schedule that takes part: it
//! says how much later the last people receive it. `dingform explain recipients-per-minute`.

use std::collections::BTreeMap;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::model::limits::RECIPIENTS_PER_MINUTE;
use crate::model::{Address, Finding};
use crate::plan::recipients::Context;

/// One minute's sends: the recipients in all, and which notification fired when.
#[derive(Default)]
struct Minute {
    recipients: usize,
    sends: Vec<(usize, DateTime<Tz>)>,
}

/// Add a warning at each notification that takes part in a minute of more than 5,000.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut minutes: BTreeMap<i64, Minute> = BTreeMap::new();
    for (index, reach) in context.reaches.iter().enumerate() {
        let count = reach.count();
        let Some(daily) = context.daily.get(reach.name) else {
            continue;
        };
        if count == 0 {
            continue;
        }
        for day in daily.days.values() {
            for at in &day.occurrences {
                let minute = minutes.entry(at.timestamp().div_euclid(60)).or_default();
                minute.recipients += count;
                minute.sends.push((index, *at));
            }
        }
    }
    // Each notification's busiest minute over the limit: (recipients, when, others then).
    let mut worst: BTreeMap<usize, (usize, DateTime<Tz>, usize)> = BTreeMap::new();
    for minute in minutes.values() {
        if minute.recipients <= RECIPIENTS_PER_MINUTE {
            continue;
        }
        for (index, at) in &minute.sends {
            let busier = worst
                .get(index)
                .is_none_or(|(most, _, _)| minute.recipients > *most);
            if busier {
                worst.insert(*index, (minute.recipients, *at, minute.sends.len() - 1));
            }
        }
    }
    for (index, (recipients, at, others)) in worst {
        let reach = &context.reaches[index];
        let together = match others {
            0 => "this notification reaches".to_owned(),
            1 => "this and 1 other notification reach".to_owned(),
            n => format!("this and {n} other notifications reach"),
        };
        let late = recipients.div_ceil(RECIPIENTS_PER_MINUTE) - 1;
        findings.push(
            Finding::warning(
                "recipients-per-minute",
                format!(
                    "at {} {together} {recipients} people; the platform delivers to {RECIPIENTS_PER_MINUTE} a minute, so the last receive it about {late} minute{} later",
                    at.format("%Y-%m-%d %H:%M %Z"),
                    if late == 1 { "" } else { "s" },
                ),
            )
            .at(&reach.declared.file, &reach.declared.spec.schedule.span)
            .address(Address::notification(reach.name))
            .help("spread the schedules over several minutes if the delay matters"),
        );
    }
}
