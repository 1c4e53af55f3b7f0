//! `unknown-template`: a scene group is made from a template defined in the Developer
//! Console; a create naming a template the organization does not have is refused
//! (`groupTemplate.notFound`, 665036), and no group is made. The plan lists the organization's
//! templates once (`GET /v1.0/im/chats/sceneGroups/templates/lists`) and reports an `error` at
//! the group's `template`, or once at `defaults.template` for the groups that fall back to it.
//! `dingform explain unknown-template`.

use std::collections::BTreeMap;

use crate::model::suggest::{nearest, with_suggestion};
use crate::model::{Address, Finding};
use crate::plan::names::{Directory, Names, Role};

/// Add an error at each place an unknown template is written.
pub fn check(names: &Names, directory: &Directory, findings: &mut Vec<Finding>) {
    let Some(known) = &directory.templates else {
        return;
    };
    for (template, places) in &names.templates {
        if known.contains(template) {
            continue;
        }
        let near = nearest(template, known.iter().map(String::as_str));
        let help = "scene-group templates are made in the Developer Console; copy the template id from there";
        // `defaults.template` is one place however many groups fall back to it.
        let mut fallbacks: BTreeMap<_, Vec<&Address>> = BTreeMap::new();
        for place in places {
            if place.role == Role::DefaultTemplate {
                fallbacks
                    .entry((&place.file, place.span.line, place.span.col))
                    .or_default()
                    .push(&place.address);
                continue;
            }
            let finding = Finding::error(
                "unknown-template",
                format!("the organization has no scene-group template `{template}`"),
            )
            .at(&place.file, &place.span)
            .address(&place.address);
            findings.push(with_suggestion(finding, near, help));
        }
        for ((file, _, _), groups) in fallbacks {
            let span = &places
                .iter()
                .find(|place| place.role == Role::DefaultTemplate && &place.file == file)
                .expect("grouped from these places")
                .span;
            let finding = Finding::error(
                "unknown-template",
                format!(
                    "the organization has no scene-group template `{template}` (`defaults.template`, used by {})",
                    groups.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                ),
            )
            .at(file, span)
            .address(groups[0]);
            findings.push(with_suggestion(finding, near, help));
        }
    }
}
