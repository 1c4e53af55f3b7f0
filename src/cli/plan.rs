//! `dingform plan [DIR] [-o PLANFILE] [--format human|json|markdown] [--detailed-exitcode]`:
//! refresh live state, diff, findings.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::session::{self, Session};
use crate::manifest::{self, Validation};
use crate::plan::file::PlanFile;
use crate::plan::{self, Plan, PlanOptions};
use crate::render;

/// Show what apply would change, and everything the platform would refuse.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 ok; 1 an error or an `error` finding; with \
    --detailed-exitcode, 2 when there are changes.\n\nExamples:\n  dingform plan examples/quickstart\n  \
    dingform plan -o plan.json --format markdown > comment.md\n  dingform apply plan.json"
)]
pub struct Args {
    /// The workspace directory (holding dingform.yaml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Also write the plan to this file, for `dingform apply PLANFILE`.
    #[arg(short = 'o', long = "out", value_name = "PLANFILE")]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 2 (instead of 0) when the plan has changes.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Accept disbanding more than 30% of the managed groups, or the org chart removing more
    /// than 30% of a group's members (`mass-delete`, `mass-removal`).
    #[arg(long)]
    pub allow_mass_delete: bool,
    /// Requests per second per API, pinned (also `rate:` in dingform.yaml). Left out: start
    /// at the platform's documented 20 and adapt to what the organization allows.
    #[arg(long, value_name = "QPS", value_parser = super::pace::parse_rate)]
    pub rate: Option<f64>,
}

/// How the plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: coloured on a terminal.
    Human,
    /// Versioned JSON (see the README, "JSON plan format").
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Load, refresh and plan; the first half of `plan`.
pub fn make_plan(args: &Args) -> anyhow::Result<Result<(Validation, Plan), Validation>> {
    match plan_keeping_session(args)? {
        Ok((validation, plan, session)) => {
            session::runtime()?.block_on(session.close());
            Ok(Ok((validation, plan)))
        }
        Err(validation) => Ok(Err(validation)),
    }
}

/// Load, refresh and plan, and keep the session open: the shared first half of `plan` and
/// `apply`. `apply` sends its steps through the same client, so the access token the refresh
/// fetched (and the pace it learned) serve the steps too: one token request a run, not two.
/// The caller closes the session.
pub fn plan_keeping_session(
    args: &Args,
) -> anyhow::Result<Result<(Validation, Plan, Session), Validation>> {
    let validation = manifest::validate(&args.dir);
    if validation.findings.iter().any(is_load_error) {
        return Ok(Err(validation));
    }
    let store = session::state_store(&validation.workspace)?;
    let runtime = session::runtime()?;
    let state = runtime
        .block_on(crate::state::store::read_or_new(
            &*store.store,
            validation.workspace.organization().map(str::to_owned),
        ))
        .context("cannot read the state")?;
    let options = PlanOptions {
        allow_mass_delete: args.allow_mass_delete,
        requests_per_second: super::pace::estimate_rate(&validation.workspace, args.rate),
        ..PlanOptions::default()
    };
    let (plan, session) = runtime.block_on(async {
        let session = Session::open(&validation.workspace, args.rate).await?;
        if std::io::stderr().is_terminal() {
            eprintln!(
                "{}",
                render::messages::refreshing(state.resources.len(), &session.label)
            );
        }
        // Even with nothing in state, the plan fetches a token and checks every name, so that
        // wrong credentials or a dead endpoint fail the pull request's plan, not the apply.
        let live = match session.client.authenticate().await {
            Ok(()) => plan::refresh::refresh(
                session.client.clone(),
                &validation.workspace,
                &state,
                options.now,
            )
            .await
            // One line: the source is already part of the message.
            .map_err(|error| anyhow::anyhow!("{error}")),
            Err(error) => Err(not_authenticated(&session.label, &error)),
        };
        let live = match live {
            Ok(live) => live,
            Err(error) => {
                session.close().await;
                return Err(error);
            }
        };
        anyhow::Ok((plan::build(&validation, &state, &live, &options), session))
    })?;
    Ok(Ok((validation, plan, session)))
}

/// `--format json|markdown` print a document of their format even when no plan was made.
fn print_failure(
    format: Format,
    error: &str,
    findings: &[crate::model::Finding],
) -> anyhow::Result<()> {
    let text = match format {
        Format::Human => return Ok(()),
        Format::Json => render::json_failure(error, findings),
        Format::Markdown => render::markdown_failure(error, findings),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(out.flush()?)
}

/// The one error of a plan that could not get an access token: credentials rejected, or no
/// answer from the endpoint.
fn not_authenticated(label: &str, error: &crate::provider::ApiError) -> anyhow::Error {
    if error.kind() == crate::provider::ErrorKind::Auth {
        anyhow::anyhow!(
            "credentials rejected by {label}: DINGTALK_APP_KEY and DINGTALK_APP_SECRET are not \
             an app of this organization ({error})"
        )
    } else {
        anyhow::anyhow!("cannot get an access token from {label}: {error}")
    }
}

/// Errors that mean the manifests could not be read as a whole (anything but a rule of the
/// platform, which the plan reports itself): there is nothing sound to plan from.
fn is_load_error(finding: &crate::model::Finding) -> bool {
    finding.severity == crate::model::Severity::Error
        && !manifest::checks::RULES
            .iter()
            .any(|(rule, _)| *rule == finding.rule)
}

/// Run `plan`.
pub fn run(args: Args, no_color: bool) -> anyhow::Result<ExitCode> {
    let planned = make_plan(&args);
    let (validation, plan) = match planned {
        Ok(Ok(planned)) => planned,
        Ok(Err(validation)) => {
            let color = super::validate::color_wanted(no_color);
            eprint!(
                "{}",
                render::diagnostic::human(&validation.findings, &validation.sources, color)
            );
            let error = render::messages::cannot_plan(&args.dir);
            eprintln!("{error}");
            print_failure(args.format, &error, &validation.findings)?;
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => {
            print_failure(args.format, &format!("{error:#}"), &[])?;
            return Err(error);
        }
    };
    if let Some(out) = &args.out {
        let file = PlanFile::new(&args.dir, plan.clone()).written_to(out);
        crate::state::write_atomically(out, file.to_json().as_bytes())
            .with_context(|| format!("cannot write the plan file {}", out.display()))?;
    }
    let color = !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    let text = match args.format {
        Format::Human => render::human(&plan, &validation.sources, color),
        Format::Json => render::json(&plan),
        Format::Markdown => render::markdown(&plan),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if let Some(path) = &args.out
        && args.format == Format::Human
    {
        writeln!(out, "{}", render::messages::saved_plan(path))?;
    }
    Ok(if plan.is_blocked() {
        ExitCode::FAILURE
    } else if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
