//! `dingform export [DIR] [--out DIR] [--force]`: write manifests for what state holds and no
//! manifest declares.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::session::{self, Session};
use crate::manifest;
use crate::model::Clock;
use crate::render;

/// Write manifests for every resource in the state that no manifest declares yet.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "One file per kind (exported-groups.yaml, exported-bots.yaml), written \
    the way a person would: the schema comment on top, no defaults spelled out. Existing files \
    are never overwritten without --force. After import and export, `dingform plan` shows no \
    changes.\n\nExample:\n  dingform import group.lunch chatXXXXXXXX && dingform export && dingform plan"
)]
pub struct Args {
    /// The workspace directory (holding dingform.yaml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Where to write the files (default: the workspace directory).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
}

/// Run `export`.
pub fn run(args: Args, no_color: bool) -> anyhow::Result<ExitCode> {
    let validation = manifest::validate(&args.dir);
    if validation.has_errors() {
        let color = super::validate::color_wanted(no_color);
        eprint!(
            "{}",
            render::diagnostic::human(&validation.findings, &validation.sources, color)
        );
        anyhow::bail!(
            "{}: the manifests must validate before export",
            args.dir.display()
        );
    }
    let workspace = &validation.workspace;
    let store = session::state_store(workspace)?;
    let state = session::runtime()?
        .block_on(store.store.read())?
        .unwrap_or_else(|| crate::state::State::new(None));
    let out = args.out.clone().unwrap_or_else(|| args.dir.clone());
    let schema = schema_path(&out);
    let exported = session::runtime()?.block_on(async {
        let session = Session::open(workspace, None).await?;
        let live = crate::plan::refresh::refresh(
            session.client.clone(),
            workspace,
            &state,
            crate::model::SystemClock.now(),
        )
        .await;
        session.close().await;
        let live = live.context("cannot read the state's resources from DingTalk")?;
        anyhow::Ok(crate::adopt::export(
            workspace, &state, &live, &out, &schema, args.force,
        )?)
    })?;
    let mut stdout = std::io::stdout().lock();
    if exported.files.is_empty() {
        writeln!(stdout, "{}", render::messages::nothing_to_export())?;
    }
    for (path, addresses) in &exported.files {
        writeln!(stdout, "{}", render::messages::wrote(path, addresses))?;
    }
    for note in &exported.notes {
        eprintln!("{}", render::messages::note(note));
    }
    Ok(ExitCode::SUCCESS)
}

/// The schema's URL for the comment: the checked-in schema when exporting inside this
/// repository, the published one otherwise.
fn schema_path(out: &std::path::Path) -> String {
    let out = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    for (depth, dir) in out.ancestors().enumerate() {
        if dir.join("schema/dingform.schema.json").is_file() {
            return format!("{}schema/dingform.schema.json", "../".repeat(depth));
        }
    }
    "https://raw.githubusercontent.com/dingform/dingform/main/schema/dingform.schema.json".into()
}
