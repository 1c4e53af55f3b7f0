//! `standard-group-departed`: only internal groups drop members who leave the organization;
//! standard groups keep them. Warn when a standard group's live members include people who
//! left (their removal is planned when the manifest lists members exactly). Asking for
//! automatic removal on a standard group is a static error found by `validate`.

use crate::model::group::Policy;
use crate::model::{Declared, Finding, Group, GroupType};
use crate::plan::attributes::GroupAttributes;
use crate::plan::refresh::Live;

/// Add the warning for one standard group.
pub fn check(
    address: &str,
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
    let planned = if declared.spec.members_policy == Policy::Exact {
        "their removal is planned"
    } else {
        "members_policy is additive, so they stay until removed by hand"
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
