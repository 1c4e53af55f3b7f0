//! `rename-without-moved`: a group disbanded under one address and created under another with
//! the same title and type is almost always a rename that forgot its `moved` block. Applied as
//! planned, the old group's chat history and files are lost and its members land in a new,
//! empty group. The plan says so, at the new name, and writes the block to add.

use serde_json::Value;

use crate::model::manifest::Workspace;
use crate::model::{Finding, ResourceKind};
use crate::plan::{Action, Change};

/// Add a warning for each group created with the title and type of a group the plan disbands.
pub fn check(changes: &[Change], workspace: &Workspace, findings: &mut Vec<Finding>) {
    let groups = |action: Action| {
        changes
            .iter()
            .filter(move |c| c.action == action && c.address.kind == ResourceKind::Group)
    };
    for created in groups(Action::Create) {
        let Some(after) = created.after.as_ref() else {
            continue;
        };
        let disbanded = groups(Action::Delete).find(|deleted| {
            deleted
                .before
                .as_ref()
                .is_some_and(|before| same(before, after, "title") && same(before, after, "type"))
        });
        let Some(disbanded) = disbanded else {
            continue;
        };
        let mut finding = Finding::warning(
            "rename-without-moved",
            format!(
                "{} would be disbanded and {} made with the same title: its chat history and files would be lost",
                disbanded.address, created.address
            ),
        )
        .address(created.address.clone())
        .help(format!(
            "if this is a rename, add `moved: [{{from: {}, to: {}}}]`: the group keeps its history, members and id",
            disbanded.address, created.address
        ));
        if let Some(declared) = workspace.groups.get(&created.address.name) {
            finding = finding.at(&declared.file, &declared.name.span);
        }
        findings.push(finding);
    }
}

/// Both have `key` and it is the same (a type left out of the state entry counts as the same).
fn same(before: &Value, after: &Value, key: &str) -> bool {
    match (before.get(key), after.get(key)) {
        (Some(a), Some(b)) => a == b,
        (None, _) | (_, None) => key != "title",
    }
}
