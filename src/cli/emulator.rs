//! `dingform emulator [--listen ADDR] [--data FILE] [--seed FILE]`: serve the DingTalk API
//! emulator. The first line on stdout is its base URL (flushed at once, so `--listen
//! 127.0.0.1:0` works for scripts and tests).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::emulator::{Emulator, EmulatorConfig, Seed};

/// Serve the DingTalk API emulator.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  dingform emulator --listen 127.0.0.1:0 --data .dingform/emulator.json\n\nAdmin API: GET /_emulator/state, POST /_emulator/{reset,seed,clock,faults}, POST /_emulator/users/USERID/leave"
)]
pub struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// Persist to this file (loaded if it exists; every acknowledged change is written).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The organization (YAML); the built-in demo organization without it.
    #[arg(long)]
    seed: Option<PathBuf>,
}

/// Run the emulator until interrupted.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let seed = match &args.seed {
        Some(path) => Seed::from_file(path)?,
        None => Seed::demo(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig {
            listen: args.listen,
            data_file: args.data.clone(),
            seed,
        })
        .await
        .context("cannot start the emulator")?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", emulator.base_url())?;
        out.flush()?;
        drop(out);
        eprintln!(
            "{}",
            crate::render::messages::emulator_serving(&emulator.base_url(), args.data.as_deref())
        );
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = emulator.wait() => {}
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
