//! Field-by-field comparison of a resource's live attributes with the desired ones.
//!
//! Both sides are JSON objects in the same normalized shape (the model layer builds them), so
//! one comparison serves every kind of resource. Arrays of strings compare as sets (order of
//! members never matters to DingTalk); strings with a line break compare as text; nested
//! objects compare key by key with dotted field names.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::FieldChange;

/// How a set-valued field is owned by the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetPolicy {
    /// The manifest is the whole list: entries it does not name are removed.
    Exact,
    /// Listed entries are ensured; others are left alone and counted as unmanaged.
    Additive,
}

/// The changes that turn `live` into `desired`. Fields the desired side does not mention are
/// not managed and never produce a change; `policy` says how each array field is owned.
pub fn diff_objects(
    live: &Map<String, Value>,
    desired: &Map<String, Value>,
    policy: &dyn Fn(&str) -> SetPolicy,
) -> Vec<FieldChange> {
    diff_fields(live, desired, &|_| true, policy)
}

/// [`diff_objects`] over the top-level fields `keep` names only (the others are neither
/// compared nor copied).
pub fn diff_fields(
    live: &Map<String, Value>,
    desired: &Map<String, Value>,
    keep: &dyn Fn(&str) -> bool,
    policy: &dyn Fn(&str) -> SetPolicy,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    for (key, want) in desired.iter().filter(|(key, _)| keep(key)) {
        let have = live.get(key).unwrap_or(&Value::Null);
        diff_value(key.clone(), have, want, policy, &mut changes);
    }
    changes
}

fn diff_into(
    prefix: &str,
    live: &Map<String, Value>,
    desired: &Map<String, Value>,
    policy: &dyn Fn(&str) -> SetPolicy,
    changes: &mut Vec<FieldChange>,
) {
    for (key, want) in desired {
        let have = live.get(key).unwrap_or(&Value::Null);
        diff_value(format!("{prefix}.{key}"), have, want, policy, changes);
    }
}

fn diff_value(
    field: String,
    have: &Value,
    want: &Value,
    policy: &dyn Fn(&str) -> SetPolicy,
    changes: &mut Vec<FieldChange>,
) {
    match (have, want) {
        (_, Value::Null) => {}
        (Value::Object(have), Value::Object(want)) => {
            diff_into(&field, have, want, policy, changes)
        }
        (Value::Null, Value::Object(want)) => diff_into(&field, &Map::new(), want, policy, changes),
        (have, Value::Array(want)) if want.iter().all(Value::is_string) => {
            // Borrowed: only what differs is copied (a group's members are compared on every
            // plan, and almost never differ).
            let have = strings(have);
            let want: BTreeSet<&str> = want.iter().filter_map(Value::as_str).collect();
            let added: Vec<String> = want.difference(&have).map(|s| (*s).to_owned()).collect();
            let extra: Vec<String> = have.difference(&want).map(|s| (*s).to_owned()).collect();
            let (removed, unmanaged) = match policy(&field) {
                SetPolicy::Exact => (extra, 0),
                SetPolicy::Additive => (Vec::new(), extra.len()),
            };
            if !added.is_empty() || !removed.is_empty() {
                changes.push(FieldChange::Set {
                    field,
                    added,
                    removed,
                    unmanaged,
                    reasons: Default::default(),
                });
            }
        }
        (Value::String(have), Value::String(want))
            if have != want && (have.contains('\n') || want.contains('\n')) =>
        {
            changes.push(FieldChange::Text {
                field,
                before: have.clone(),
                after: want.clone(),
            });
        }
        (have, want) if have != want => changes.push(FieldChange::Value {
            field,
            before: (!have.is_null()).then(|| have.clone()),
            after: Some(want.clone()),
        }),
        _ => {}
    }
}

fn strings(value: &Value) -> BTreeSet<&str> {
    match value {
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn diff(live: Value, desired: Value, policy: SetPolicy) -> Vec<FieldChange> {
        let (Value::Object(live), Value::Object(desired)) = (live, desired) else {
            unreachable!()
        };
        diff_objects(&live, &desired, &|_| policy)
    }

    #[test]
    fn equal_objects_have_no_changes() {
        let group =
            json!({"title": "Ops", "members": ["b", "a"], "settings": {"searchable": false}});
        let same =
            json!({"title": "Ops", "members": ["a", "b"], "settings": {"searchable": false}});
        assert!(diff(group, same, SetPolicy::Exact).is_empty());
    }

    #[test]
    fn scalars_and_nested_fields_change_by_dotted_name() {
        let changes = diff(
            json!({"title": "Ops", "settings": {"searchable": false}}),
            json!({"title": "Ops 2", "settings": {"searchable": true}}),
            SetPolicy::Exact,
        );
        let fields: Vec<_> = changes.iter().map(FieldChange::field).collect();
        assert_eq!(fields, ["settings.searchable", "title"]);
    }

    #[test]
    fn sets_report_additions_and_removals() {
        let changes = diff(
            json!({"members": ["a", "b", "c"]}),
            json!({"members": ["b", "c", "d"]}),
            SetPolicy::Exact,
        );
        assert_eq!(
            changes,
            [FieldChange::Set {
                field: "members".into(),
                added: vec!["d".into()],
                removed: vec!["a".into()],
                unmanaged: 0,
                reasons: Default::default(),
            }]
        );
    }

    #[test]
    fn additive_sets_never_remove_and_count_the_unmanaged() {
        let changes = diff(
            json!({"members": ["a", "b", "x", "y"]}),
            json!({"members": ["a", "c"]}),
            SetPolicy::Additive,
        );
        assert_eq!(
            changes,
            [FieldChange::Set {
                field: "members".into(),
                added: vec!["c".into()],
                removed: vec![],
                unmanaged: 3,
                reasons: Default::default(),
            }]
        );
    }

    #[test]
    fn unmentioned_fields_are_not_managed() {
        let changes = diff(
            json!({"title": "Ops", "icon": "x"}),
            json!({"title": "Ops"}),
            SetPolicy::Exact,
        );
        assert!(changes.is_empty());
    }

    #[test]
    fn multi_line_strings_are_text_changes() {
        let changes = diff(
            json!({"text": "line 1\nline 2"}),
            json!({"text": "line 1\nline two"}),
            SetPolicy::Exact,
        );
        assert!(matches!(&changes[..], [FieldChange::Text { .. }]));
    }
}
