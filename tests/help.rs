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
