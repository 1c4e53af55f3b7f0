//! `plugin-duplicate-name`: a group's plugins are told apart by name, and a plugin once
//! installed can be neither edited nor deleted (`plugin-immutable`); two plugins with one name
//! would leave the group in a state no later plan can match. Plugins are also scene-group
//! entries (快捷入口): internal and standard groups cannot hold them. Both are errors.
//! `dingform explain plugin-duplicate-name`.

use std::collections::BTreeMap;

use super::Context;
use crate::model::humanize::a_or_an;
use crate::model::{Address, Finding, GroupType};

/// Reports a plugin name used twice in one group, and plugins on groups that are not scene
/// groups.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, group) in &context.workspace.groups {
        let address = Address::group(name);
        if group.spec.group_type.value != GroupType::Scene
            && let Some(first) = group.spec.plugins.first()
        {
            findings.push(
                Finding::error(
                    "plugin-duplicate-name",
                    format!(
                        "{} {} group cannot hold plugins: they come with a scene group's template",
                        a_or_an(group.spec.group_type.value.as_str()),
                        group.spec.group_type.value.as_str()
                    ),
                )
                .at(&group.file, &first.name.span)
                .address(address.clone())
                .help("make the group `type: scene`, or use `tabs` for links"),
            );
        }
        let mut seen = BTreeMap::new();
        for plugin in &group.spec.plugins {
            if let Some(first) = seen.insert(plugin.name.value.as_str(), &plugin.name.span) {
                findings.push(
                    Finding::error(
                        "plugin-duplicate-name",
                        format!("two plugins are named `{}`", plugin.name.value),
                    )
                    .at(&group.file, &plugin.name.span)
                    .address(address.clone())
                    .related(&group.file, first, "the first one")
                    .help("give each plugin its own name"),
                );
            }
        }
    }
}
