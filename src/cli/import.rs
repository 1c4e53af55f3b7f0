//! `dingform import ADDRESS REMOTE_ID [DIR]`: adopt a live resource into state, changing
//! nothing on DingTalk.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use super::session::{self, Session};
use crate::manifest;

/// Record a group or bot that already exists on DingTalk in the state, under ADDRESS.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A group is named by its open conversation id (scene or internal \
    group) or its chat id (chat…, internal and standard groups); a bot by its robot code. \
    Nothing on DingTalk changes, and a group imported is never created again.\n\nExamples:\n  \
    dingform import group.payments-oncall cidXXXXXXXX\n  dingform import bot.alerts dingbot-alerts\n  \
    dingform export            # then write manifests for what was imported"
)]
pub struct Args {
    /// Where to record it: `group.NAME` or `bot.NAME`.
    address: crate::model::Address,
    /// The platform's id of the resource.
    remote_id: String,
    /// The workspace directory (holding dingform.yaml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// How long to wait for another run holding the lock (e.g. 30s, 2m).
    #[arg(long, default_value = "0s", value_parser = crate::model::duration::parse_duration)]
    lock_timeout: Duration,
}

/// Run `import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded = manifest::load(&args.dir);
    let workspace = &loaded.workspace;
    if workspace.settings.is_none() {
        anyhow::bail!(
            "{}: no readable dingform.yaml (run `dingform validate`)",
            args.dir.display()
        );
    }
    let store = session::state_store(workspace)?;
    let entry = session::runtime()?.block_on(async {
        let session = Session::open(workspace, None).await?;
        let imported = crate::adopt::import(
            &*session.client,
            &*store.store,
            workspace.organization().map(str::to_owned),
            &args.address,
            &args.remote_id,
            args.lock_timeout,
        )
        .await;
        session.close().await;
        imported.context("import refused")
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        crate::render::messages::imported(
            &args.address,
            entry.id.as_deref().unwrap_or(&args.remote_id)
        )
    )?;
    Ok(ExitCode::SUCCESS)
}
