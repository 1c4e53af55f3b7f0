//! What became of a notification's occurrences: the status of each, its delivery counts, and
//! what one runner cycle did. The runner and `notify status` fill these in (they own the
//! decisions, [`CycleReport::is_success`] among them); `render::notify_report` shows them, so
//! they live here, below both.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What became of an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceStatus {
    /// Claimed by a runner that is sending it (or crashed while doing so).
    Claimed,
    /// Every request was accepted; results are still to be followed up.
    Sent,
    /// Followed up: delivered to everyone it could reach.
    Delivered,
    /// Followed up: some recipients were failed, forbidden, invalid or refused.
    Incomplete,
    /// A request was refused or errored, nothing reached the platform for it.
    Failed,
    /// The rule checks refused it before sending (what the platform would drop).
    Refused,
    /// A request may have reached the platform but no id was recorded: never resent.
    Unknown,
    /// Older than its grace window when the runner saw it: not sent.
    Missed,
    /// A request certainly did not reach the platform (no access token could be had, the
    /// connection was refused): sent again by the next cycle within the grace window.
    NotSent,
}

impl OccurrenceStatus {
    /// Its name in the log and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Incomplete => "incomplete",
            Self::Failed => "failed",
            Self::Refused => "refused",
            Self::Unknown => "unknown",
            Self::Missed => "missed",
            Self::NotSent => "not_sent",
        }
    }

    /// Read back its name in the log (anything unknown reads as the first state).
    pub fn parse(text: &str) -> Self {
        match text {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "incomplete" => Self::Incomplete,
            "failed" => Self::Failed,
            "refused" => Self::Refused,
            "unknown" => Self::Unknown,
            "missed" => Self::Missed,
            "not_sent" => Self::NotSent,
            _ => Self::Claimed,
        }
    }

    /// Whether this outcome is a failure the runner reports (exit 1).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Self::Incomplete
                | Self::Failed
                | Self::Refused
                | Self::Unknown
                | Self::Missed
                | Self::NotSent
        )
    }
}

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

/// What became of one occurrence in a cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct OccurrenceReport {
    /// The notification.
    pub notification: String,
    /// The occurrence (UTC).
    pub occurrence: DateTime<Utc>,
    /// Its status after the cycle.
    pub status: OccurrenceStatus,
    /// Why, for failures.
    pub reason: Option<String>,
    /// Delivery counts and failures by reason.
    pub summary: Summary,
}

/// What a cycle did.
#[derive(Clone, Debug, Default)]
pub struct CycleReport {
    /// Occurrences acted on (sent, missed, recovered, followed up), in order.
    pub occurrences: Vec<OccurrenceReport>,
    /// Problems that are not one occurrence's (an unreadable registration, a follow-up query
    /// that failed and will be retried).
    pub errors: Vec<String>,
    /// Time spent waiting for the per-minute pace.
    pub paced: Duration,
}

impl CycleReport {
    /// Whether everything acted on went out (exit 0).
    pub fn is_success(&self) -> bool {
        self.errors.is_empty()
            && self
                .occurrences
                .iter()
                .all(|o| !o.status.is_failure() && o.summary.is_clean())
    }
}
