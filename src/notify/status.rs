//! What became of occurrences: delivery counts and failures by reason, read from the log
//! (for the runner's report and `dingform notify status`).

use std::collections::BTreeMap;

use super::NotifyError;
use super::delivery::{DeliveryStore, OccurrenceRow, SendStatus};

/// How a send whose results can no longer be asked for is marked.
pub const WINDOW_CLOSED: &str = "result window closed";

/// Delivery counts and failures of one occurrence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Requests made (batches and resends).
    pub requests: usize,
    /// Recipients delivered to (a bot message counts 1).
    pub delivered: usize,
    /// Users resent to after a failed delivery.
    pub resent: usize,
    /// Users still failed (after the one resend).
    pub failed: Vec<String>,
    /// Users the platform refused, by its reason code (143105 daily limit, 143106 same
    /// content).
    pub forbidden: BTreeMap<String, Vec<String>>,
    /// Users (and departments, as `dept:ID`) that do not exist.
    pub invalid: Vec<String>,
    /// Users the runner's own rule checks refused before sending, by rule id.
    pub refused: BTreeMap<String, Vec<String>>,
    /// Requests not yet followed up.
    pub pending: usize,
    /// Requests whose results were no longer available (past the 24-hour window).
    pub unconfirmed: usize,
}

impl Summary {
    /// No recipient failed, was forbidden, invalid or refused.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty()
            && self.forbidden.is_empty()
            && self.invalid.is_empty()
            && self.refused.is_empty()
            && self.unconfirmed == 0
    }

    /// One line: `failed 3 (after one resend: u1, u2, u3), forbidden 143106: 2 (u4, u5)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.failed.is_empty() {
            parts.push(format!(
                "failed {} (after one resend: {})",
                self.failed.len(),
                some(&self.failed)
            ));
        }
        for (code, users) in &self.forbidden {
            parts.push(format!(
                "forbidden {} {code}: {} ({})",
                forbidden_reason(code),
                users.len(),
                some(users)
            ));
        }
        if !self.invalid.is_empty() {
            parts.push(format!(
                "invalid {} ({})",
                self.invalid.len(),
                some(&self.invalid)
            ));
        }
        for (rule, users) in &self.refused {
            parts.push(format!("refused {rule}: {} ({})", users.len(), some(users)));
        }
        if self.unconfirmed > 0 {
            parts.push(format!(
                "unconfirmed {} request(s) (results are kept 24 hours)",
                self.unconfirmed
            ));
        }
        parts.join(", ")
    }
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
        text.push_str(&format!(" and {} more", unique.len() - 5));
    }
    text
}

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

impl std::ops::AddAssign<&Summary> for Summary {
    /// Counts add up; the lists of failed, forbidden, invalid and refused users are joined.
    fn add_assign(&mut self, other: &Summary) {
        self.requests += other.requests;
        self.delivered += other.delivered;
        self.resent += other.resent;
        self.pending += other.pending;
        self.unconfirmed += other.unconfirmed;
        self.failed.extend(other.failed.iter().cloned());
        self.invalid.extend(other.invalid.iter().cloned());
        for (code, users) in &other.forbidden {
            let list = self.forbidden.entry(code.clone()).or_default();
            list.extend(users.iter().cloned());
        }
        for (rule, users) in &other.refused {
            let list = self.refused.entry(rule.clone()).or_default();
            list.extend(users.iter().cloned());
        }
    }
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
