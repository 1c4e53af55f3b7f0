//! `dingform explain RULE` and `dingform rules`: the rule pages of `model::rules`.

use std::io::Write;
use std::process::ExitCode;

use crate::model::rules::{self, PAGES};

/// Print a rule's page: what the platform does, why dingform checks it, an example, the fix.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  dingform explain unknown-user\n  dingform rules")]
pub struct ExplainArgs {
    /// The rule id, as findings print it (`error[unknown-user]`).
    pub rule: String,
}

/// List every rule id with its severity and summary.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  dingform rules\n  dingform rules --markdown > docs/rules.md")]
pub struct RulesArgs {
    /// Print every page as Markdown (the text of docs/rules.md).
    #[arg(long)]
    pub markdown: bool,
}

/// Run `explain`.
pub fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let Some(page) = rules::page(&args.rule) else {
        let near = crate::model::suggest::nearest(&args.rule, PAGES.iter().map(|page| page.id));
        eprintln!(
            "{}",
            crate::render::messages::no_such_rule(&args.rule, near)
        );
        return Ok(ExitCode::FAILURE);
    };
    let mut out = std::io::stdout().lock();
    out.write_all(rules::text(page).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Run `rules`.
pub fn list(args: RulesArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if args.markdown {
        out.write_all(rules::markdown().as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = PAGES.iter().map(|page| page.id.len()).max().unwrap_or(0);
    for page in PAGES {
        writeln!(
            out,
            "{:width$}  {:14}  {}",
            page.id, page.severity, page.summary
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
