//! `group-title-length`: DingTalk limits a group's name — at most 30 characters for scene
//! groups (`sceneGroup/create`), 20 for internal and standard groups (`/chat/create`,
//! `name` 1–20). A longer title is refused at creation: an error.

use super::Context;
use crate::model::humanize::a_or_an;
use crate::model::{Address, Finding, GroupType};

/// The longest title DingTalk accepts for a group of this type, in characters.
pub fn max_title_chars(group_type: GroupType) -> usize {
    match group_type {
        GroupType::Scene => crate::model::limits::SCENE_GROUP_TITLE_CHARS,
        GroupType::Internal | GroupType::Standard => crate::model::limits::CHAT_GROUP_TITLE_CHARS,
    }
}

/// Reports titles longer than the platform accepts.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let organization_title = context
        .workspace
        .organization()
        .map(super::internal_group_naming::expected_title);
    for (name, group) in &context.workspace.groups {
        let title = &group.spec.title;
        let kind = group.spec.group_type.value;
        let max = max_title_chars(kind);
        let length = title.value.chars().count();
        if title.value.trim().is_empty() {
            // The platform refuses an empty name (`name` 1–20, `title` required).
            findings.push(
                Finding::error("group-title-length", "the title is empty")
                    .at(&group.file, &title.span)
                    .address(Address::group(name))
                    .help("give the group a title people will recognise"),
            );
            continue;
        }
        // The organization's own internal group is named by DingTalk, not created with a name.
        if length > max && organization_title.as_deref() != Some(title.value.as_str()) {
            findings.push(
                Finding::error(
                    "group-title-length",
                    format!("the title has {length} characters; {} {} group's title may have at most {max}", a_or_an(kind.as_str()), kind.as_str()),
                )
                .at(&group.file, &title.span)
                .address(Address::group(name))
                .help("shorten the title"),
            );
        }
    }
}
