//! `mass-removal`: a plan in which the org chart removes more than a safe share of a group's
//! members is refused unless `--allow-mass-delete` is given, the confirmation the mass-delete
//! guard asks for (issue 17). When a group follows departments (`members_from`), a directory
//! outage, a department emptied by a reorg or a mistyped department id would otherwise empty
//! the group at the next apply.

use crate::model::limits::{MASS_DELETE_PERCENT, is_mass_delete};
use crate::model::{Address, Declared, Finding, Group, Span};

/// Add an error when the org chart takes `removed` of the `members` a group has now.
pub fn check(
    address: &Address,
    declared: &Declared<Group>,
    removed: usize,
    members: usize,
    allow: bool,
    findings: &mut Vec<Finding>,
) {
    if allow || !is_mass_delete(removed, members) {
        return;
    }
    let share = removed as f64 / members as f64;
    let span: &Span = declared
        .spec
        .members_from
        .as_ref()
        .and_then(|from| from.departments.first())
        .map_or(&declared.name.span, |department| &department.span);
    findings.push(
        Finding::error(
            "mass-removal",
            format!(
                "the org chart removes {removed} of the {members} members of {address} ({:.0}%, more than {MASS_DELETE_PERCENT}%)",
                share * 100.0,
            ),
        )
        .at(&declared.file, span)
        .address(address)
        .help("this is usually a directory outage or a reorg: check the departments in DingTalk; if it is intended, run again with --allow-mass-delete"),
    );
}
