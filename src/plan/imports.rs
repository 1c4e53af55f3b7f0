//! `import` blocks in the plan: a group the block adopts is planned as if state already held
//! it, so the changes needed to match the manifest show, then marked as an import.

use std::collections::BTreeMap;

use serde_json::Value;

use super::attributes::{GroupAttributes, to_object};
use super::build::plan_group;
use super::refresh::{GroupRead, ImportRead, Live};
use super::{Action, Change};
use crate::model::humanize::a_or_an;
use crate::model::manifest::{Import, InFile};
use crate::model::{Address, Declared, Finding, Group};

/// A group an `import` block adopts: planned as if state already held it (so the changes
/// needed to match the manifest show), then marked as an import of the block's id.
#[expect(clippy::too_many_arguments, reason = "mirrors plan_group")]
pub(super) fn plan_import(
    address: &Address,
    declared: &Declared<Group>,
    desired: &GroupAttributes,
    read: &ImportRead,
    live: &Live,
    imports: &[InFile<Import>],
    scope: &super::build::CreationScope<'_>,
    findings: &mut Vec<Finding>,
) -> Change {
    let block = import_block(address, imports);
    let unread = |findings: &mut Vec<Finding>, finding: Finding| {
        findings.push(finding.at(&block.file, &block.span).address(address));
        Change {
            address: address.clone(),
            action: Action::Import,
            before: None,
            after: Some(Value::Object(to_object(desired))),
            fields: Vec::new(),
            from: Some(block.id.clone()),
            notes: Vec::new(),
        }
    };
    let (attributes, open_conversation_id, chat_id) = match read {
        ImportRead::Found {
            attributes,
            open_conversation_id,
            chat_id,
        } => (attributes, open_conversation_id, chat_id),
        ImportRead::Missing(reason) => {
            return unread(
                findings,
                Finding::error(
                    "import-not-found",
                    format!(
                        "{address}: DingTalk has no group `{}` to import ({reason})",
                        block.id
                    ),
                )
                .help("check the id: an open conversation id (cid…) or a chat id (chat…)"),
            );
        }
        ImportRead::NeedsChatId => {
            return unread(
                findings,
                Finding::error(
                    "import-needs-chat-id",
                    format!(
                        "{address}: `{}` is not a scene group, and an internal or standard group is imported by its chat id",
                        block.id
                    ),
                )
                .help("DingTalk reads and updates internal and standard groups by chat id (chat…): write that id in the import block"),
            );
        }
    };
    let mut entry = crate::state::ResourceState {
        id: Some(open_conversation_id.clone()),
        attributes: serde_json::json!({"type": attributes.group_type}),
        ..Default::default()
    };
    if let Some(chat_id) = chat_id {
        entry.ids.insert("chat_id".into(), chat_id.clone());
    }
    let mut seen = Live {
        groups: BTreeMap::new(),
        robots: live.robots.clone(),
        bot_names: live.bot_names.clone(),
        departed: live.departed.clone(),
        imports: BTreeMap::new(),
        directory: live.directory.clone(),
        names: live.names.clone(),
        reads: 0,
    };
    seen.groups.insert(
        address.to_owned(),
        GroupRead::Found {
            attributes: attributes.clone(),
            group_url: None,
        },
    );
    let mut change = plan_group(
        address,
        declared,
        desired,
        Some(&entry),
        0,
        &seen,
        imports,
        scope,
        findings,
    );
    if change.action == Action::Replace {
        findings.push(
            Finding::error(
                "import-mismatch",
                format!("{address}: the group to import is {} {} group, the manifest declares {} {} group", a_or_an(&attributes.group_type), attributes.group_type, a_or_an(&desired.group_type), desired.group_type),
            )
            .at(&declared.file, &declared.spec.group_type.span)
            .address(address)
            .help("declare the type the group has: importing must never disband it"),
        );
    }
    change.action = Action::Import;
    // The import records the manifest's protection with the rest of what it applies.
    change
        .fields
        .retain(|field| !super::protection::is_state_only(field));
    change.from = Some(block.id);
    change
        .notes
        .retain(|note| !note.contains("drift") && !note.contains("first seen"));
    if let Some(Value::Object(after)) = &mut change.after {
        after.remove("uuid");
        after.remove("generation");
        after.insert(
            "import".into(),
            serde_json::json!({"open_conversation_id": open_conversation_id, "chat_id": chat_id}),
        );
    }
    change
}

struct ImportBlock {
    id: String,
    file: std::path::PathBuf,
    span: crate::model::Span,
}

fn import_block(address: &Address, imports: &[InFile<Import>]) -> ImportBlock {
    imports
        .iter()
        .find(|b| *address == *b.block.to.value)
        .map(|b| ImportBlock {
            id: b.block.id.value.clone(),
            file: b.file.clone(),
            span: b.block.id.span.clone(),
        })
        .unwrap_or(ImportBlock {
            id: String::new(),
            file: Default::default(),
            span: Default::default(),
        })
}
