//! `dingform state list|show|rm|mv|pull|push|history|done|unlock`: inspect, repair and move the
//! state, every change under the lock with the previous version kept.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use super::session;
use crate::model::duration::parse_duration;
use crate::model::{Address, ResourceKind};
use crate::render::messages;
use crate::state::State;
use crate::state::store::{self, StateStore};

/// Inspect, repair and move the state.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each subcommand takes the workspace directory last, like every other command \
    (`dingform state list infra/dingtalk`); `-C DIR` before the subcommand does the same.\n\n\
    Examples:\n  dingform state list\n  dingform state show group.payments-oncall\n  \
    dingform state mv group.oncall group.payments-oncall\n  dingform state rm group.old   \
    # stop managing it; the group itself is left as it is\n  \
    dingform state pull > state.json && DINGFORM_STATE_URL=postgres://… dingform state push state.json\n  \
    dingform state history\n  dingform state unlock 6f1c…   # the lock id a refusal named"
)]
pub struct Args {
    #[command(subcommand)]
    command: StateCommand,
    /// The workspace directory (holding dingform.yaml); the same as DIR after the subcommand.
    #[arg(long = "dir", short = 'C', global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// How long to wait for another run holding the lock (`0s`, `30s`, `2m`, `1h30m`).
    #[arg(long, global = true, default_value = "0s", value_name = "DURATION", value_parser = parse_duration)]
    lock_timeout: Duration,
}

