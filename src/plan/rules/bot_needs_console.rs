//! `bot-needs-console`: a bot's robot code exists only after the bot is saved and published in
//! the Developer Console; no API creates a bot. A robot code the organization does not know
//! is a `manual` step: create and publish the bot in the console. (A bot with no robot code at
//! all is an error found statically by `validate`.)

use crate::model::{Address, Bot, Declared, Finding, Severity, Spanned, Workspace};
use crate::plan::refresh::Live;

/// Add the finding when `declared`'s robot code is unknown to the organization.
pub fn check(
    address: &Address,
    declared: &Declared<Bot>,
    live: &Live,
    findings: &mut Vec<Finding>,
) {
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

/// An `error` at every place a group's `bots:` or a notification's `via.bot` names a bot whose
/// robot code the organization does not know: adding it to a group is refused
/// (`invalidParameter.robotCode.notExist`), so a create would leave a half-made group behind,
/// and every send through it is refused.
pub fn check_uses(workspace: &Workspace, live: &Live, findings: &mut Vec<Finding>) {
    let missing = |bot: &str| -> Option<&str> {
        let code = workspace.bots.get(bot)?.spec.robot_code.as_ref()?;
        (live.robots.get(&code.value) == Some(&false)).then_some(code.value.as_str())
    };
    // Where the bot is named, which bot, and what adding or sending would meet.
    let mut report = |file: &std::path::Path,
                      bot: &Spanned<String>,
                      address: Address,
                      refused: &str| {
        let Some(code) = missing(&bot.value) else {
            return;
        };
        findings.push(
            Finding::error(
                "bot-needs-console",
                format!(
                    "bot `{}` (robot code `{code}`) does not exist live: {refused}",
                    bot.value
                ),
            )
            .at(file, &bot.span)
            .address(address)
            .help("create and publish the bot in the Developer Console first (see the `manual` step on the bot), then plan again"),
        );
    };
    for (name, declared) in &workspace.groups {
        for bot in &declared.spec.bots {
            report(
                &declared.file,
                bot,
                Address::group(name.as_str()),
                "adding it to the group would be refused",
            );
        }
    }
    for (name, declared) in &workspace.notifications {
        if let Some(bot) = &declared.spec.via.value.bot {
            report(
                &declared.file,
                bot,
                Address::notification(name.as_str()),
                "every send through it would be refused",
            );
        }
    }
}
