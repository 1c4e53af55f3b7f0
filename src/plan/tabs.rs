//! Group tabs in a plan: compared by title, like members (a tab added or removed), and a tab
//! whose URL changed is an in-place edit (`tabs.TITLE`). Tabs are managed once the manifest
//! lists one or the last apply did: removing every tab from the manifest removes them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::FieldChange;

/// The changes that turn the live tabs into the desired ones; `last_applied` are the tabs
/// state recorded (empty: the group's tabs were never managed).
pub fn diff(
    live: &BTreeMap<String, Value>,
    desired: &BTreeMap<String, Value>,
    last_applied: &BTreeMap<String, Value>,
) -> Vec<FieldChange> {
    if desired.is_empty() && last_applied.is_empty() {
        return Vec::new();
    }
    let added: Vec<String> = desired
        .keys()
        .filter(|title| !live.contains_key(*title))
        .cloned()
        .collect();
    let removed: Vec<String> = live
        .keys()
        .filter(|title| !desired.contains_key(*title))
        .cloned()
        .collect();
    let mut changes = Vec::new();
    if !added.is_empty() || !removed.is_empty() {
        changes.push(FieldChange::Set {
            field: "tabs".into(),
            added,
            removed,
            unmanaged: 0,
            reasons: Default::default(),
        });
    }
    for (title, want) in desired {
        if let Some(have) = live.get(title)
            && have != want
        {
            changes.push(FieldChange::Value {
                field: format!("tabs.{title}"),
                before: Some(have.clone()),
                after: Some(want.clone()),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tabs(pairs: &[(&str, &str)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(title, url)| ((*title).to_owned(), json!(url)))
            .collect()
    }

    #[test]
    fn unmanaged_tabs_are_left_alone() {
        let live = tabs(&[("Wiki", "https://w")]);
        assert!(diff(&live, &BTreeMap::new(), &BTreeMap::new()).is_empty());
    }

    #[test]
    fn added_removed_and_edited_by_title() {
        let live = tabs(&[("Old", "https://o"), ("Wiki", "https://w")]);
        let desired = tabs(&[("New", "https://n"), ("Wiki", "https://w2")]);
        let changes = diff(&live, &desired, &BTreeMap::new());
        assert_eq!(
            changes,
            vec![
                FieldChange::Set {
                    field: "tabs".into(),
                    added: vec!["New".into()],
                    removed: vec!["Old".into()],
                    unmanaged: 0,
                    reasons: Default::default(),
                },
                FieldChange::Value {
                    field: "tabs.Wiki".into(),
                    before: Some(json!("https://w")),
                    after: Some(json!("https://w2")),
                },
            ]
        );
    }

    #[test]
    fn the_last_tab_removed_is_a_removal() {
        let live = tabs(&[("Wiki", "https://w")]);
        let changes = diff(&live, &BTreeMap::new(), &live);
        assert!(matches!(&changes[..], [FieldChange::Set { removed, .. }] if removed == &["Wiki"]));
    }
}
