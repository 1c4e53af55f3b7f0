//! The sentences commands say besides their reports: what `import`, `export` and `state`
//! did, where a plan was saved, the emulator's banner, and the `error:`, `warning:` and
//! `note:` lines. `cli` prints them and writes none of its own (`tests/it/layers.rs` checks
//! that). Each returns its text without the final line break.

use std::fmt::Display;
use std::path::Path;

/// A command's failure, as the last line on stderr (`error: cannot apply: …`).
pub fn error(message: impl Display) -> String {
    format!("error: {message}")
}

/// Something a command goes on despite (`warning: …`).
pub fn warning(message: impl Display) -> String {
    format!("warning: {message}")
}

/// Something a reader should know that is not wrong (`note: …`).
pub fn note(message: impl Display) -> String {
    format!("note: {message}")
}

/// `explain RULE` for a rule that does not exist, with the nearest one when a rule is near.
pub fn no_such_rule(rule: &str, nearest: Option<&str>) -> String {
    error(format!(
        "no rule `{rule}`{}; `dingform rules` lists them all",
        nearest
            .map(|id| format!(" (did you mean `{id}`?)"))
            .unwrap_or_default()
    ))
}

/// What `dingform emulator` says on stderr once it listens (its URL alone goes to stdout).
pub fn emulator_serving(base_url: &str, data: Option<&Path>) -> String {
    format!(
        "dingform emulator: serving both DingTalk hosts on {base_url}{}",
        data.map(|path| format!(", data in {}", path.display()))
            .unwrap_or_default()
    )
}

/// What `plan` says on a terminal while it reads DingTalk.
pub fn refreshing(resources: usize, endpoint: &str) -> String {
    format!("Refreshing {resources} managed resources from {endpoint}…")
}

/// Why `plan` made no plan when the manifests do not load (after their diagnostics, and as
/// the `error` of the JSON or Markdown document).
pub fn cannot_plan(dir: &Path) -> String {
    format!("{}: cannot plan: the manifests do not load", dir.display())
}

/// The line after a plan saved with `--out`.
pub fn saved_plan(path: &Path) -> String {
    format!(
        "\nSaved the plan to {}: apply it with `dingform apply {}`.",
        path.display(),
        path.display()
    )
}

/// What `import` did.
pub fn imported(address: impl Display, remote_id: &str) -> String {
    format!(
        "Imported {address} ({remote_id}). Nothing on DingTalk changed; `dingform plan` now \
         compares it with the manifests."
    )
}

/// What `export` says when the state holds nothing the manifests do not declare.
pub fn nothing_to_export() -> &'static str {
    "Nothing to export: every resource in the state is declared."
}

/// One file `export` wrote, with the resources in it.
pub fn wrote<A: Display>(path: &Path, addresses: &[A]) -> String {
    let addresses: Vec<String> = addresses.iter().map(ToString::to_string).collect();
    format!("Wrote {} ({})", path.display(), addresses.join(", "))
}

/// Where the state before a `state` command's write can be found: the backup beside a state
/// file, or the version a shared store keeps.
pub fn previous_state(backup: Option<&Path>, previous_serial: u64) -> String {
    match backup {
        Some(backup) => format!("the previous state is in {}", backup.display()),
        None => format!(
            "the previous version is kept: `dingform state pull --serial {previous_serial}`"
        ),
    }
}

/// What `state rm` did (`previous` from [`previous_state`]).
pub fn state_removed(address: impl Display, previous: &str) -> String {
    format!("Removed {address} from the state ({previous}).")
}

/// What `state mv` did (`previous` from [`previous_state`]).
pub fn state_moved(from: impl Display, to: impl Display, previous: &str) -> String {
    format!("Moved {from} to {to} ({previous}).")
}

/// What `state push` did.
pub fn state_pushed(file: &Path, resources: usize, location: impl Display, serial: u64) -> String {
    format!(
        "Pushed {} ({resources} resources) to {location} as serial {serial}.",
        file.display()
    )
}

/// `state history` for a store that has none yet.
pub fn no_versions(location: impl Display) -> String {
    format!("No versions at {location} yet.")
}

/// The header of `state history`'s table (tab-separated, as its rows).
pub fn history_header() -> &'static str {
    "SERIAL\tWRITTEN\tHOST\tUSER\tCOMMAND\tRESOURCES"
}

/// What `state done` recorded (`shown`: the name DingTalk showed for the bot's test group).
pub fn recorded_rename(address: impl Display, shown: &str) -> String {
    format!(
        "Recorded that {address} was renamed in the Developer Console (DingTalk showed `{shown}`)."
    )
}

/// What `state unlock` did.
pub fn unlocked(holder: impl Display) -> String {
    format!("Removed the lock held by {holder}.")
}
