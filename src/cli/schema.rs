//! `dingform schema`: print the manifests' JSON Schema, generated from the model's types.

use std::io::Write;
use std::process::ExitCode;

/// Print the JSON Schema of dingform.yaml and the manifests.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  dingform schema > schema/dingform.schema.json")]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(crate::model::schema::json_schema().as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
