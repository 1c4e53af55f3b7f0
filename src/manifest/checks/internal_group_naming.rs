//! `internal-group-naming`: an organization's Internal Group is named
//! `"<organization name> [Internal Group]"` (the FAQ's instructions for bots rely on it). An
//! internal group titled otherwise is a warning, with the expected title as help.

use super::Context;
use crate::model::{Address, Finding, GroupType};

/// The title DingTalk gives an organization's internal group.
pub fn expected_title(organization: &str) -> String {
    format!("{organization} [Internal Group]")
}

/// Reports internal groups whose title is not the expected form.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(organization) = context.workspace.organization() else {
        return;
    };
    let expected = expected_title(organization);
    for (name, group) in &context.workspace.groups {
        if group.spec.group_type.value == GroupType::Internal && group.spec.title.value != expected
        {
            findings.push(
                Finding::warning(
                    "internal-group-naming",
                    format!("an internal group of {organization} is titled \"{expected}\""),
                )
                .at(&group.file, &group.spec.title.span)
                .address(Address::group(name))
                .help(format!("title: \"{expected}\"")),
            );
        }
    }
}
