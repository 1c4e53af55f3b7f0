//! `group-title-length` at plan time: the platform refuses a group title longer than it takes
//! — at most 30 characters for scene groups (`/v1.0/im/sceneGroup/create|update`) and 20 for
//! internal and standard groups (`/chat/create`, `/chat/update`, error 40035). `validate`
//! reports most of these; the plan adds the ones it exempts, under the same id (it was once
//! `title-length`, which `dingform explain` still knows), so that apply never fails halfway.

use crate::model::humanize::a_or_an;
use crate::model::{Declared, Finding, Group, GroupType};
use crate::plan::{Action, Change};

/// The longest title the platform takes for a group of `kind`.
pub fn max_title(kind: GroupType) -> usize {
    match kind {
        GroupType::Scene => 30,
        GroupType::Internal | GroupType::Standard => 20,
    }
}

/// Add the finding when `change` would send a title the platform refuses.
pub fn check(change: &Change, declared: &Declared<Group>, findings: &mut Vec<Finding>) {
    let sends_title = match change.action {
        Action::Create | Action::Replace => true,
        Action::Update => change.fields.iter().any(|f| f.field() == "title"),
        _ => false,
    };
    let spec = &declared.spec;
    let length = spec.title.value.chars().count();
    let max = max_title(spec.group_type.value);
    // `validate`'s group-title-length already reports most of these; this rule adds the
    // titles it exempts (the organization's Internal Group, named by DingTalk: adopt it with
    // `import`, never create it).
    let reported = findings
        .iter()
        .any(|f| f.rule == "group-title-length" && f.address.as_ref() == Some(&change.address));
    if sends_title && length > max && !reported {
        findings.push(
            Finding::error(
                "group-title-length",
                format!(
                    "the title is {length} characters; DingTalk takes at most {max} for {} {} group",
                    a_or_an(spec.group_type.value.as_str()),
                    spec.group_type.value.as_str()
                ),
            )
            .at(&declared.file, &spec.title.span)
            .address(change.address.clone())
            .help(format!(
                "shorten the title to {max} characters, or adopt an existing group with `import` instead of creating it"
            )),
        );
    }
}
