//! `group-member-limit`: a group holds at most 1,000 members (the platform answers
//! `member.exceed` / 665033 past that). A manifest whose owner, admins and members add up to
//! more is an error. DingTalk also takes at most 12 admins per call; more admins than that is
//! an error too (`subAdminNumberExcessive`).

use super::Context;
use crate::model::{Address, Finding};

/// Most members a group may have.
pub const MAX_MEMBERS: usize = crate::model::limits::GROUP_MEMBERS;
/// Most admins DingTalk sets in one call.
pub const MAX_ADMINS: usize = crate::model::limits::GROUP_ADMINS;

/// Reports groups with too many members or admins.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, group) in &context.workspace.groups {
        let spec = &group.spec;
        // The owner, admins and members without repeats number at most all of them: when
        // those are few enough, counting them without repeats (a set per group) is spared.
        let at_most = 1 + spec.admins.len() + spec.members.len();
        if at_most <= MAX_MEMBERS && spec.admins.len() <= MAX_ADMINS {
            continue;
        }
        let members = spec.all_members().len();
        let address = Address::group(name);
        if members > MAX_MEMBERS {
            let span = group
                .spec
                .members
                .first()
                .map_or(&group.name.span, |member| &member.span);
            findings.push(
                Finding::error(
                    "group-member-limit",
                    format!(
                        "the group would have {members} members; DingTalk allows {MAX_MEMBERS}"
                    ),
                )
                .at(&group.file, span)
                .address(&address)
                .help("split the group, or use a work notification to reach everyone"),
            );
        }
        if group.spec.admins.len() > MAX_ADMINS {
            findings.push(
                Finding::error(
                    "group-member-limit",
                    format!(
                        "{} admins; DingTalk allows {MAX_ADMINS} per group",
                        group.spec.admins.len()
                    ),
                )
                .at(&group.file, &group.spec.admins[MAX_ADMINS].span)
                .address(&address),
            );
        }
    }
}
