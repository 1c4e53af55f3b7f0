//! `dingform notify run [DIR] [--once] [--at RFC3339]` and `dingform notify status [DIR]`:
//! send the scheduled notifications apply registered, exactly once, and show what became of
//! them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

use super::session::{self, Session};
use crate::manifest;
use crate::model::{AppKind, Clock, SystemClock, Workspace};
use crate::notify::status;
use crate::notify::{
    self, CycleReport, DEFAULT_LOG_PATH, DeliveryLog, DeliveryStore, PostgresDeliveryLog,
    RunOptions, Runner, S3DeliveryLog,
};
use crate::render;
use crate::state::State;

/// Send scheduled notifications and follow their delivery.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  dingform notify run --once        # from cron or CI, every few minutes\n  \
    dingform notify run               # as a service\n  dingform notify status"
)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Send what is due (long-running, or one pass with --once).
    #[command(
        after_help = "Exit status (--once): 0 all sent, 1 a failure (a missed, refused, \
        unknown or failed occurrence, or recipients failed, forbidden or invalid).\n\n\
        Delivery log: .dingform/notify.db, or with DINGFORM_STATE_URL=postgres://… (or \
        s3://BUCKET/PREFIX and the AWS_* environment) and DINGFORM_STATE_KEY=NAME the shared \
        store, which runners on any number of hosts share (each occurrence sent once, one pace \
        for all).\n\n\
        Examples:\n  dingform notify run --once            # from cron or CI, every few minutes\n  \
        dingform notify run --once --at 2026-03-02T09:00:00+08:00\n  \
        dingform notify run                   # as a service\n  \
        DINGFORM_STATE_URL=postgres://dingform@db/dingform DINGFORM_STATE_KEY=oncall \
        dingform notify run --once"
    )]
    Run(RunArgs),
    /// Show recent occurrences, delivery counts and failures by reason.
    #[command(
        after_help = "Exit status: 0 when the latest occurrence of every notification \
        went out, 1 otherwise.\n\nExample:\n  dingform notify status examples/quickstart"
    )]
    Status(StatusArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The workspace directory (holding dingform.yaml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// One pass (send what is due, follow up, exit) instead of running until stopped.
    #[arg(long)]
    once: bool,
    /// Act as if it were this time (RFC 3339), with --once.
    #[arg(long, requires = "once", value_name = "RFC3339", value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    /// How long a pass waits for sends to finish before leaving the follow-up to the next.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    follow_up_wait: u64,
    /// Without --once: how often to re-read state (newly applied schedules), follow up, and
    /// send again what did not reach DingTalk, when no occurrence comes sooner.
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    interval: u64,
}

#[derive(Debug, clap::Args)]
struct StatusArgs {
    /// The workspace directory (holding dingform.yaml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// How many occurrences to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| {
            format!("`{text}` is not an RFC 3339 time such as 2026-03-02T09:00:00+08:00: {e}")
        })
}

/// Run `notify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Run(args) => run_runner(&args),
        Command::Status(args) => show_status(&args),
    }
}

fn workspace(dir: &Path) -> anyhow::Result<Workspace> {
    if !dir.is_dir() {
        bail!("{}: not a directory", dir.display());
    }
    let validation = manifest::load(dir);
    if validation.workspace.settings.is_none() {
        bail!(
            "{}: no readable dingform.yaml (run `dingform validate {}`)",
            dir.display(),
            dir.display()
        );
    }
    Ok(validation.workspace)
}

fn log_path(workspace: &Workspace) -> PathBuf {
    workspace.root.join(DEFAULT_LOG_PATH)
}

fn options(workspace: &Workspace, follow_up_wait: u64) -> RunOptions {
    let settings = workspace.settings.as_ref();
    RunOptions {
        agent_id: settings
            .and_then(|s| s.app.as_ref())
            .and_then(|app| app.agent_id.as_ref())
            .and_then(|id| i64::try_from(id.value).ok()),
        app_kind: settings.map_or(AppKind::Internal, |s| s.app_kind()),
        follow_up_wait: Duration::from_secs(follow_up_wait),
        workspace_root: workspace.root.clone(),
        ..RunOptions::default()
    }
}

async fn read_state(workspace: &Workspace) -> anyhow::Result<State> {
    let store = session::state_store(workspace)?;
    store
        .store
        .read()
        .await
        .context("cannot read the state")?
        .with_context(|| {
            format!(
                "no state at {}: notifications are sent once `dingform apply` registered them",
                store.store.location()
            )
        })
}

