//! `plugin-name-length`: a group plugin (快捷入口) is defined and reviewed in the Developer
//! Console with a name of at most 4 characters; a longer name cannot exist, so the manifest
//! cannot refer to it: an error.

use super::Context;
use crate::model::{Address, Finding};

/// Longest plugin name, in characters.
pub const MAX_PLUGIN_NAME_CHARS: usize = crate::model::limits::PLUGIN_NAME_CHARS;

/// Reports plugin names longer than 4 characters.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, group) in &context.workspace.groups {
        for plugin in &group.spec.plugins {
            let length = plugin.name.value.chars().count();
            if length > MAX_PLUGIN_NAME_CHARS {
                findings.push(
                    Finding::error(
                        "plugin-name-length",
                        format!("plugin names have at most {MAX_PLUGIN_NAME_CHARS} characters; `{}` has {length}", plugin.name.value),
                    )
                    .at(&group.file, &plugin.name.span)
                    .address(Address::group(name))
                    .help("use the name the plugin has in the Developer Console"),
                );
            }
        }
    }
}
