//! `plugin-immutable`: group plugins can be neither edited nor deleted. Adding one is an
//! install (allowed); changing the URL of an installed one, or removing it from the manifest,
//! is an error: dingform never sends an edit or a delete.

use std::collections::BTreeMap;

use crate::model::{Address, Declared, Finding, Group};
use crate::plan::FieldChange;
use crate::plan::attributes::GroupAttributes;

/// Add the errors, and return the install of new plugins as a field change.
pub fn check(
    address: &Address,
    declared: &Declared<Group>,
    desired: &GroupAttributes,
    live: &GroupAttributes,
    last_applied: &BTreeMap<String, String>,
    findings: &mut Vec<Finding>,
) -> Option<FieldChange> {
    let mut added = Vec::new();
    for plugin in &declared.spec.plugins {
        let name = &plugin.name.value;
        if !live.plugins.contains_key(name) {
            added.push(name.clone());
        } else if let Some(url) = last_applied
            .get(name)
            .filter(|url| **url != plugin.url.value)
        {
            findings.push(
                Finding::error(
                    "plugin-immutable",
                    format!(
                        "plugin `{name}` is installed with URL {url}; plugins cannot be edited"
                    ),
                )
                .at(&declared.file, &plugin.url.span)
                .address(address)
                .help(format!(
                    "keep the URL as installed ({url}), or add a plugin with a new name; \
                     for a link you will edit, use `tabs:` (tabs are editable)"
                )),
            );
        }
    }
    for name in live.plugins.keys() {
        if !desired.plugins.contains_key(name) {
            findings.push(
                Finding::error(
                    "plugin-immutable",
                    format!("plugin `{name}` is installed in the group; plugins cannot be deleted"),
                )
                .at(&declared.file, &declared.name.span)
                .address(address)
                .help(format!(
                    "keep `{name}` in the group's plugins; `tabs:` are editable and removable"
                )),
            );
        }
    }
    (!added.is_empty()).then(|| FieldChange::Set {
        field: "plugins".into(),
        added,
        removed: Vec::new(),
        unmanaged: 0,
        reasons: Default::default(),
    })
}
