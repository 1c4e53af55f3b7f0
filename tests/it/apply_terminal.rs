//! `dingform apply` on a terminal: it asks, and only `yes` applies. The terminal is a real
//! pseudo-terminal from util-linux `script`, with the answer typed on its input.

use std::io::Write;
use std::process::Stdio;

use crate::common::{EmulatorProcess, Workspace};

const GROUPS: &str = "groups:\n  ops: {title: Ops, type: scene, owner: u1001}\n";

/// Run `dingform apply` inside a pseudo-terminal, typing `answer`.
fn apply_on_a_terminal(
    workspace: &Workspace,
    emulator: &EmulatorProcess,
    answer: &str,
) -> (i32, String) {
    let binary = env!("CARGO_BIN_EXE_dingform");
    let mut script = std::process::Command::new("script")
        .args(["-qec", &format!("{binary} apply ."), "/dev/null"])
        .current_dir(workspace.path())
        .env("DINGFORM_ENDPOINT", &emulator.base)
        .env("DINGTALK_APP_KEY", "demo-key")
        .env("DINGTALK_APP_SECRET", crate::common::APP_SECRET)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` is installed (it provides the pseudo-terminal)");
    script
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{answer}\n").as_bytes())
        .unwrap();
    let output = script.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn on_a_terminal_apply_asks_and_anything_but_yes_cancels() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", GROUPS)]);

    let (code, output) = apply_on_a_terminal(&workspace, &emulator, "y");
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("Only 'yes' will be accepted"), "{output}");
    assert!(output.contains("Apply cancelled."), "{output}");
    assert!(emulator.titles().is_empty(), "nothing was made");

    let (code, output) = apply_on_a_terminal(&workspace, &emulator, "yes");
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Apply complete: 1 added"), "{output}");
    assert_eq!(emulator.titles(), ["Ops"]);
}
