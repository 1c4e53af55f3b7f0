//! `prevent-destroy`: a group whose manifest (or last apply) says `prevent_destroy: true` is
//! never disbanded by dingform, whether the plan would delete it or replace it (a change of
//! `type` or `template` is a disband and a create: its history and files are lost just the same).
//! Deletes are checked where they are planned; this file checks replaces.

use serde_json::Value;

use crate::model::{Declared, Finding, Group};
use crate::plan::{Action, Change};
use crate::state::ResourceState;

/// Add the error when `change` replaces a protected group.
pub fn check_replace(
    change: &Change,
    declared: &Declared<Group>,
    entry: Option<&ResourceState>,
    findings: &mut Vec<Finding>,
) {
    if change.action != Action::Replace {
        return;
    }
    let recorded = entry
        .and_then(|entry| entry.attributes.get("prevent_destroy"))
        .is_some_and(|value| value == &Value::Bool(true));
    if !declared.spec.prevent_destroy && !recorded {
        return;
    }
    findings.push(
        Finding::error(
            "prevent-destroy",
            format!(
                "{} has prevent_destroy set and would be disbanded and made again",
                change.address
            ),
        )
        .at(&declared.file, &declared.spec.group_type.span)
        .address(change.address.clone())
        .help(
            "a group's type and a scene group's template cannot change in place: keep them, or \
             make the new group under a new name and move people over",
        ),
    );
}
