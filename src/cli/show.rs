//! `dingform show PLANFILE [--format human|json|markdown]`: print a saved plan as `plan` would
//! have, so the apply job can show what it is about to do.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::plan::Format;
use crate::plan::file::PlanFile;
use crate::render;

/// Print a saved plan (from `plan -o`) as `plan` would have.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Nothing is refreshed and nothing changes: this is the plan as it was saved.\n\n\
    Examples:\n  dingform plan -o plan.json && dingform show plan.json\n  \
    dingform show plan.json --format markdown > comment.md"
)]
pub struct Args {
    /// A plan file written by `dingform plan -o`.
    plan_file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Run `show`.
pub fn run(args: Args, no_color: bool) -> anyhow::Result<ExitCode> {
    let saved = PlanFile::read(&args.plan_file)?;
    if let Err(edited) = saved.check_unedited(&args.plan_file) {
        // Shown as it is, but `apply` would refuse it.
        eprintln!("{}", crate::render::messages::warning(edited));
    }
    let text = match args.format {
        Format::Human => {
            // The manifests give findings their source lines, when they are here too.
            let sources = match saved.target(&args.plan_file, Path::new(".")) {
                Ok(target) => crate::manifest::load(&target.dir).sources,
                Err(_) => Default::default(),
            };
            render::human(
                &saved.plan,
                &sources,
                super::validate::color_wanted(no_color),
            )
        }
        Format::Json => render::json(&saved.plan),
        Format::Markdown => render::markdown(&saved.plan),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
