//! What became of occurrences: delivery counts and failures by reason, read from the log
//! (for the runner's report and `dingform notify status`).

use std::collections::BTreeMap;

use super::NotifyError;
use super::delivery::{DeliveryStore, OccurrenceRow, SendStatus};
use crate::model::occurrence::OccurrenceReport;
pub use crate::model::occurrence::Summary;
use crate::state::State;

/// How a send whose results can no longer be asked for is marked.
pub const WINDOW_CLOSED: &str = "result window closed";

/// The summary of one occurrence.
pub async fn summarize(
    log: &dyn DeliveryStore,
    occurrence: &OccurrenceRow,
) -> Result<Summary, NotifyError> {
    let sends = log
        .sends_of(&occurrence.notification, occurrence.occurrence)
        .await?;
    let mut summary = Summary {
        // A request that never reached the platform is not counted as made.
        requests: sends
            .iter()
            .filter(|s| s.status != SendStatus::NotSent)
            .count(),
        ..Summary::default()
    };
    for (rule, who) in &occurrence.refused {
        summary
            .refused
            .entry(rule.clone())
            .or_default()
            .push(who.clone());
    }
    let resent = sends.iter().any(|s| s.attempt > 0);
    for send in &sends {
        if matches!(send.status, SendStatus::Accepted | SendStatus::Sending) {
            summary.pending += 1;
        }
        if send.attempt > 0 {
            summary.resent += send.users.len();
        }
        let Some(result) = &send.result else {
            continue;
        };
        summary.delivered += result.delivered;
        if result
            .bot_status
            .as_deref()
            .is_some_and(|s| s.starts_with(WINDOW_CLOSED))
        {
            summary.unconfirmed += 1;
        }
        if send.attempt > 0 || !resent {
            summary.failed.extend(result.failed.iter().cloned());
        }
        for (user, code) in &result.forbidden {
            summary
                .forbidden
                .entry(code.clone())
                .or_default()
                .push(user.clone());
        }
        summary.invalid.extend(result.invalid.iter().cloned());
        summary.invalid.extend(
            result
                .invalid_departments
                .iter()
                .map(|d| format!("dept:{d}")),
        );
    }
    Ok(summary)
}

/// One line of `notify status`.
#[derive(Clone, Debug)]
pub struct StatusLine {
    /// The occurrence.
    pub occurrence: OccurrenceRow,
    /// Its counts.
    pub summary: Summary,
}

impl StatusLine {
    /// The line as the renderer reads it (the same shape as a cycle's occurrences).
    pub fn report(&self) -> OccurrenceReport {
        OccurrenceReport {
            notification: self.occurrence.notification.clone(),
            occurrence: self.occurrence.occurrence,
            status: self.occurrence.status,
            reason: self.occurrence.reason.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// Each registered notification's time zone, so that its times are shown as its schedule
/// reads them (a schedule in Asia/Shanghai beside times in UTC misleads by eight hours).
pub fn zones(state: &State) -> BTreeMap<String, chrono_tz::Tz> {
    let (scheduled, _) = super::scheduled(state);
    scheduled
        .into_iter()
        .map(|n| (n.name.clone(), n.schedule.timezone()))
        .collect()
}

/// The most recent `limit` occurrences, newest first.
pub async fn recent(log: &dyn DeliveryStore, limit: usize) -> Result<Vec<StatusLine>, NotifyError> {
    let mut lines = Vec::new();
    for occurrence in log.recent_occurrences(limit).await? {
        lines.push(StatusLine {
            summary: summarize(log, &occurrence).await?,
            occurrence,
        });
    }
    Ok(lines)
}

/// `notify status`'s exit policy: whether the latest occurrence shown of any notification
/// (`lines` newest first) failed or has recipients that were not delivered to.
pub fn latest_failed(lines: &[StatusLine]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    lines
        .iter()
        .filter(|line| seen.insert(line.occurrence.notification.as_str()))
        .any(|line| line.occurrence.status.is_failure() || !line.summary.is_clean())
}
