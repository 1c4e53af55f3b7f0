//! `group-member-limit` with `members_policy: additive` / `admins_policy: additive`: the
//! platform counts every member of the group, not only those the manifest lists, so the caps
//! (1,000 members, `member.exceed` / 665033; 12 sub-admins, `subAdminNumberExcessive`) apply
//! to what is live plus what the plan adds. `validate` checks the manifest alone; this checks
//! the union the refresh read. `dingform explain group-member-limit`.

use std::collections::BTreeSet;

use crate::manifest::checks::group_member_limit::{MAX_ADMINS, MAX_MEMBERS};
use crate::model::group::Policy;
use crate::model::{Address, Declared, Finding, Group};
use crate::plan::attributes::GroupAttributes;

/// Add an error when live ∪ added is over a cap under an additive policy.
pub fn check(
    address: &Address,
    declared: &Declared<Group>,
    desired: &GroupAttributes,
    live: &GroupAttributes,
    findings: &mut Vec<Finding>,
) {
    let spec = &declared.spec;
    let union = |live: &[String], desired: &[String]| -> usize {
        live.iter().chain(desired).collect::<BTreeSet<_>>().len()
    };
    if spec.members_policy == Policy::Additive {
        let members = union(&live.members, &desired.members);
        if members > MAX_MEMBERS {
            let span = spec
                .members
                .first()
                .map_or(&declared.name.span, |member| &member.span);
            findings.push(
                Finding::error(
                    "group-member-limit",
                    format!(
                        "with the {} members live and those added, the group would have {members} members; DingTalk allows {MAX_MEMBERS}",
                        live.members.len()
                    ),
                )
                .at(&declared.file, span)
                .address(address)
                .help("members_policy is additive, so live members stay: remove some, or list members exactly"),
            );
        }
    }
    if spec.admins_policy == Policy::Additive {
        let owner = |id: &&String| **id != desired.owner;
        let admins: BTreeSet<&String> = live
            .admins
            .iter()
            .chain(&desired.admins)
            .filter(owner)
            .collect();
        if admins.len() > MAX_ADMINS {
            let span = spec
                .admins
                .first()
                .map_or(&declared.name.span, |admin| &admin.span);
            findings.push(
                Finding::error(
                    "group-member-limit",
                    format!(
                        "with the live admins and those added, the group would have {} admins; DingTalk allows {MAX_ADMINS}",
                        admins.len()
                    ),
                )
                .at(&declared.file, span)
                .address(address)
                .help("admins_policy is additive, so live admins stay: remove some, or list admins exactly"),
            );
        }
    }
}
