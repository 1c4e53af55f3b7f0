//! `bot-rename-test-group`: a renamed bot shows its new name in formal groups at once, but in
//! the Debug test group ("…-TEST") only after Debug is clicked again in the console.

use crate::model::{Bot, Declared, Finding, Severity};
use crate::state::ResourceState;

/// Add a `manual` step when the bot's name differs from the one last applied.
pub fn check(
    address: &str,
    declared: &Declared<Bot>,
    entry: Option<&ResourceState>,
    findings: &mut Vec<Finding>,
) {
    let Some(before) = entry
        .and_then(|e| e.attributes.get("name"))
        .and_then(|n| n.as_str())
    else {
        return;
    };
    let name = &declared.spec.name;
    if before != name.value {
        findings.push(
            Finding::new(
                "bot-rename-test-group",
                Severity::Manual,
                format!("bot renamed from `{before}` to `{}`", name.value),
            )
            .at(&declared.file, &name.span)
            .address(address)
            .help("rename it in the Developer Console; in the Debug test group (\"…-TEST\") the new name shows only after clicking Debug again"),
        );
    }
}
