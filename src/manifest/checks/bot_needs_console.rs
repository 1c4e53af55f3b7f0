//! `bot-needs-console`: a bot's robotCode exists only after the bot is saved and published in
//! the Developer Console, and no API creates a bot. A manifest bot without `robot_code` can
//! therefore never be added to a group or send anything: an error, with the console step as
//! help.

use super::Context;
use crate::model::{Address, Finding};

/// Reports bots with no (or an empty) `robot_code`.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, bot) in &context.workspace.bots {
        if bot
            .spec
            .robot_code
            .as_ref()
            .is_none_or(|code| code.value.trim().is_empty())
        {
            findings.push(
                Finding::error("bot-needs-console", format!("bot `{name}` has no robot_code"))
                    .at(&bot.file, &bot.name.span)
                    .address(Address::bot(name))
                    .help("bots are created in the Developer Console: save and publish it there, then copy its robotCode into `robot_code:`"),
            );
        }
    }
}
