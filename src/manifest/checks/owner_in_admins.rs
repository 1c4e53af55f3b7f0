//! `owner-in-admins`: the owner of a group is not one of its sub-admins; the platform drops the
//! owner from any sub-admin list, so a manifest that lists the owner in `admins` never matches
//! what is live and every plan shows a change that apply cannot make. An error at the entry.
//! `dingform explain owner-in-admins`.

use super::Context;
use crate::model::{Address, Finding};

/// Reports the owner written in `admins`.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, group) in &context.workspace.groups {
        let owner = &group.spec.owner.value;
        for admin in group
            .spec
            .admins
            .iter()
            .filter(|admin| &admin.value == owner)
        {
            findings.push(
                Finding::error(
                    "owner-in-admins",
                    format!("`{owner}` is the owner and cannot also be a sub-admin"),
                )
                .at(&group.file, &admin.span)
                .address(Address::group(name))
                .related(&group.file, &group.spec.owner.span, "the owner")
                .help("remove the owner from `admins`: an owner has every admin right"),
            );
        }
    }
}
