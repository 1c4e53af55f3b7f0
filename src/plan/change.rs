//! [`Change`]: what a plan will do to one resource, field by field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Address;

/// What happens to a resource. Sorted in the order a reviewer reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Made new (`+`).
    Create,
    /// Adopted from what already lives on the platform (an `import` block); nothing is made.
    Import,
    /// The state entry moves to a new address (a `moved` block); nothing is made or destroyed.
    Move,
    /// Changed in place (`~`).
    Update,
    /// Destroyed and made again (`-/+`): only where the platform cannot change a field.
    Replace,
    /// Destroyed (`-`); for a group this disbands it and its history is lost.
    Delete,
    /// No longer managed; left as it is on the platform (a `removed` block).
    Forget,
    /// Nothing to do.
    NoOp,
}

impl Action {
    /// The symbol shown before the address in human output.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Import => "<=",
            Action::Move => "->",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Forget => "x",
            Action::NoOp => " ",
        }
    }

    /// The word used in output and JSON (`create`, `update`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Import => "import",
            Action::Move => "move",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Forget => "forget",
            Action::NoOp => "no-op",
        }
    }
}

/// How one field changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FieldChange {
    /// A value replaced by another (either may be absent).
    Value {
        /// The field's name (`title`, `settings.searchable`).
        field: String,
        /// What is live now.
        before: Option<Value>,
        /// What the manifest asks for.
        after: Option<Value>,
    },
    /// A set of strings (members, admins, bots): who is added and who removed.
    Set {
        /// The field's name (`members`).
        field: String,
        /// Entries to add.
        added: Vec<String>,
        /// Entries to remove.
        removed: Vec<String>,
        /// Entries present live and left alone because the field is owned additively.
        #[serde(default, skip_serializing_if = "is_zero")]
        unmanaged: usize,
        /// Why an entry moves, when the manifest alone does not say it: the members of a group
        /// that follows the org chart (`joins: now in Platform`, `leaves: left the
        /// organization`, `leaves: moved out of Platform`), by userId.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        reasons: BTreeMap<String, String>,
    },
    /// Multi-line text (a message body): renderers show it as a line diff.
    Text {
        /// The field's name (`message.markdown.text`).
        field: String,
        /// The text now.
        before: String,
        /// The text wanted.
        after: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl FieldChange {
    /// The field's name.
    pub fn field(&self) -> &str {
        match self {
            FieldChange::Value { field, .. }
            | FieldChange::Set { field, .. }
            | FieldChange::Text { field, .. } => field,
        }
    }
}

/// What a plan does to one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `group.NAME`, `bot.NAME` or `notification.NAME`.
    pub address: Address,
    /// What happens.
    pub action: Action,
    /// The resource as it is (live, or last known from state); absent for a create.
    pub before: Option<Value>,
    /// The resource as the manifests want it; absent for a delete or forget.
    pub after: Option<Value>,
    /// Field by field, for updates and replaces (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// For a move, the address it had; for an import, the remote id adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Why, in a few words, when the action alone does not say it (drift, deleted outside…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Change {
    /// The address a moved resource had (`from` of anything but an import, which holds the
    /// remote id adopted there).
    pub fn moved_from(&self) -> Option<Address> {
        if self.action == Action::Import {
            return None;
        }
        self.from.as_deref()?.parse().ok()
    }
}
