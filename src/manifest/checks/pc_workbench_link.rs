//! `pc-workbench-link`: "Open message link in the PC workbench" works only for OA messages
//! (and only for mobile redirection to the app). `open_in: workbench` on any other message
//! type does nothing on the platform: a warning.

use super::Context;
use crate::model::{Address, Finding, Message, OpenIn};

/// Reports `open_in: workbench` on messages other than OA.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        let message = &notification.spec.message.value;
        let Some(open_in) = message.open_in() else {
            continue;
        };
        if open_in.value == OpenIn::Workbench && !matches!(message, Message::Oa(_)) {
            findings.push(
                Finding::warning(
                    "pc-workbench-link",
                    format!(
                        "opening links in the PC workbench works only for OA messages, not `{}`",
                        message.kind()
                    ),
                )
                .at(&notification.file, &open_in.span)
                .address(Address::notification(name))
                .help("use `open_in: sidebar` or `open_in: browser`, or send an `oa` message"),
            );
        }
    }
}
