//! `tab-duplicate-title`: a group's tabs are told apart by title (plan and apply match live
//! tabs to the manifest's by it), so two tabs with one title cannot both be managed; a tab
//! needs somewhere to open, either `url` or `pc_url` / `mobile_url`. All are errors.
//! `dingform explain tab-duplicate-title`.

use std::collections::BTreeMap;

use super::Context;
use crate::model::{Address, Finding};

/// Reports a tab title used twice in one group, tabs with no URL, and tabs with both kinds.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, group) in &context.workspace.groups {
        let address = Address::group(name);
        let mut seen = BTreeMap::new();
        for tab in &group.spec.tabs {
            if tab.urls() == (None, None) {
                findings.push(
                    Finding::error(
                        "tab-duplicate-title",
                        format!("the tab `{}` opens nothing", tab.title.value),
                    )
                    .at(&group.file, &tab.title.span)
                    .address(address.clone())
                    .help("give it a `url` (or `pc_url` and `mobile_url`)"),
                );
            }
            if let Some(url) = &tab.url
                && (tab.pc_url.is_some() || tab.mobile_url.is_some())
            {
                findings.push(
                    Finding::error(
                        "tab-duplicate-title",
                        format!(
                            "the tab `{}` has both `url` and `pc_url`/`mobile_url`",
                            tab.title.value
                        ),
                    )
                    .at(&group.file, &url.span)
                    .address(address.clone())
                    .help("use `url` for both clients, or `pc_url` and `mobile_url` apart"),
                );
            }
            if let Some(first) = seen.insert(tab.title.value.as_str(), &tab.title.span) {
                findings.push(
                    Finding::error(
                        "tab-duplicate-title",
                        format!("two tabs are titled `{}`", tab.title.value),
                    )
                    .at(&group.file, &tab.title.span)
                    .address(address.clone())
                    .related(&group.file, first, "the first one")
                    .help("give each tab its own title"),
                );
            }
        }
    }
}
