//! The command line: clap definitions, one file per command. The only layer that prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod apply;
mod completions;
mod emulator;
mod explain;
mod export;
mod import;
mod notify;
mod pace;
mod plan;
mod schema;
mod session;
mod show;
mod state;
mod validate;

/// Keep DingTalk groups, bots and scheduled notifications as YAML in git.
#[derive(Debug, Parser)]
#[command(name = "dingform", version, about, long_about = None)]
pub struct Cli {
    /// Disable coloured output (also NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Log each request (tokens and secrets masked); repeat for more.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and check manifests, no network (exit 0 valid, 1 invalid).
    Validate(validate::Args),
    /// Show what apply would change, and what the platform would refuse.
    Plan(plan::Args),
    /// Carry out a plan: a workspace's (shown, then confirmed) or a saved plan file's.
    Apply(apply::Args),
    /// Adopt a live group or bot into the state, changing nothing on DingTalk.
    Import(import::Args),
    /// Write manifests for what the state holds and no manifest declares.
    Export(export::Args),
    /// Print a saved plan file as `plan` would have.
    Show(show::Args),
    /// Inspect, repair and move the state: list, show, rm, mv, pull, push, history, unlock.
    State(state::Args),
    /// Send the scheduled notifications that are due; show recent deliveries.
    Notify(notify::Args),
    /// Print a rule's page: what the platform does, why, an example and the fix.
    Explain(explain::ExplainArgs),
    /// List every rule id.
    Rules(explain::RulesArgs),
    /// Serve the DingTalk API emulator; the first line printed is its base URL.
    Emulator(emulator::Args),
    /// Print the manifests' JSON Schema.
    Schema(schema::Args),
    /// Print shell completions (bash, zsh, fish) or the man page.
    Completions(completions::Args),
}

/// Parse the command line, run the command, and map its outcome to an exit code.
///
/// A usage error (unknown flag, bad value) exits 1, never clap's 2: `plan --detailed-exitcode`
/// keeps 2 for "there are changes", so a CI script must not read a typo as a pending change.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version also arrive here, on stdout and with success.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose, cli.no_color);
    let result = match cli.command {
        Command::Completions(args) => completions::run(args),
        Command::Plan(args) => plan::run(args, cli.no_color),
        Command::State(args) => state::run(args),
        Command::Show(args) => show::run(args, cli.no_color),
        Command::Import(args) => import::run(args),
        Command::Export(args) => export::run(args, cli.no_color),
        Command::Apply(args) => apply::run(args, cli.no_color),
        Command::Validate(args) => validate::run(args, cli.no_color),
        Command::Schema(args) => schema::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Notify(args) => notify::run(args),
        Command::Explain(args) => explain::explain(args),
        Command::Rules(args) => explain::list(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}", crate::render::messages::error(format!("{error:#}")));
            ExitCode::FAILURE
        }
    }
}

/// `-v` logs each request at debug level (`-vv` trace) to stderr; `RUST_LOG` overrides.
/// The provider never puts tokens or secrets in its events.
fn init_logging(verbose: u8, no_color: bool) {
    let default = match verbose {
        0 => "warn",
        1 => "warn,dingform=debug",
        _ => "warn,dingform=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(validate::color_wanted(no_color))
        .try_init();
}
