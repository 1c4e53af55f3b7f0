//! `delete-unsupported`: the platform offers no API to disband an internal or standard group
//! (only scene groups can be disbanded, `/v1.0/im/sceneGroups/disband`). A plan that would
//! delete one (or replace it, which deletes first) stops here rather than fail in apply.

use crate::model::Finding;
use crate::model::humanize::a_or_an;
use crate::plan::{Action, Change};

/// Add the finding when `change` would disband an ordinary group.
pub fn check(change: &Change, findings: &mut Vec<Finding>) {
    if !matches!(change.action, Action::Delete | Action::Replace) {
        return;
    }
    let kind = change
        .before
        .as_ref()
        .and_then(|b| b.get("type"))
        .and_then(|t| t.as_str());
    let Some(kind @ ("internal" | "standard")) = kind else {
        return;
    };
    findings.push(
        Finding::error(
            "delete-unsupported",
            format!(
                "{} would disband {} {kind} group, and DingTalk offers no API to disband one",
                change.address,
                a_or_an(kind)
            ),
        )
        .address(change.address.clone())
        .help(format!(
            "disband it in the DingTalk client and add `removed: [{{from: {}}}]` to stop managing it, or keep it in the manifests",
            change.address
        )),
    );
}
