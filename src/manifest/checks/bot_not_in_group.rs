//! `bot-not-in-group`: a bot sends group messages only to groups it is in; the platform refuses
//! every other send (`invalidParameter.robotCode.notInGroup`). A notification sent by a bot
//! that is not in its group's `bots:` would fail at every occurrence: an error at `via.bot`.
//! `dingform explain bot-not-in-group`.

use super::Context;
use crate::model::notification::Target;
use crate::model::{Address, Finding};

/// Reports notifications whose bot is not in the group they post to.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let workspace = context.workspace;
    for (name, notification) in &workspace.notifications {
        let Ok(Target::BotToGroup { bot, group }) = notification.spec.via.value.target() else {
            continue;
        };
        let Some(declared) = workspace.groups.get(&group.value) else {
            continue; // an unknown group is a reference error of its own
        };
        if !workspace.bots.contains_key(&bot.value) {
            continue; // and so is an unknown bot
        }
        if declared.spec.bots.iter().any(|b| b.value == bot.value) {
            continue;
        }
        findings.push(
            Finding::error(
                "bot-not-in-group",
                format!(
                    "bot `{}` is not in group `{}`: every send would be refused",
                    bot.value, group.value
                ),
            )
            .at(&notification.file, &bot.span)
            .address(Address::notification(name))
            .related(&declared.file, &declared.name.span, "the group")
            .help(format!(
                "add `{}` to the `bots:` of group `{}`",
                bot.value, group.value
            )),
        );
    }
}
