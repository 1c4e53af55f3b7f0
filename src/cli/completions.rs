//! `dingform completions SHELL`: shell completions and the man page, from the clap definitions.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

/// Print shell completions or the man page.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  dingform completions bash > /etc/bash_completion.d/dingform\n  dingform completions man > dingform.1"
)]
pub struct Args {
    /// bash, zsh, fish, or `man` for a roff man page.
    shell: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut command = super::Cli::command();
    // Rendered into memory first: clap_complete panics when its writer fails, and a reader
    // that stops early (`dingform completions bash | head`) closes the pipe.
    let mut out = Vec::new();
    if args.shell == "man" {
        clap_mangen::Man::new(command).render(&mut out)?;
    } else {
        let shell: Shell = match args.shell.as_str() {
            "bash" => Shell::Bash,
            "zsh" => Shell::Zsh,
            "fish" => Shell::Fish,
            other => anyhow::bail!("unknown shell `{other}`: expected bash, zsh, fish or man"),
        };
        clap_complete::generate(shell, &mut command, "dingform", &mut out);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}
