//! `group-url-expiry`: a group's join URL is valid 365 days, and changing the owner, the name
//! or other settings makes it expire. Warn on every update that changes one of them, and on
//! refresh when the URL now live was first seen more than 335 days ago.

use chrono::{DateTime, Utc};

use crate::model::limits::{GROUP_URL_DAYS, GROUP_URL_WARN_DAYS};
use crate::model::{Address, Declared, Finding, Group, Span};
use crate::plan::FieldChange;
use crate::plan::refresh::{GroupRead, Live};
use crate::state::ResourceState;

/// Add the warning for an update that changes what makes the join URL expire.
pub fn check(
    address: &Address,
    declared: &Declared<Group>,
    fields: &[FieldChange],
    findings: &mut Vec<Finding>,
) {
    let spec = &declared.spec;
    let expiring: Vec<&str> = fields
        .iter()
        .map(FieldChange::field)
        .filter(|f| *f == "title" || *f == "owner" || f.starts_with("settings."))
        .collect();
    if let Some(first) = expiring.first() {
        let span: &Span = match *first {
            "owner" => &spec.owner.span,
            "title" => &spec.title.span,
            _ => &declared.name.span,
        };
        findings.push(
            Finding::warning(
                "group-url-expiry",
                format!(
                    "changing {} makes the group's join URL stop working",
                    expiring.join(", ")
                ),
            )
            .at(&declared.file, span)
            .address(address)
            .help("share the new join URL after apply (the old one expires at once)"),
        );
    }
}

/// Add the warning for a group whose join URL, unchanged since it was first seen, is older
/// than [`GROUP_URL_WARN_DAYS`] at `now` (the plan's [`now`](crate::plan::PlanOptions::now)).
pub fn check_age(
    address: &Address,
    declared: &Declared<Group>,
    entry: Option<&ResourceState>,
    live: &Live,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) {
    let Some(GroupRead::Found {
        group_url: Some(url),
        ..
    }) = live.groups.get(address)
    else {
        return;
    };
    let Some(entry) = entry else {
        return;
    };
    let (Some(seen_url), Some(since)) = (
        entry.observed.get("group_url"),
        entry.observed.get("group_url_since"),
    ) else {
        return;
    };
    let Ok(since) = DateTime::parse_from_rfc3339(since) else {
        return;
    };
    let age = now.signed_duration_since(since).num_days();
    if url == seen_url && age > GROUP_URL_WARN_DAYS as i64 {
        findings.push(
            Finding::warning(
                "group-url-expiry",
                format!(
                    "the group's join URL is {age} days old and expires after {GROUP_URL_DAYS} days"
                ),
            )
            .at(&declared.file, &declared.name.span)
            .address(address)
            .help("get a new join URL (or QR code) and share it before the old one expires"),
        );
    }
}
