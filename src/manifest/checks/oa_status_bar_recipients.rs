//! `oa-status-bar-recipients`: an OA message with a status bar may go to at most 5 users per
//! request, because the platform prepares every copy for later status updates. Departments
//! and all users count as more than 5. An error: the platform refuses the request.

use super::Context;
use crate::model::{Address, Finding, Message};

/// Most users an OA message with a status bar may go to.
pub const MAX_STATUS_BAR_RECIPIENTS: usize = crate::model::limits::STATUS_BAR_RECIPIENTS;

/// Reports OA messages with a status bar sent to more than 5 users.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        let Message::Oa(oa) = &notification.spec.message.value else {
            continue;
        };
        if oa.status_bar.is_none() {
            continue;
        }
        let Some(work) = notification.spec.via.value.work_notification() else {
            continue;
        };
        let too_many = if work.reaches_beyond_users() {
            Some("departments or all users".to_owned())
        } else if work.users.len() > MAX_STATUS_BAR_RECIPIENTS {
            Some(format!("{} users", work.users.len()))
        } else {
            None
        };
        if let Some(recipients) = too_many {
            findings.push(
                Finding::error(
                    "oa-status-bar-recipients",
                    format!("an OA message with a status bar may go to at most {MAX_STATUS_BAR_RECIPIENTS} users, not {recipients}"),
                )
                .at(&notification.file, work.recipients_span().unwrap_or(&notification.spec.via.span))
                .address(Address::notification(name))
                .help("remove the `status_bar`, or send to at most 5 listed users"),
            );
        }
    }
}
