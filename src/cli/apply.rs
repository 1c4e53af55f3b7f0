//! `dingform apply [DIR|PLANFILE] [--yes] [--lock-timeout DURATION] [--allow-mass-delete]`:
//! carry the plan out, under the state lock, saving state after every step.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::model::duration::parse_duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::plan::{self as plan_cmd, plan_keeping_session};
use super::session::{self, Session};
use crate::apply::{self, ApplyOptions, Progress, StepOutcome};
use crate::plan::file::PlanFile;
use crate::plan::{Action, Plan, staleness};
use crate::render;

/// Carry out a plan: a workspace's (shown, then confirmed) or a saved plan file's.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 done (or nothing to do); 1 refused, cancelled or a step failed.\n\n\
    A plan file applies to the workspace it lies in, else to the current directory, else to the \
    one it was made in, and says which first. It is refused when it was edited, or when the \
    manifests, the state or DingTalk moved since (the refusal names the file, the serial or the \
    group).\n\n\
    Examples:\n  dingform apply examples/quickstart\n  dingform plan -o plan.json && dingform apply plan.json\n  \
    dingform apply --yes --lock-timeout 2m   # in CI"
)]
pub struct Args {
    /// A workspace directory (planned, shown and confirmed) or a plan file from `plan -o`.
    #[arg(default_value = ".")]
    pub target: PathBuf,
    /// Apply without asking (for CI; required when stdin is not a terminal). Terraform's
    /// `--auto-approve` is the same.
    #[arg(long, short = 'y', visible_alias = "auto-approve")]
    pub yes: bool,
    /// How long to wait for another run holding the state lock (`0s`, `30s`, `2m`).
    #[arg(long, default_value = "0s", value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Duration,
    /// Accept disbanding more than 30% of the managed groups, or the org chart removing more
    /// than 30% of a group's members (`mass-delete`, `mass-removal`).
    #[arg(long)]
    pub allow_mass_delete: bool,
    /// Requests per second per API, pinned (also `rate:` in dingform.yaml). Left out: start
    /// at the platform's documented 20 and adapt to what the organization allows.
    #[arg(long, value_name = "QPS", value_parser = super::pace::parse_rate)]
    pub rate: Option<f64>,
    /// Steps in flight at once (requests are paced by --rate whatever this is).
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub concurrency: usize,
}

/// Run `apply`.
pub fn run(args: Args, no_color: bool) -> anyhow::Result<ExitCode> {
    let saved = if args.target.is_file() {
        let saved = PlanFile::read(&args.target)?;
        saved.check_unedited(&args.target)?;
        Some(saved)
    } else {
        None
    };
    let dir = match &saved {
        Some(saved) => {
            let target = saved.target(&args.target, std::path::Path::new("."))?;
            print!(
                "{}",
                render::apply_report::applying_plan_file(&args.target, &saved.workspace, &target)
            );
            target.dir
        }
        None => args.target.clone(),
    };
    // The lock first: nothing may move between the plan (or its check) and the last write.
    let workspace = crate::manifest::validate(&dir).workspace;
    let store = session::state_store(&workspace)?;
    let runtime = session::runtime()?;
    let lock = runtime
        .block_on(store.store.lock("apply", args.lock_timeout))
        .context("cannot take the state lock")?;
    let outcome = apply_locked(&args, no_color, saved, &dir, &workspace, &store, &lock);
    // Give the lock back whatever happened (a shared store's lock lapses by itself otherwise).
    if let Err(error) = runtime.block_on(store.store.release(lock)) {
        tracing::warn!("cannot release the state lock: {error}");
    }
    outcome
}

fn apply_locked(
    args: &Args,
    no_color: bool,
    saved: Option<PlanFile>,
    dir: &std::path::Path,
    workspace: &crate::model::Workspace,
    store: &session::Store,
    lock: &crate::state::StoreLock,
) -> anyhow::Result<ExitCode> {
    let plan_args = plan_cmd::Args {
        dir: dir.to_owned(),
        out: None,
        format: plan_cmd::Format::Human,
        detailed_exitcode: false,
        allow_mass_delete: args.allow_mass_delete,
        rate: args.rate,
    };
    let (validation, fresh, session) = match plan_keeping_session(&plan_args)? {
        Ok(planned) => planned,
        Err(validation) => {
            eprint!(
                "{}",
                render::diagnostic::human(&validation.findings, &validation.sources, false)
            );
            bail!("{}: cannot apply: the manifests do not load", dir.display());
        }
    };
    // The steps go through the refresh's client: its access token serves them too.
    let outcome = apply_planned(
        args,
        no_color,
        saved,
        workspace,
        store,
        lock,
        &validation,
        fresh,
        &session,
    );
    session::runtime()?.block_on(session.close());
    outcome
}

