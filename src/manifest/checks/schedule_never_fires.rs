//! `schedule-never-fires`: a cron expression can be valid and still name a day that never
//! comes (`0 9 30 2 *`, the 30th of February); the notification would never be sent and
//! nothing would say so. An error when a schedule has no occurrence in the next five years
//! (which covers the 29th of February). `dingform explain schedule-never-fires`.

use super::Context;
use crate::model::schedule::Schedule;
use crate::model::{Address, Finding};

/// Years searched for an occurrence.
const YEARS: i64 = 5;

/// Reports schedules with no occurrence.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        let spec = &notification.spec;
        let Ok(schedule) = Schedule::parse(&spec.schedule.value, spec.timezone_name()) else {
            continue; // a schedule that does not parse is a load error of its own
        };
        let until = context.now + chrono::Duration::days(366 * YEARS);
        if !schedule.occurrences(context.now, until, 1).is_empty() {
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
