//! `--help` teaches (every command shows an example), and completions and the man page build
//! from the clap definitions.

use crate::common::workspace::dingform;
use crate::common::{Run, Workspace};

const COMMANDS: &[&[&str]] = &[
    &["validate"],
    &["plan"],
    &["apply"],
    &["import"],
    &["export"],
    &["state"],
    &["state", "pull"],
    &["state", "push"],
    &["state", "history"],
    &["state", "unlock"],
    &["show"],
    &["notify"],
    &["notify", "run"],
    &["notify", "status"],
    &["explain"],
    &["rules"],
    &["emulator"],
    &["schema"],
    &["completions"],
];

fn help(args: &[&str]) -> String {
    let run = dingform(&[args, &["--help"]].concat());
    assert_eq!(run.code, 0, "{args:?} --help failed:\n{}", run.text());
    run.stdout
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in COMMANDS {
        let text = help(command);
        assert!(
            text.contains("Example"),
            "`dingform {} --help` shows no example:\n{text}",
            command.join(" ")
        );
    }
}

#[test]
fn completions_build_for_every_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let run = dingform(&["completions", shell]);
        let text = &run.expect_code(0).stdout;
        assert!(
            text.contains("dingform") && text.contains("validate") && text.contains("notify"),
            "{shell}: {text}"
        );
    }
}

#[test]
fn the_man_page_builds() {
    let run = dingform(&["completions", "man"]);
    let text = &run.expect_code(0).stdout;
    assert!(text.starts_with(".ie") || text.contains(".TH"), "{text}");
    assert!(text.contains("dingform"));
}

#[test]
fn an_unknown_shell_is_a_clear_error() {
    let run = dingform(&["completions", "tcsh"]);
    crate::assert_filtered_snapshot!("unknown_shell", run.snapshot());
}

#[test]
fn a_usage_error_exits_1_never_the_2_that_detailed_exitcode_means_changes() {
    let runs: Vec<String> = [
        &["plan", "--no-such-flag"][..],
        &["plan", "--format", "yaml"],
        &["frobnicate"],
    ]
    .iter()
    .map(|args| {
        format!(
            "--- dingform {}\n{}",
            args.join(" "),
            dingform(args).snapshot()
        )
    })
    .collect();
    crate::assert_filtered_snapshot!("usage_errors", runs.join("\n"));
    let version = dingform(&["--version"]);
    assert!(version.expect_code(0).stdout.starts_with("dingform "));
}

#[test]
fn completions_into_a_pipe_closed_early_end_quietly() {
    // A pipe whose reader is already gone, as `dingform completions zsh | head -1` leaves it:
    // every write fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    for shell in ["zsh", "man"] {
        let workspace = Workspace::empty();
        let mut command = workspace.offline_command(&["completions", shell]);
        // Not `workspace::finish`: that captures stdout, and this run's stdout is the pipe.
        command.stdout(writer.try_clone().unwrap());
        let run = Run::from(command.output().expect("the binary runs"));
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
    }
}
