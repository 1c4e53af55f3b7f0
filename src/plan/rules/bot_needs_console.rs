//! `bot-needs-console`: a bot's robot code exists only after the bot is saved and published in
//! the Developer Console; no API creates a bot. A robot code the organization does not know
//! is a `manual` step: create and publish the bot in the console. (A bot with no robot code at
//! all is an error found statically by `validate`.)

use crate::model::{Bot, Declared, Finding, Severity};
use crate::plan::refresh::Live;

/// Add the finding when `declared`'s robot code is unknown to the organization.
pub fn check(address: &str, declared: &Declared<Bot>, live: &Live, findings: &mut Vec<Finding>) {
    let Some(code) = &declared.spec.robot_code else {
        return;
    };
    if live.robots.get(&code.value) == Some(&false) {
        findings.push(
            Finding::new(
                "bot-needs-console",
                Severity::Manual,
                format!("the organization has no bot with robot code `{}`", code.value),
            )
            .at(&declared.file, &code.span)
            .address(address)
            .help("create the bot in the Developer Console, save and publish it (and publish the app), then copy its robotCode here"),
        );
    }
}
