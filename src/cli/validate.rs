//! `dingform validate [DIR] [--format human|json]`: parse and check manifests, no network.
//! Exit 0 when valid (warnings allowed), 1 on any error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::manifest;
use crate::render::diagnostic::{human, json, summary};

/// Parse and check the manifests of a workspace, without the network.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 valid (warnings allowed), 1 invalid.\n\nExample:\n  dingform validate examples/quickstart"
)]
pub struct Args {
    /// The workspace directory (holding dingform.yaml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-like diagnostics on stderr, a summary line.
    Human,
    /// One JSON object on stdout.
    Json,
}

/// Whether to colour output written to stderr.
pub fn color_wanted(no_color: bool) -> bool {
    !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        && std::io::stderr().is_terminal()
}

pub fn run(args: Args, no_color: bool) -> anyhow::Result<ExitCode> {
    let validation = manifest::validate(&args.dir);
    let code = if validation.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    match args.format {
        Format::Json => {
            let mut out = std::io::stdout().lock();
            out.write_all(json(&validation.findings).as_bytes())?;
            out.flush()?;
        }
        Format::Human => {
            let color = color_wanted(no_color);
            let mut err = std::io::stderr().lock();
            err.write_all(human(&validation.findings, &validation.sources, color).as_bytes())?;
            let counted = summary(&validation.findings);
            if validation.has_errors() {
                writeln!(err, "{}: {counted}", args.dir.display())?;
            } else {
                let resources = validation.workspace.resource_count();
                let files = validation.sources.len();
                let plural =
                    |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
                let (resources, files) = (plural(resources, "resource"), plural(files, "file"));
                writeln!(
                    err,
                    "{}: valid ({resources} in {files}; {counted})",
                    args.dir.display()
                )?;
            }
        }
    }
    // The process ends with this command: freeing a large workspace value by value would
    // only add to the time an editor waits (the operating system takes it back at once).
    std::mem::forget(validation);
    Ok(code)
}
