//! `import-already-managed`: an `import` block names a group that another address of this
//! workspace already manages. Adopting it twice would make the two addresses fight over one
//! group forever (each apply rewriting it to its own manifest), so the plan refuses, as
//! `dingform import` does.

use serde_json::Value;

use crate::model::Finding;
use crate::model::manifest::{Import, InFile};
use crate::plan::{Action, Change};
use crate::state::State;

/// Add an error for each import change whose group is already in `state` under another address.
pub fn check(
    changes: &[Change],
    state: &State,
    imports: &[InFile<Import>],
    findings: &mut Vec<Finding>,
) {
    for change in changes.iter().filter(|c| c.action == Action::Import) {
        let Some(import) = change.after.as_ref().and_then(|after| after.get("import")) else {
            continue;
        };
        let ids: Vec<&str> = ["open_conversation_id", "chat_id"]
            .iter()
            .filter_map(|key| import.get(*key).and_then(Value::as_str))
            .collect();
        let managed = state.resources.iter().find(|(address, entry)| {
            **address != change.address
                && ids.iter().any(|id| {
                    entry.id.as_deref() == Some(*id) || entry.ids.values().any(|known| known == id)
                })
        });
        let Some((managed, _)) = managed else {
            continue;
        };
        let mut finding = Finding::error(
            "import-already-managed",
            format!(
                "{}: the group to import is already managed as `{managed}`",
                change.address
            ),
        )
        .address(change.address.clone())
        .help(format!(
            "to rename `{managed}`, write `moved: [{{from: {managed}, to: {}}}]` instead of importing",
            change.address
        ));
        if let Some(block) = imports.iter().find(|b| change.address == *b.block.to.value) {
            finding = finding.at(&block.file, &block.block.id.span);
        }
        findings.push(finding);
    }
}
