//! `dingform apply` on a terminal: it asks, and only `yes` applies. The terminal is a real
//! pseudo-terminal from util-linux `script`, with the answer typed on its input.

use std::io::Write;
use std::process::Stdio;

use crate::common::{EmulatorProcess, Workspace};

const GROUPS: &str = "groups:\n  ops: {title: Ops, type: scene, owner: u1001}\n";

/// `dingform apply` started inside a pseudo-terminal, with `env` on top of the emulator's
/// credentials; its input, output and errors piped.
fn spawn_on_a_terminal(
    workspace: &Workspace,
    emulator: &EmulatorProcess,
    env: &[(&'static str, String)],
) -> std::process::Child {
    let binary = env!("CARGO_BIN_EXE_dingform");
    std::process::Command::new("script")
        .args(["-qec", &format!("{binary} apply ."), "/dev/null"])
        .current_dir(workspace.path())
        .env("DINGFORM_ENDPOINT", &emulator.base)
        .env("DINGTALK_APP_KEY", "demo-key")
        .env("DINGTALK_APP_SECRET", crate::common::APP_SECRET)
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(name, value)| (*name, value)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` is installed (it provides the pseudo-terminal)")
}

/// Run `dingform apply` inside a pseudo-terminal, typing `answer`.
fn apply_on_a_terminal(
    workspace: &Workspace,
    emulator: &EmulatorProcess,
    answer: &str,
) -> (i32, String) {
    let mut script = spawn_on_a_terminal(workspace, emulator, &[]);
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

/// While apply waits at its question, the command's runtime goes on: the lock of a shared state
/// store keeps being renewed however long the person reads the plan (on a one-thread runtime a
/// prompt read on the main thread would stop the renewal, and the lease would lapse under an
/// apply that then goes ahead).
#[test]
fn while_apply_waits_for_its_answer_the_state_lock_is_still_renewed() {
    use std::io::Read;

    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", GROUPS)]);
    let db = crate::common::postgres::TestDatabase::fresh_blocking();
    let mut script = spawn_on_a_terminal(&workspace, &emulator, &db.env("payments"));
    // Read what the terminal shows until the question.
    let mut stdout = script.stdout.take().unwrap();
    let mut shown = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&shown).contains("Enter a value") {
        let read = stdout.read(&mut chunk).unwrap();
        assert!(
            read > 0,
            "apply ended before asking: {}",
            String::from_utf8_lossy(&shown)
        );
        shown.extend_from_slice(&chunk[..read]);
    }
    // Taken with a lease of 20 s; each renewal (every 5 s) puts its end 20 s after itself.
    let renewed = "SELECT count(*) FROM dingform.state_locks \
                   WHERE expires_at > since + interval '22 seconds'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while db.count_blocking(renewed) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the lock was not renewed in 30 s while apply waited for its answer"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let mut stdin = script.stdin.take().unwrap();
    stdin.write_all(b"no\n").unwrap();
    drop(stdin);
    let status = script.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(rest.contains("Apply cancelled."), "{rest}");
    assert!(emulator.titles().is_empty(), "nothing was made");
}
