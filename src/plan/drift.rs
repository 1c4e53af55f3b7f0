//! Drift: the part of a change that is there because DingTalk differs from what dingform last
//! applied (someone renamed the group, added a member or a bot in the client), as opposed to
//! what the manifests changed since. Only that part is marked, field by field, and in a set
//! entry by entry, so a reviewer sees which lines undo someone's work in the client.
//!
//! A field drifted when its live value differs from its last-applied value (kept in state).
//! A set entry drifted when it is removed although dingform never added it (added in the
//! client), or added back although dingform had it there (removed in the client).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::FieldChange;

/// The change-level note: which fields drifted follows it.
pub const NOTE: &str = "changed in DingTalk since the last apply (drift)";
/// A set entry someone added in DingTalk, which the plan removes.
pub const ADDED_OUTSIDE: &str = "added in DingTalk, not by dingform (drift)";
/// A set entry someone removed in DingTalk, which the plan adds back.
pub const REMOVED_OUTSIDE: &str = "removed in DingTalk, not by dingform (drift)";

/// Mark the drifted part of `fields` (set entries get a reason), given the live attributes
/// (`live`) and what dingform last applied (`last_applied`, the state's attributes). Returns
/// the change's note naming the drifted fields, or `None` when nothing drifted.
pub fn mark(
    fields: &mut [FieldChange],
    live: &Map<String, Value>,
    last_applied: &Value,
) -> Option<String> {
    let Value::Object(last_applied) = last_applied else {
        return None;
    };
    let mut drifted: Vec<String> = Vec::new();
    for change in fields.iter_mut() {
        let field = change.field().to_owned();
        // A field dingform never recorded (older state) cannot be told apart: not drift.
        let Some(applied) = lookup(last_applied, &field) else {
            continue;
        };
        let now = lookup(live, &field);
        let moved = match change {
            FieldChange::Set {
                added,
                removed,
                reasons,
                ..
            } => {
                let applied = entries(Some(applied));
                let now = entries(now);
                let mut moved = false;
                for entry in removed.iter() {
                    if now.contains(entry) && !applied.contains(entry) {
                        reasons
                            .entry(entry.clone())
                            .or_insert_with(|| ADDED_OUTSIDE.to_owned());
                        moved = true;
                    }
                }
                for entry in added.iter() {
                    if applied.contains(entry) && !now.contains(entry) {
                        reasons
                            .entry(entry.clone())
                            .or_insert_with(|| REMOVED_OUTSIDE.to_owned());
                        moved = true;
                    }
                }
                moved
            }
            FieldChange::Value { .. } | FieldChange::Text { .. } => now != Some(applied),
        };
        if moved && !drifted.contains(&field) {
            drifted.push(field);
        }
    }
    (!drifted.is_empty()).then(|| format!("{NOTE}: {}", drifted.join(", ")))
}

/// The value of `field` (`title`, `settings.searchable`, `tabs.Runbook`) in `object`.
fn lookup<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    if let Some(value) = object.get(field) {
        return Some(value);
    }
    let (head, rest) = field.split_once('.')?;
    match object.get(head)? {
        Value::Object(inner) => inner.get(rest),
        _ => None,
    }
    .filter(|value| !value.is_null())
}

/// The entries of a set field: a list's strings, or a map's keys (tabs by title).
fn entries(value: Option<&Value>) -> BTreeSet<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        _ => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_manifest_edit_is_not_drift() {
        let mut fields = vec![FieldChange::Value {
            field: "title".into(),
            before: Some(json!("On-call")),
            after: Some(json!("Payments On-call")),
        }];
        let live = object(json!({"title": "On-call"}));
        assert_eq!(mark(&mut fields, &live, &json!({"title": "On-call"})), None);
    }

    #[test]
    fn a_member_added_in_the_client_is_drift_and_only_that_member() {
        let mut fields = vec![FieldChange::Set {
            field: "members".into(),
            added: vec!["u1004".into()],
            removed: vec!["u1003".into()],
            unmanaged: 0,
            reasons: Default::default(),
        }];
        let live = object(json!({"members": ["u1001", "u1003"]}));
        let note = mark(&mut fields, &live, &json!({"members": ["u1001"]}));
        assert_eq!(note.as_deref(), Some(&*format!("{NOTE}: members")));
        let FieldChange::Set { reasons, .. } = &fields[0] else {
            unreachable!()
        };
        assert_eq!(
            reasons.get("u1003").map(String::as_str),
            Some(ADDED_OUTSIDE)
        );
        assert_eq!(reasons.get("u1004"), None, "added by the manifest");
    }

    #[test]
    fn nested_fields_are_looked_up_by_their_path() {
        let mut fields = vec![FieldChange::Value {
            field: "settings.searchable".into(),
            before: Some(json!(true)),
            after: Some(json!(false)),
        }];
        let live = object(json!({"settings": {"searchable": true}}));
        let note = mark(
            &mut fields,
            &live,
            &json!({"settings": {"searchable": false}}),
        );
        assert_eq!(note, Some(format!("{NOTE}: settings.searchable")));
    }
}
