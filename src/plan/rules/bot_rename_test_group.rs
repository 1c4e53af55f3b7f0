//! `bot-rename-test-group`: a renamed bot shows its new name in formal groups at once, but in
//! the Debug test group ("…-TEST") only after Debug is clicked again in the console. No API
//! renames a bot: the rename itself is a step in the Developer Console.
//!
//! The step stays in every plan until it is done (#18): apply records the name DingTalk showed
//! before the rename (`observed.name_in_console` in state), and each plan reads the name the
//! bot has in one of its groups. The step is done when that name is the manifest's; when the
//! bot is in no group, nothing can be read, and `dingform state done bot.NAME` says it is done.

use std::collections::BTreeSet;

use crate::model::{Address, Bot, Declared, Finding, Severity, Workspace};
use crate::plan::refresh::Live;
use crate::state::{ResourceState, State};

/// The key of `observed` that holds the name DingTalk showed before a rename not yet seen done.
pub const NAME_IN_CONSOLE: &str = "name_in_console";

/// The name last applied and the one DingTalk is known to show, when a rename is pending.
fn pending<'a>(entry: Option<&'a ResourceState>, declared: &Declared<Bot>) -> Option<&'a str> {
    let entry = entry?;
    let applied = entry.attributes.get("name").and_then(|n| n.as_str())?;
    let before = entry
        .observed
        .get(NAME_IN_CONSOLE)
        .map_or(applied, String::as_str);
    // Renamed back to the name DingTalk shows: nothing to do in the console.
    (before != declared.spec.name.value).then_some(before)
}

/// Robot codes whose name the plan must read back: those of bots renamed (now or before).
pub fn pending_codes(workspace: &Workspace, state: &State) -> BTreeSet<String> {
    workspace
        .bots
        .iter()
        .filter(|(name, declared)| {
            pending(state.resources.get(&Address::bot(*name)), declared).is_some()
        })
        .filter_map(|(_, declared)| declared.spec.robot_code.as_ref().map(|c| c.value.clone()))
        .collect()
}

/// Add the `manual` step while a rename is not seen done in DingTalk.
pub fn check(
    address: &Address,
    declared: &Declared<Bot>,
    entry: Option<&ResourceState>,
    live: &Live,
    findings: &mut Vec<Finding>,
) {
    let Some(before) = pending(entry, declared) else {
        return;
    };
    let name = &declared.spec.name;
    let shown = declared
        .spec
        .robot_code
        .as_ref()
        .and_then(|code| live.bot_names.get(&code.value));
    let (message, help) = match shown {
        // Seen done: the bot's groups show the manifest's name.
        Some(shown) if *shown == name.value => return,
        Some(shown) => (
            format!(
                "bot renamed to `{}`, but DingTalk still shows it as `{shown}`",
                name.value
            ),
            "rename it in the Developer Console (no API renames a bot); this step stays in every \
             plan until its groups show the new name. In the Debug test group (\"…-TEST\") the new \
             name shows only after clicking Debug again"
                .to_owned(),
        ),
        None => (
            format!("bot renamed from `{before}` to `{}`", name.value),
            format!(
                "rename it in the Developer Console (no API renames a bot), and in the Debug test \
                 group (\"…-TEST\") click Debug again. The plan checks the name in a group the bot \
                 is in; while it is in none, run `dingform state done {address}` once it is renamed"
            ),
        ),
    };
    findings.push(
        Finding::new("bot-rename-test-group", Severity::Manual, message)
            .at(&declared.file, &name.span)
            .address(address)
            .help(help),
    );
}
