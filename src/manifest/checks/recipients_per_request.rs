//! `recipients-per-request`: one work-notification request reaches at most 5,000 users
//! (1,000 for a third-party app) and names at most 500 departments. A longer list of users is
//! not an error: the sender splits it into several requests, and the plan says so (a warning,
//! so the reviewer sees that one notification becomes several sends). Departments all go in
//! the first request, so more than 500 is an error; the people they bring are counted at plan
//! time, from the live directory (`plan/rules/recipients_per_request.rs`).

use super::Context;
use crate::model::{Address, AppKind, Finding};

/// Users one request reaches for an app of this kind.
pub fn max_users_per_request(kind: AppKind) -> usize {
    match kind {
        AppKind::Internal => crate::model::limits::RECIPIENTS_PER_REQUEST,
        AppKind::ThirdParty => crate::model::limits::RECIPIENTS_PER_REQUEST_THIRD_PARTY,
    }
}

/// Departments one request may name.
pub const MAX_DEPARTMENTS_PER_REQUEST: usize = crate::model::limits::DEPARTMENTS_PER_REQUEST;

/// Reports user and department lists that need more than one request.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let max_users = max_users_per_request(context.app_kind);
    for (name, notification) in &context.workspace.notifications {
        let Some(work) = notification.spec.via.value.work_notification() else {
            continue;
        };
        if work.users.len() > max_users {
            let count = work.users.len();
            let requests = count.div_ceil(max_users);
            let span = work
                .users
                .first()
                .map_or(&notification.spec.via.span, |u| &u.span);
            findings.push(
                Finding::warning(
                    "recipients-per-request",
                    format!("{count} users is more than one request reaches ({max_users}): each send is split into {requests} requests"),
                )
                .at(&notification.file, span)
                .address(Address::notification(name)),
            );
        }
        // Departments all go in the first request: the runner cannot split them.
        if work.departments.len() > MAX_DEPARTMENTS_PER_REQUEST {
            let span = work
                .departments
                .first()
                .map_or(&notification.spec.via.span, |d| &d.span);
            findings.push(
                Finding::error(
                    "recipients-per-request",
                    format!(
                        "{} departments is more than one request may name ({MAX_DEPARTMENTS_PER_REQUEST}); the platform refuses the request",
                        work.departments.len()
                    ),
                )
                .at(&notification.file, span)
                .address(Address::notification(name))
                .help("name parent departments instead (a department includes its sub-departments), or split the list across notifications"),
            );
        }
    }
}
