//! The rule checks made before each work notification, counting what the log says was already
//! sent today (`PLATFORM-RULES.md`): `to-all-user-daily`, `same-content-daily`,
//! `per-user-daily-internal` / `-third-party`, `oa-status-bar-recipients`. What the platform
//! would drop or refuse is refused here, and recorded with the rule id.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::log::{SendRow, SendStatus};
use crate::model::AppKind;

/// `to_all_user` sends a day.
pub const TO_ALL_PER_DAY: usize = 3;
/// Users an OA message with a status bar may go to per request.
pub const STATUS_BAR_USERS: usize = 5;

/// A request about to be made.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The notification.
    pub notification: &'a str,
    /// The occurrence.
    pub occurrence: DateTime<Utc>,
    /// userids, sorted and unique.
    pub users: Vec<String>,
    /// Departments.
    pub departments: &'a [i64],
    /// All users.
    pub to_all: bool,
    /// Fingerprint of the rendered message.
    pub fingerprint: &'a str,
    /// Whether it is an OA message with a status bar.
    pub status_bar: bool,
}

/// What the checks leave of a request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    /// The users it may still go to.
    pub users: Vec<String>,
    /// Recipients refused: (rule id, userid or target).
    pub refused: Vec<(String, String)>,
    /// The whole request is refused: (rule id, why).
    pub blocked: Option<(String, String)>,
}

/// Check `request` against `today` (every send row of the day).
pub fn check(request: Request<'_>, today: &[SendRow], app_kind: AppKind) -> Checked {
    let mut checked = Checked::default();
    if request.status_bar
        && (request.users.len() > STATUS_BAR_USERS
            || !request.departments.is_empty()
            || request.to_all)
    {
        checked.blocked = Some((
            "oa-status-bar-recipients".into(),
            format!(
                "an OA message with a status bar may go to at most {STATUS_BAR_USERS} users, not departments or all users"
            ),
        ));
        return checked;
    }
    let earlier: Vec<&SendRow> = today
        .iter()
        .filter(|row| {
            !(row.notification == request.notification && row.occurrence == request.occurrence)
        })
        .filter(|row| !matches!(row.status, SendStatus::Failed | SendStatus::NotSent))
        .collect();
    if request.to_all {
        let to_all = earlier
            .iter()
            .filter(|row| row.to_all && row.attempt == 0)
            .count();
        if to_all >= TO_ALL_PER_DAY {
            checked.blocked = Some((
                "to-all-user-daily".into(),
                format!(
                    "already sent to all users {to_all} times today (at most {TO_ALL_PER_DAY})"
                ),
            ));
            return checked;
        }
    }
    let wide_repeat = earlier.iter().any(|row| {
        row.fingerprint == request.fingerprint
            && ((request.to_all && row.to_all)
                || row
                    .departments
                    .iter()
                    .any(|d| request.departments.contains(d)))
    });
    if wide_repeat {
        checked.blocked = Some((
            "same-content-daily".into(),
            "the same content already went to these departments or all users today".into(),
        ));
        return checked;
    }
    let limit = app_kind.daily_messages_per_user() as usize;
    let rule = match app_kind {
        AppKind::Internal => "per-user-daily-internal",
        AppKind::ThirdParty => "per-user-daily-third-party",
    };
    let wanted: BTreeSet<&str> = request.users.iter().map(String::as_str).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut same: BTreeSet<&str> = BTreeSet::new();
    for row in &earlier {
        for user in &row.users {
            if let Some(user) = wanted.get(user.as_str()) {
                *counts.entry(user).or_default() += 1;
                if row.fingerprint == request.fingerprint {
                    same.insert(user);
                }
            }
        }
    }
    for user in &request.users {
        if same.contains(user.as_str()) {
            checked
                .refused
                .push(("same-content-daily".into(), user.clone()));
        } else if counts.get(user.as_str()).copied().unwrap_or(0) >= limit {
            checked.refused.push((rule.into(), user.clone()));
        } else {
            checked.users.push(user.clone());
        }
    }
    if checked.users.is_empty() && request.departments.is_empty() && !request.to_all {
        checked.blocked = Some((
            checked
                .refused
                .first()
                .map_or("recipients".into(), |(rule, _)| rule.clone()),
            "every recipient was refused by the daily limits".into(),
        ));
    }
    checked
}