#[derive(Debug, clap::Subcommand)]
enum StateCommand {
    /// List the managed addresses and their ids.
    List {
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Show everything recorded for one address (JSON).
    Show {
        /// `group.NAME`, `bot.NAME` or `notification.NAME`.
        address: Address,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Forget an address; nothing on DingTalk changes.
    Rm {
        /// The address to forget: `group.NAME`, `bot.NAME` or `notification.NAME`.
        address: Address,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Record a resource under a new address (a rename: never a re-create).
    Mv {
        /// The current address: `group.NAME`, `bot.NAME` or `notification.NAME`.
        from: Address,
        /// The new address, of the same kind.
        to: Address,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Print the state (or a kept version of it) as JSON.
    #[command(after_help = "Examples:\n  dingform state pull > state.json\n  \
        dingform state pull --serial 41   # a version `state history` lists")]
    Pull {
        /// The version to print (see `state history`); the current one by default.
        #[arg(long, value_name = "N")]
        serial: Option<u64>,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Replace the state with FILE (a `state pull` of this or another store).
    #[command(
        after_help = "Refused on another lineage, or an older serial, without --force; the \
        replaced version stays in `state history`.\n\nExamples:\n  \
        DINGFORM_STATE_URL=postgres://… DINGFORM_STATE_KEY=payments dingform state push state.json\n  \
        dingform state pull --serial 41 > old.json && dingform state push old.json --force   # roll back"
    )]
    Push {
        /// The state JSON to push.
        file: PathBuf,
        /// Push even onto another lineage, or over a newer serial.
        #[arg(long)]
        force: bool,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// List the kept versions: serial, time, host, user, command.
    #[command(
        after_help = "Example:\n  dingform state history   # newest first; then `state pull --serial N`"
    )]
    History {
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Record that the manual step of ADDRESS is done (a bot renamed in the Developer Console).
    #[command(
        after_help = "A bot renamed in the manifests stays a manual step in every plan until the \
        plan sees the new name in one of the bot's groups. A bot in no group shows its name \
        nowhere dingform can read: say it is done here.\n\nExample:\n  \
        dingform state done bot.alerts"
    )]
    Done {
        /// The address whose manual step is done (`bot.NAME`).
        address: Address,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Remove a lock whose holder is gone (the id its refusal named).
    #[command(
        after_help = "A lock whose holder died lapses by itself within 30 seconds; this is for \
        not waiting.\n\nExample:\n  dingform state unlock 6f1c2a9e-…   # the id in `the state is locked by …, lock id …`"
    )]
    Unlock {
        /// The lock's id.
        lock_id: String,
        /// The workspace directory (default: the current one).
        #[arg(value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
}

impl StateCommand {
    /// The directory given after the subcommand, if any.
    fn workspace(&self) -> Option<&PathBuf> {
        match self {
            StateCommand::List { workspace }
            | StateCommand::Show { workspace, .. }
            | StateCommand::Rm { workspace, .. }
            | StateCommand::Mv { workspace, .. }
            | StateCommand::Pull { workspace, .. }
            | StateCommand::Push { workspace, .. }
            | StateCommand::History { workspace }
            | StateCommand::Done { workspace, .. }
            | StateCommand::Unlock { workspace, .. } => workspace.as_ref(),
        }
    }
}

/// Run a `state` subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = match (args.command.workspace(), &args.dir) {
        (Some(positional), Some(flag)) if positional != flag => anyhow::bail!(
            "two workspace directories: `-C {}` and `{}`; give one",
            flag.display(),
            positional.display()
        ),
        (Some(dir), _) | (None, Some(dir)) => dir.clone(),
        (None, None) => PathBuf::from("."),
    };
    // A mistyped DIR must not read as an empty state.
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a directory: give the workspace directory (the one that holds dingform.yaml)",
            dir.display()
        );
    }
    let store = session::state_store_of_dir(&dir)?;
    let runtime = session::runtime()?;
    match runtime.block_on(run_with(args, &store)) {
        // `state history | head`: the reader has all it wanted.
        Err(error) if is_broken_pipe(&error) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn run_with(args: Args, opened: &session::Store) -> anyhow::Result<ExitCode> {
    let store: &dyn StateStore = &*opened.store;
    let mut out = std::io::stdout().lock();
    match args.command {
        StateCommand::List { .. } => {
            let state = store.read().await?.unwrap_or_else(|| State::new(None));
            for (address, entry) in &state.resources {
                writeln!(out, "{address}\t{}", listed_id(address, entry))?;
            }
        }
        StateCommand::Show { address, .. } => {
            let state = store.read().await?.unwrap_or_else(|| State::new(None));
            let mut copy = state.clone();
            let entry = copy.remove(&address)?;
            let mut value = serde_json::to_value(&entry)?;
            mask_secrets(&mut value);
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        StateCommand::Rm { address, .. } => {
            let lock = store.lock("state rm", args.lock_timeout).await?;
            let mut state = store.read().await?.context("there is no state yet")?;
            state.remove(&address)?;
            store::write(store, &mut state, &lock).await?;
            store.release(lock).await?;
            let previous = opened.previous_version_hint(state.serial - 1);
            writeln!(out, "{}", messages::state_removed(&address, &previous))?;
        }
        StateCommand::Mv { from, to, .. } => {
            let lock = store.lock("state mv", args.lock_timeout).await?;
            let mut state = store.read().await?.context("there is no state yet")?;
            state.rename(&from, &to)?;
            store::write(store, &mut state, &lock).await?;
            store.release(lock).await?;
            let previous = opened.previous_version_hint(state.serial - 1);
            writeln!(out, "{}", messages::state_moved(&from, &to, &previous))?;
        }
        StateCommand::Pull { serial, .. } => {
            let state = match serial {
                Some(serial) => store.version(serial).await?.ok_or_else(|| {
                    crate::state::StateError::NoSuchVersion {
                        location: store.location(),
                        serial,
                    }
                })?,
                None => store
                    .read()
                    .await?
                    .with_context(|| format!("there is no state at {} yet", store.location()))?,
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&state)?)?;
        }
        StateCommand::Push { file, force, .. } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let pushed = crate::state::StateFile::new(&file).parse_pushed(&text)?;
            let lock = store.lock("state push", args.lock_timeout).await?;
            let pushed = store::push(store, pushed, force, &lock).await;
            store.release(lock).await?;
            let pushed = pushed?;
            let pushed = messages::state_pushed(
                &file,
                pushed.resources.len(),
                store.location(),
                pushed.serial,
            );
            writeln!(out, "{pushed}")?;
        }
        StateCommand::History { .. } => {
            let versions = store.history().await?;
            if versions.is_empty() {
                writeln!(out, "{}", messages::no_versions(store.location()))?;
            } else {
                writeln!(out, "{}", messages::history_header())?;
            }
            for version in versions {
                let unknown = || "-".to_owned();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    version.serial,
                    version.written_at.map_or_else(unknown, |t| t
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    version.host.unwrap_or_else(unknown),
                    version.user.unwrap_or_else(unknown),
                    version.command.unwrap_or_else(unknown),
                    version.resources
                )?;
            }
        }
        StateCommand::Done { address, .. } => {
            use crate::plan::rules::bot_rename_test_group::NAME_IN_CONSOLE;
            let lock = store.lock("state done", args.lock_timeout).await?;
            let mut state = store.read().await?.context("there is no state yet")?;
            let known: Vec<String> = state.resources.keys().map(Address::to_string).collect();
            let entry = state.resources.get_mut(&address).ok_or_else(|| {
                crate::state::StateError::UnknownAddress {
                    address: address.clone(),
                    known,
                }
            })?;
            let Some(shown) = entry.observed.remove(NAME_IN_CONSOLE) else {
                store.release(lock).await?;
                anyhow::bail!("{address} has no manual step waiting: there is nothing to record");
            };
            store::write(store, &mut state, &lock).await?;
            store.release(lock).await?;
            writeln!(out, "{}", messages::recorded_rename(&address, &shown))?;
        }
        StateCommand::Unlock { lock_id, .. } => {
            let holder = store.unlock(&lock_id).await?;
            writeln!(out, "{}", messages::unlocked(holder))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `state list` shows beside an address: its DingTalk id, or why it has none. A
/// notification lives only in dingform (the runner sends it): it never has one. A group
/// without one was being made when an apply stopped.
fn listed_id<'a>(address: &Address, entry: &'a crate::state::ResourceState) -> &'a str {
    match entry.id.as_deref() {
        Some(id) => id,
        None if address.kind == ResourceKind::Notification => {
            "(scheduled: sent by `dingform notify run`)"
        }
        None => "(create not confirmed: the next apply sends it again)",
    }
}

/// State never holds secrets, but a hand-edited file might: mask any key that names one.
fn mask_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if crate::model::secrets::is_secret_key(key) {
                    *value = serde_json::Value::from("***");
                } else {
                    mask_secrets(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}
