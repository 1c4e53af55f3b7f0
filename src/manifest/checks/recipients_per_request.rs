//! `recipients-per-request`: one work-notification request reaches at most 5,000 users
//! (1,000 for a third-party app) and 500 departments. A longer list is not an error: the
//! sender splits it into several requests, and the plan says so (a warning, so the reviewer
//! sees that one notification becomes several sends).

use super::Context;
use crate::model::{AppKind, Finding};

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
        for (count, max, what, span) in [
            (
                work.users.len(),
                max_users,
                "users",
                work.users.first().map(|u| &u.span),
            ),
            (
                work.departments.len(),
                MAX_DEPARTMENTS_PER_REQUEST,
                "departments",
                work.departments.first().map(|d| &d.span),
            ),
        ] {
            if count > max {
                let requests = count.div_ceil(max);
                findings.push(
                    Finding::warning(
                        "recipients-per-request",
                        format!("{count} {what} is more than one request reaches ({max}): each send is split into {requests} requests"),
                    )
                    .at(&notification.file, span.unwrap_or(&notification.spec.via.span))
                    .address(format!("notification.{name}")),
                );
            }
        }
    }
}
