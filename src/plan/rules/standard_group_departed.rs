//! `standard-group-departed`: only internal groups drop members who leave the organization;
//! standard groups keep them. Warn when a standard group's live members include people who
//! left (their removal is planned when the manifest lists members exactly). Asking for
//! automatic removal on a standard group is a static error found by `validate`.

use crate::model::group::Policy;
use crate::model::{Address, Declared, Finding, Group, GroupType};
use crate::plan::attributes::GroupAttributes;
use crate::plan::refresh::Live;

/// Add the warning for one standard group.
pub fn check(
    address: &Address,
    declared: &Declared<Group>,
    live_group: &GroupAttributes,
    live: &Live,
    findings: &mut Vec<Finding>,
) {
    if declared.spec.group_type.value != GroupType::Standard {
        return;
    }
    let departed: Vec<&str> = live_group
        .members
        .iter()
        .filter(|m| live.departed.contains(*m))
        .map(String::as_str)
        .collect();
    if departed.is_empty() {
        return;
    }
    // Under `exact`, a departed member the manifests still list (as member, admin or owner)
    // stays: only the others are planned for removal. Say which is which.
    let spec = &declared.spec;
    let listed = |user: &str| {
        spec.owner.value == user
            || spec
                .members
                .iter()
                .chain(&spec.admins)
                .any(|m| m.value == user)
    };
    let (removed, kept): (Vec<&str>, Vec<&str>) = departed
        .iter()
        .partition(|user| spec.members_policy == Policy::Exact && !listed(user));
    let planned = match (removed.is_empty(), kept.is_empty()) {
        (false, true) => "their removal is planned".to_owned(),
        (false, false) => format!(
            "the removal of {} is planned; {} stay{}, as the manifest lists them",
            removed.join(", "),
            kept.join(", "),
            if kept.len() == 1 { "s" } else { "" }
        ),
        _ if spec.members_policy == Policy::Exact => {
            "they stay, as the manifest lists them: remove them from `members` to remove them from the group".to_owned()
        }
        _ => "members_policy is additive, so they stay until removed by hand".to_owned(),
    };
    findings.push(
        Finding::warning(
            "standard-group-departed",
            format!(
                "standard group keeps members who left the organization: {} ({planned})",
                departed.join(", ")
            ),
        )
        .at(&declared.file, &declared.name.span)
        .address(address)
        .help("standard groups never drop departed users; internal groups do it automatically"),
    );
}