/// Where the delivery log lives: in the shared PostgreSQL store when the state is there
/// (`state: {url, key}` or `DINGFORM_STATE_URL` / `DINGFORM_STATE_KEY`), shared by every
/// runner of the workspace; else the SQLite file in the workspace.
enum LogLocation {
    File(PathBuf),
    Postgres { url: String, key: String },
    S3 { url: String, key: String },
}

fn log_location(workspace: &Workspace) -> anyhow::Result<LogLocation> {
    // The log lives with the state: in the shared store when there is one.
    match session::shared_store_of(workspace)? {
        Some((url, key)) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(LogLocation::Postgres { url, key })
        }
        Some((url, key)) if url.starts_with("s3://") => Ok(LogLocation::S3 { url, key }),
        _ => Ok(LogLocation::File(log_path(workspace))),
    }
}

/// Open the delivery log (the SQLite file under the runner lock, see
/// [`DeliveryLog::open_locked`]).
async fn open_log(location: &LogLocation) -> anyhow::Result<Box<dyn DeliveryStore>> {
    Ok(match location {
        LogLocation::File(path) => Box::new(DeliveryLog::open_locked(path).await?),
        LogLocation::Postgres { url, key } => Box::new(PostgresDeliveryLog::open(url, key).await?),
        LogLocation::S3 { url, key } => Box::new(S3DeliveryLog::open(url, key).await?),
    })
}

fn run_runner(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let workspace = workspace(&args.dir)?;
    let options = options(&workspace, args.follow_up_wait);
    let location = log_location(&workspace)?;
    let runtime = session::runtime()?;
    let log = runtime.block_on(open_log(&location))?;
    runtime.block_on(async {
        let session = Session::open(&workspace, None).await?;
        let client = session.client.clone();
        let mut runner = Runner::with_store(client.as_ref(), log, options);
        let outcome = if args.once {
            let at = args.at.unwrap_or_else(|| SystemClock.now());
            let state = read_state(&workspace).await?;
            let lock = runner.log().guard().await?;
            let report = runner.cycle(&state, at).await?;
            drop(lock);
            print_report(&report, &status::zones(&state));
            Ok(if report.is_success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        } else {
            serve(&workspace, &mut runner, args.interval).await
        };
        drop(runner);
        session.close().await;
        outcome
    })
}

/// Run until stopped (Ctrl-C or SIGTERM): [`notify::serve`] on the wall clock, printing each
/// cycle's report.
async fn serve<A: crate::provider::MessageApi + crate::provider::WebhookApi>(
    workspace: &Workspace,
    runner: &mut Runner<'_, A>,
    interval: u64,
) -> anyhow::Result<ExitCode> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    let stop = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    };
    eprintln!("{}", render::notify_report::serving());
    let outcome = notify::serve(
        runner,
        &SystemClock,
        Duration::from_secs(interval),
        || read_state(workspace),
        stop,
        |event| match event {
            notify::ServeEvent::Cycle(report, state) => print_report(report, &status::zones(state)),
            notify::ServeEvent::StateUnreadable(error) => {
                eprintln!("{}", render::messages::warning(error));
            }
        },
    )
    .await?;
    eprintln!("{}", render::notify_report::stopped());
    Ok(if outcome.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A cycle's report on stdout, its errors on stderr.
fn print_report(report: &CycleReport, zones: &render::notify_report::Zones) {
    print!("{}", render::notify_report::cycle(report, zones));
    eprint!("{}", render::notify_report::cycle_errors(report));
}

fn show_status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let workspace = workspace(&args.dir)?;
    let location = log_location(&workspace)?;
    if let LogLocation::File(path) = &location
        && !path.exists()
    {
        print!("{}", render::notify_report::no_log(path));
        return Ok(ExitCode::SUCCESS);
    }
    let (lines, zones) = session::runtime()?.block_on(async {
        let log = open_log(&location).await?;
        let lines = status::recent(log.as_ref(), args.limit).await?;
        // Without a readable state the times are shown in UTC, which they are stored in.
        let zones = read_state(&workspace)
            .await
            .map(|state| status::zones(&state))
            .unwrap_or_default();
        anyhow::Ok((lines, zones))
    })?;
    let occurrences: Vec<_> = lines.iter().map(status::StatusLine::report).collect();
    print!("{}", render::notify_report::status(&occurrences, &zones));
    Ok(if status::latest_failed(&lines) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
