//! What is scheduled (from state: what apply registered) and what is due.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::NotifyError;
use crate::model::notification::parse_duration;
use crate::model::schedule::Schedule;
use crate::model::{Message, ResourceKind, Via};
use crate::state::State;

/// The grace window when a notification sets none.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(15 * 60);

/// Most missed occurrences recorded per notification per run (a month of hourly downtime is
/// still reported, as a count, without filling the log).
pub const MAX_MISSED_RECORDED: usize = 1000;

/// The attributes apply stores for `notification.NAME` (`plan::attributes` writes them).
#[derive(Debug, Deserialize)]
struct Registered {
    schedule: String,
    timezone: String,
    via: Value,
    message: Value,
    #[serde(default)]
    grace: Option<String>,
}

/// A notification the runner sends, as apply registered it.
#[derive(Clone, Debug)]
pub struct Scheduled {
    /// Its name (`NAME` of `notification.NAME`).
    pub name: String,
    /// The schedule in its time zone.
    pub schedule: Schedule,
    /// How it is delivered.
    pub via: Via,
    /// What is sent (template variables not yet rendered).
    pub message: Message,
    /// How late an occurrence may still be sent.
    pub grace: Duration,
}

/// Every notification in `state`; those whose registration cannot be read are returned as
/// errors (naming the address) next to the good ones, so one bad entry stops nothing else.
pub fn scheduled(state: &State) -> (Vec<Scheduled>, Vec<NotifyError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (address, resource) in &state.resources {
        let Some(name) = address.name_of(ResourceKind::Notification) else {
            continue;
        };
        match read(name, &resource.attributes) {
            Ok(scheduled) => found.push(scheduled),
            Err(message) => errors.push(NotifyError::Registration {
                address: address.clone(),
                message,
            }),
        }
    }
    (found, errors)
}

fn read(name: &str, attributes: &Value) -> Result<Scheduled, String> {
    let registered: Registered = serde_json::from_value(attributes.clone())
        .map_err(|e| format!("attributes are not a notification: {e}"))?;
    let schedule =
        Schedule::parse(&registered.schedule, &registered.timezone).map_err(|e| e.to_string())?;
    let via: Via = serde_json::from_value(registered.via).map_err(|e| format!("via: {e}"))?;
    via.target().map_err(str::to_owned)?;
    let message: Message =
        serde_json::from_value(registered.message).map_err(|e| format!("message: {e}"))?;
    let grace = match &registered.grace {
        None => DEFAULT_GRACE,
        Some(text) => parse_duration(text)
            .ok_or_else(|| format!("grace `{text}` is not a duration such as 15m, 2h, 90s"))?,
    };
    Ok(Scheduled {
        name: name.to_owned(),
        schedule,
        via,
        message,
        grace,
    })
}

/// The occurrences of a notification the runner must act on at `now`, having looked up to
/// `since` before (`None`: never; then only what is still inside the grace window counts, so a
/// newly applied schedule does not report its whole past as missed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Due {
    /// To send (on time or late within the grace window), oldest first.
    pub send: Vec<DateTime<Utc>>,
    /// Beyond the grace window: to record as missed.
    pub missed: Vec<DateTime<Utc>>,
    /// Missed occurrences beyond [`MAX_MISSED_RECORDED`], counted only.
    pub missed_not_recorded: usize,
    /// Inside the grace window but followed by a later due occurrence: only the latest is sent
    /// (a runner back from downtime sends one message, not one per minute it was away).
    pub superseded: Vec<DateTime<Utc>>,
}

impl Scheduled {
    /// What is due at `now`, given the cursor `since`.
    pub fn due(&self, since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Due {
        let grace = chrono::Duration::from_std(self.grace).unwrap_or(chrono::Duration::days(3650));
        let floor = now - grace;
        // Occurrences in (since, now]: `occurrences` is [from, until), so shift by a second
        // (cron has minute resolution).
        let from = since.map_or(floor, |since| since + chrono::Duration::seconds(1));
        let until = now + chrono::Duration::seconds(1);
        let mut due = Due::default();
        for at in self
            .schedule
            .occurrences(from, until, usize::MAX)
            .into_iter()
            .map(|at| at.with_timezone(&Utc))
        {
            if at >= floor {
                due.send.push(at);
            } else if due.missed.len() < MAX_MISSED_RECORDED {
                due.missed.push(at);
            } else {
                due.missed_not_recorded += 1;
            }
        }
        if let Some(latest) = due.send.pop() {
            // On first sight the earlier ones were never this runner's to send.
            if since.is_some() {
                due.superseded = std::mem::take(&mut due.send);
            }
            due.send = vec![latest];
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn daily_nine() -> Scheduled {
        Scheduled {
            name: "n".into(),
            schedule: Schedule::parse("0 9 * * *", "UTC").unwrap(),
            via: serde_json::from_value(serde_json::json!({"bot": "b", "group": "g"})).unwrap(),
            message: serde_json::from_value(serde_json::json!({"text": {"content": "x"}})).unwrap(),
            grace: DEFAULT_GRACE,
        }
    }

    #[test]
    fn due_splits_on_the_grace_window() {
        let n = daily_nine();
        let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap();
        assert_eq!(n.due(None, at(9, 0)).send, vec![at(9, 0)]);
        assert_eq!(n.due(None, at(8, 59)), Due::default());
        assert_eq!(n.due(Some(at(8, 0)), at(9, 14)).send, vec![at(9, 0)]);
        let late = n.due(Some(at(8, 0)), at(9, 16));
        assert_eq!((late.send.len(), late.missed), (0, vec![at(9, 0)]));
        // Already looked at 9:00: nothing again.
        assert_eq!(n.due(Some(at(9, 0)), at(9, 5)), Due::default());
        // A fresh runner never reports the past beyond the grace window.
        assert_eq!(n.due(None, at(12, 0)), Due::default());
        // Several inside the window: the latest is sent, the others superseded.
        let every = Scheduled {
            schedule: Schedule::parse("*/5 * * * *", "UTC").unwrap(),
            ..n
        };
        let back = every.due(Some(at(8, 59)), at(9, 11));
        assert_eq!(back.send, vec![at(9, 10)]);
        assert_eq!(back.superseded, vec![at(9, 0), at(9, 5)]);
        assert!(every.due(None, at(9, 11)).superseded.is_empty());
    }
}
