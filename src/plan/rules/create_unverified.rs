//! `create-unverified`: an earlier apply sent the create of an internal or standard group and
//! was interrupted before the answer. Unlike scene groups (`create-idempotency`), ordinary
//! groups take no idempotency key, so sending the create again could make a second group. The
//! plan stops instead and asks a person to look: adopt the group if it was made, or drop the
//! unconfirmed intent if it was not.

use crate::model::{Address, Declared, Finding, Group};
use crate::state::ResourceState;

/// Add the finding when `entry` is an unconfirmed create of an ordinary group.
pub fn check(
    address: &Address,
    declared: &Declared<Group>,
    entry: Option<&ResourceState>,
    findings: &mut Vec<Finding>,
) {
    let Some(entry) = entry.filter(|e| e.id.is_none()) else {
        return;
    };
    let kind = entry.attributes.get("type").and_then(|t| t.as_str());
    if !matches!(kind, Some("internal" | "standard")) {
        return;
    }
    findings.push(
        Finding::error(
            "create-unverified",
            format!(
                "an earlier apply sent the create of {address} ({} group) and was interrupted before the answer; the platform cannot deduplicate this kind of group, so it is not created again blindly",
                kind.unwrap_or("ordinary")
            ),
        )
        .at(&declared.file, &declared.name.span)
        .address(address)
        .help(format!(
            "look for the group \"{}\" in DingTalk: if it exists, adopt it with `dingform import {address} CHAT_ID`; if not, run `dingform state rm {address}` and plan again",
            declared.spec.title.value
        )),
    );
}
