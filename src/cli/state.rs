//! `dingform state list|show|rm|mv`: inspect and repair the state, every change under the
//! lock with the previous version kept as a backup.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use super::session;

/// Inspect and repair the state file.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  dingform state list\n  dingform state show group.payments-oncall\n  \
    dingform state mv group.oncall group.payments-oncall\n  dingform state rm group.old   \
    # stop managing it; the group itself is left as it is"
)]
pub struct Args {
    #[command(subcommand)]
    command: StateCommand,
    /// The workspace directory (holding dingform.yaml).
    #[arg(long = "dir", short = 'C', global = true, default_value = ".")]
    dir: PathBuf,
    /// How long to wait for another run holding the lock (e.g. 30s, 2m).
    #[arg(long, global = true, default_value = "0s", value_parser = parse_duration)]
    lock_timeout: Duration,
}

#[derive(Debug, clap::Subcommand)]
enum StateCommand {
    /// List the managed addresses and their ids.
    List,
    /// Show everything recorded for one address (JSON).
    Show {
        /// `group.NAME`, `bot.NAME` or `notification.NAME`.
        address: String,
    },
    /// Forget an address; nothing on DingTalk changes.
    Rm {
        /// The address to forget.
        address: String,
    },
    /// Record a resource under a new address (a rename: never a re-create).
    Mv {
        /// The current address.
        from: String,
        /// The new address.
        to: String,
    },
}

/// Parse `30s`, `2m`, `1h` or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 30s, 2m or 1h"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("`{text}`: unit must be s, m or h")),
    };
    Ok(Duration::from_secs(seconds))
}

/// Run a `state` subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = session::state_file_of_dir(&args.dir)?;
    let mut out = std::io::stdout().lock();
    match args.command {
        StateCommand::List => {
            let state = file
                .read()?
                .unwrap_or_else(|| crate::state::State::new(None));
            for (address, entry) in &state.resources {
                writeln!(
                    out,
                    "{address}\t{}",
                    entry.id.as_deref().unwrap_or("(create in flight)")
                )?;
            }
        }
        StateCommand::Show { address } => {
            let state = file
                .read()?
                .unwrap_or_else(|| crate::state::State::new(None));
            let mut copy = state.clone();
            let entry = copy.remove(&address)?;
            let mut value = serde_json::to_value(&entry)?;
            mask_secrets(&mut value);
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        StateCommand::Rm { address } => {
            let lock = file.lock("state rm", args.lock_timeout)?;
            let mut state = file.read()?.context("there is no state file yet")?;
            state.remove(&address)?;
            file.write(&mut state, &lock)?;
            writeln!(
                out,
                "Removed {address} from the state (the previous state is in {}).",
                file.backup_path().display()
            )?;
        }
        StateCommand::Mv { from, to } => {
            let lock = file.lock("state mv", args.lock_timeout)?;
            let mut state = file.read()?.context("there is no state file yet")?;
            state.rename(&from, &to)?;
            file.write(&mut state, &lock)?;
            writeln!(
                out,
                "Moved {from} to {to} (the previous state is in {}).",
                file.backup_path().display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
