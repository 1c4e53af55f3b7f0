//! What `dingform notify run` and `dingform notify status` tell a person: a line per
//! occurrence acted on (its time in its schedule's zone, its status, delivery counts and
//! failures by reason), runs of missed occurrences folded into one line, and for `status`
//! the totals per notification.
//!
//! Functions of the [`CycleReport`] and of the occurrences the log holds; whether they make
//! the command fail is decided in `notify` ([`CycleReport::is_success`],
//! `notify::status::latest_failed`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::model::humanize;
use crate::model::occurrence::{CycleReport, OccurrenceReport, OccurrenceStatus, Summary};

/// Each notification's time zone (`notify::status::zones`): its times are shown as its
/// schedule reads them, and in UTC when it is not registered any more.
pub type Zones = BTreeMap<String, Tz>;

/// What `notify run` says on stderr when it starts as a service.
pub fn serving() -> &'static str {
    "dingform notify: running (Ctrl-C or SIGTERM to stop)"
}

/// What `notify run` says on stderr once a signal stopped it, as its last line.
pub fn stopped() -> &'static str {
    "dingform notify: stopped"
}

/// More missed occurrences of one notification than this are shown as one line.
const MISSED_SHOWN: usize = 3;

/// A cycle's occurrences, one line each, then the pace it waited for (for stdout); `nothing
/// due` when it acted on nothing.
pub fn cycle(report: &CycleReport, zones: &Zones) -> String {
    let mut out = String::new();
    let mut missed: BTreeMap<&str, Vec<&OccurrenceReport>> = BTreeMap::new();
    for occurrence in &report.occurrences {
        if occurrence.status == OccurrenceStatus::Missed {
            missed
                .entry(occurrence.notification.as_str())
                .or_default()
                .push(occurrence);
        }
    }
    let folded = |name: &str| missed.get(name).is_some_and(|all| all.len() > MISSED_SHOWN);
    for (name, occurrences) in &missed {
        if let ([first, ..], [.., last]) = (occurrences.as_slice(), occurrences.as_slice())
            && folded(name)
        {
            let _ = writeln!(
                out,
                "notification.{name}: {} occurrences missed, {} … {} (beyond the grace window: not sent)",
                occurrences.len(),
                show(zones, name, first.occurrence),
                show(zones, name, last.occurrence)
            );
        }
    }
    for occurrence in &report.occurrences {
        if occurrence.status == OccurrenceStatus::Missed && folded(&occurrence.notification) {
            continue;
        }
        let _ = writeln!(
            out,
            "notification.{} {} {}",
            occurrence.notification,
            show(zones, &occurrence.notification, occurrence.occurrence),
            outcome(occurrence)
        );
    }
    if report.paced > Duration::from_secs(1) {
        let _ = writeln!(
            out,
            "paced to the platform's 5,000 recipients a minute: waited {}s",
            report.paced.as_secs()
        );
    }
    if report.occurrences.is_empty() && report.errors.is_empty() {
        out.push_str("nothing due\n");
    }
    out
}

/// A cycle's problems that are not one occurrence's (for stderr).
pub fn cycle_errors(report: &CycleReport) -> String {
    report
        .errors
        .iter()
        .map(|error| format!("error: {error}\n"))
        .collect()
}

/// `notify status`: the occurrences (newest first), one line each, then per notification its
/// occurrences by status and its delivery counts added up; `no deliveries yet` when there are
/// none.
pub fn status(occurrences: &[OccurrenceReport], zones: &Zones) -> String {
    if occurrences.is_empty() {
        return "no deliveries yet\n".to_owned();
    }
    let mut out = String::new();
    for occurrence in occurrences {
        let _ = writeln!(
            out,
            "{}  notification.{}  {}",
            show(zones, &occurrence.notification, occurrence.occurrence),
            occurrence.notification,
            outcome(occurrence)
        );
    }
    let mut totals: BTreeMap<&str, (BTreeMap<&str, usize>, Summary)> = BTreeMap::new();
    for occurrence in occurrences {
        let (by_status, sum) = totals.entry(occurrence.notification.as_str()).or_default();
        *by_status.entry(occurrence.status.as_str()).or_default() += 1;
        *sum += &occurrence.summary;
    }
    out.push('\n');
    for (name, (by_status, sum)) in &totals {
        let statuses: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let _ = writeln!(
            out,
            "notification.{name}: {}; {}",
            statuses.join(", "),
            counts(sum)
        );
    }
    out
}

/// `notify status` before the first send made the delivery log (`path`, a file).
pub fn no_log(path: &std::path::Path) -> String {
    format!("no deliveries yet ({} does not exist)\n", path.display())
}

/// `delivered: 5 delivered, 1 request (the reason)`.
fn outcome(occurrence: &OccurrenceReport) -> String {
    let reason = occurrence
        .reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    format!(
        "{}: {}{reason}",
        occurrence.status.as_str(),
        counts(&occurrence.summary)
    )
}

/// `at` in the zone of `notification`, else in UTC as the log keeps it.
fn show(zones: &Zones, notification: &str, at: DateTime<Utc>) -> String {
    match zones.get(notification) {
        Some(zone) => humanize::in_zone(at, *zone),
        None => at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// `5 delivered, 2 requests, 1 resent, 1 awaiting results; failed 1 (after one resend: u1)`.
fn counts(summary: &Summary) -> String {
    let mut text = format!(
        "{} delivered, {} request{}",
        summary.delivered,
        summary.requests,
        if summary.requests == 1 { "" } else { "s" }
    );
    if summary.resent > 0 {
        let _ = write!(text, ", {} resent", summary.resent);
    }
    if summary.pending > 0 {
        let _ = write!(text, ", {} awaiting results", summary.pending);
    }
    let failures = failures(summary);
    if !failures.is_empty() {
        text.push_str("; ");
        text.push_str(&failures);
    }
    text
}

/// One line: `failed 3 (after one resend: u1, u2, u3), forbidden same-content-daily 143106: 2
/// (u4, u5)`.
fn failures(summary: &Summary) -> String {
    let mut parts = Vec::new();
    if !summary.failed.is_empty() {
        parts.push(format!(
            "failed {} (after one resend: {})",
            summary.failed.len(),
            some(&summary.failed)
        ));
    }
    for (code, users) in &summary.forbidden {
        parts.push(format!(
            "forbidden {} {code}: {} ({})",
            forbidden_reason(code),
            users.len(),
            some(users)
        ));
    }
    if !summary.invalid.is_empty() {
        parts.push(format!(
            "invalid {} ({})",
            summary.invalid.len(),
            some(&summary.invalid)
        ));
    }
    for (rule, users) in &summary.refused {
        parts.push(format!("refused {rule}: {} ({})", users.len(), some(users)));
    }
    if summary.unconfirmed > 0 {
        parts.push(format!(
            "unconfirmed {} request(s) (results are kept 24 hours)",
            summary.unconfirmed
        ));
    }
    parts.join(", ")
}

/// The platform's forbidden codes, by rule.
fn forbidden_reason(code: &str) -> &'static str {
    match code {
        "143105" => "per-user-daily",
        "143106" => "same-content-daily",
        _ => "by the platform",
    }
}

/// Up to five distinct ids, then how many more.
fn some(ids: &[String]) -> String {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect();
    let mut text = unique
        .iter()
        .take(5)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if unique.len() > 5 {
        let _ = write!(text, " and {} more", unique.len() - 5);
    }
    text
}
