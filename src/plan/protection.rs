//! `prevent_destroy` as a change of its own (#18): the protection lives in state, because the
//! refusal to disband a group that left the manifests can only be read from there. Adding or
//! removing `prevent_destroy` on an applied group therefore changes the state and nothing on
//! DingTalk: the plan shows it as an update of the field, and apply records it without a request.

use serde_json::Value;

use super::FieldChange;
use crate::state::ResourceState;

/// The field's name in a group's attributes, in state and in plans.
pub const FIELD: &str = "prevent_destroy";

/// Whether `field` changes only what state records (no request goes to DingTalk).
pub fn is_state_only(field: &FieldChange) -> bool {
    field.field() == FIELD
}

/// The change of the protection between what state recorded and what the manifest says, if any.
pub fn change(entry: &ResourceState, declared: bool) -> Option<FieldChange> {
    let recorded = entry.attributes.get(FIELD) == Some(&Value::Bool(true));
    (recorded != declared).then(|| FieldChange::Value {
        field: FIELD.into(),
        before: recorded.then_some(Value::Bool(true)),
        after: declared.then_some(Value::Bool(true)),
    })
}
