//! `--help` teaches (every command shows an example), and completions and the man page build
//! from the clap definitions.

use assert_cmd::Command;

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
    let output = Command::cargo_bin("dingform")
        .unwrap()
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?} --help failed");
    String::from_utf8(output.stdout).unwrap()
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
        let output = Command::cargo_bin("dingform")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains("dingform") && text.contains("validate") && text.contains("notify"),
            "{shell}: {text}"
        );
    }
}

#[test]
fn the_man_page_builds() {
    let output = Command::cargo_bin("dingform")
        .unwrap()
        .args(["completions", "man"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with(".ie") || text.contains(".TH"), "{text}");
    assert!(text.contains("dingform"));
}

#[test]
fn an_unknown_shell_is_a_clear_error() {
    let output = Command::cargo_bin("dingform")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected bash, zsh, fish or man"));
}

#[test]
fn a_usage_error_exits_1_never_the_2_that_detailed_exitcode_means_changes() {
    for args in [
        &["plan", "--no-such-flag"][..],
        &["plan", "--format", "yaml"],
        &["frobnicate"],
    ] {
        let output = Command::cargo_bin("dingform")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("error:"), "{args:?}: {stderr}");
    }
    let version = Command::cargo_bin("dingform")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(
        String::from_utf8(version.stdout)
            .unwrap()
            .starts_with("dingform ")
    );
}

#[test]
fn completions_into_a_pipe_closed_early_end_quietly() {
    // A pipe whose reader is already gone, as `dingform completions zsh | head -1` leaves it:
    // every write fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    for shell in ["zsh", "man"] {
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("dingform"))
            .args(["completions", shell])
            .stdout(writer.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{shell}: {stderr}");
        assert!(stderr.is_empty(), "{shell}: {stderr}");
    }
}
