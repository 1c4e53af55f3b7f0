//! `standard-group-departed`: only Internal Groups remove members automatically when they
//! leave the organization; a Standard Group's members are bound to nothing. Asking a standard
//! group for `remove_departed_members: true` asks for something the platform cannot do.

use super::Context;
use crate::model::{Address, Finding, GroupType};

/// Reports standard groups that ask for automatic removal of departed members.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, group) in &context.workspace.groups {
        let Some(remove) = &group.spec.remove_departed_members else {
            continue;
        };
        if remove.value && group.spec.group_type.value == GroupType::Standard {
            findings.push(
                Finding::error(
                    "standard-group-departed",
                    "a standard group cannot remove departed members automatically",
                )
                .at(&group.file, &remove.span)
                .address(Address::group(name))
                .help("only internal groups do this: make it `type: internal`, or list members with `members_policy: exact` so plan removes departed ones explicitly"),
            );
        }
    }
}
