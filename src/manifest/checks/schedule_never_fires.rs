//! `schedule-never-fires`: a cron expression can be valid and still name a day that never
//! comes (`0 9 30 2 *`, the 30th of February); the notification would never be sent and
//! nothing would say so. An error when a schedule has no occurrence in the next five years
//! (which covers the 29th of February). `dingform explain schedule-never-fires`.

use std::collections::HashMap;

use super::Context;
use crate::model::schedule::Schedule;
use crate::model::{Address, Finding};

/// Years searched for an occurrence.
const YEARS: i64 = 5;

/// Reports schedules with no occurrence.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let until = context.now + chrono::Duration::days(366 * YEARS);
    // Many notifications share a schedule: each (expression, zone) is searched once.
    let mut fires: HashMap<(&str, &str), bool> = HashMap::new();
    for (name, notification) in &context.workspace.notifications {
        let spec = &notification.spec;
        let key = (spec.schedule.value.as_str(), spec.timezone_name());
        let fires = *fires.entry(key).or_insert_with(|| {
            // A schedule that does not parse is a load error of its own.
            Schedule::parse(key.0, key.1).map_or(true, |schedule| {
                !schedule.occurrences(context.now, until, 1).is_empty()
            })
        });
        if fires {
            continue;
        }
        findings.push(
            Finding::error(
                "schedule-never-fires",
                format!(
                    "schedule `{}` has no occurrence in the next {YEARS} years",
                    spec.schedule.value
                ),
            )
            .at(&notification.file, &spec.schedule.span)
            .address(Address::notification(name))
            .help("the day of month does not exist in the months named; fix the day or the month"),
        );
    }
}