/// Show or check the plan, confirm, and carry it out through `session`.
#[expect(clippy::too_many_arguments, reason = "the halves of one command")]
fn apply_planned(
    args: &Args,
    no_color: bool,
    saved: Option<PlanFile>,
    workspace: &crate::model::Workspace,
    store: &session::Store,
    lock: &crate::state::StoreLock,
    validation: &crate::manifest::Validation,
    fresh: Plan,
    session: &Session,
) -> anyhow::Result<ExitCode> {
    let color = super::validate::color_wanted(no_color);
    let from_file = saved.is_some();
    let plan = match saved {
        Some(saved) => {
            let moved = staleness::what_moved(&saved.plan.fingerprints, &fresh.fingerprints);
            if !moved.is_empty() {
                bail!(
                    "the plan file {} is stale: since it was made, {}; run `dingform plan -o {}` again and review it",
                    args.target.display(),
                    moved.join("; "),
                    args.target.display()
                );
            }
            saved.plan
        }
        None => {
            print!("{}", render::human(&fresh, &validation.sources, color));
            fresh.clone()
        }
    };
    let blocking = crate::plan::decide::blocking(&plan, &fresh);
    if !blocking.is_empty() {
        if from_file {
            // `apply DIR` showed them with the plan above.
            eprint!(
                "{}",
                render::diagnostic::human(&blocking, &validation.sources, color)
            );
        }
        bail!("cannot apply: the plan has error findings (fix them, then plan again)");
    }
    if !plan.has_changes() {
        if from_file {
            // `apply DIR` said so with the plan above.
            print!("{}", render::apply_report::no_changes(&plan));
        }
        print!("{}", render::apply_report::manual_steps(&plan, color));
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes && !confirm()? {
        eprintln!("{}", render::apply_report::cancelled());
        return Ok(ExitCode::FAILURE);
    }
    let runtime = session::runtime()?;
    let state = runtime
        .block_on(crate::state::store::read_or_new(
            &*store.store,
            workspace.organization().map(str::to_owned),
        ))
        .context("cannot read the state")?;
    plan.check_serial(state.serial)?;
    let progress = Reporter::new();
    let options = ApplyOptions {
        concurrency: args.concurrency.max(1),
        ..ApplyOptions::default()
    };
    let report = runtime.block_on(async {
        watch_for_interrupt(options.interrupt.clone(), progress.bar.clone());
        let report = apply::apply(
            session.client.clone(),
            &plan,
            state,
            &*store.store,
            lock,
            &options,
            &progress,
        )
        .await;
        anyhow::Ok(report?)
    })?;
    progress.finish();
    print!("{}", render::apply_report::closing(&report, color));
    eprint!("{}", render::apply_report::problems(&report, color));
    print!("{}", render::apply_report::manual_steps(&plan, color));
    Ok(ExitCode::from(report.exit_code()))
}

/// The first Ctrl-C stops starting steps (those in flight finish and are recorded); a second
/// one stops at once, which is as safe as a kill: the state is already on disk.
fn watch_for_interrupt(interrupt: apply::Interrupt, bar: Option<ProgressBar>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        interrupt.set();
        let message = render::apply_report::interrupted();
        match &bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}

fn confirm() -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --yes to apply non-interactively"
        );
    }
    print!("{}", render::apply_report::confirm_prompt());
    std::io::stdout().flush()?;
    let answer = session::blocking(|| {
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map(|_| answer)
    })?;
    Ok(answer.trim() == "yes")
}

/// A bar on a terminal (stderr), a line per step otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    fn new() -> Reporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Reporter { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn start(&self, steps: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(steps as u64);
        }
    }

    fn step(&self, address: &crate::model::Address, action: Action, outcome: &StepOutcome) {
        let line = render::apply_report::step(address, action, outcome);
        match &self.bar {
            Some(bar) => {
                if !matches!(outcome, StepOutcome::Done) {
                    bar.println(&line);
                }
                bar.set_message(line);
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }
}
