//! What commands say when they succeed, through the real binary: the sentences
//! `render::messages` holds for `state history`, `import`, `export`, `plan --out`, `state mv`
//! and `state rm`, in the order a person adopting a group types them. One snapshot for the
//! lot: a sentence that is lost or reworded on its way out of `cli` shows here.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_say_what_they_did_in_the_words_render_gives_them() {
    let emu = Emu::start().await;
    let scene = emu.scene_group("Ops Room", "manager4220", &[]).await;
    let ws = Workspace::new();
    let steps: [&[&str]; 7] = [
        &["state", "history"],
        &["import", "group.ops", &scene],
        &["export"],
        // The group is declared now (exported-groups.yaml): nothing is left to export.
        &["export", "--out", "again"],
        &["plan", "--out", "ops.plan"],
        &["state", "mv", "group.ops", "group.kitchen"],
        &["state", "rm", "group.kitchen"],
    ];
    let mut runs = Vec::new();
    for args in steps {
        let run = ws.run(&emu, args);
        assert_eq!(run.code, 0, "dingform {}: {}", args.join(" "), run.text());
        runs.push(format!(
            "--- dingform {}\n{}",
            args.join(" "),
            run.snapshot()
        ));
    }
    crate::assert_filtered_snapshot!("cli_messages", runs.join("\n"));
}

/// `dingform emulator` prints its URL alone on stdout (scripts read it) and says on stderr
/// what it serves and where it keeps its data.
#[test]
fn the_emulator_says_what_it_serves_on_stderr_and_only_its_url_on_stdout() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    use crate::common::deadline::KillAfter;

    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("emulator.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dingform"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = KillAfter::new(child.id(), std::time::Duration::from_secs(60));
    let first = |pipe: Box<dyn std::io::Read>| {
        let mut line = String::new();
        BufReader::new(pipe).read_line(&mut line).expect("a line");
        line
    };
    let stdout = first(Box::new(child.stdout.take().expect("piped")));
    let stderr = first(Box::new(child.stderr.take().expect("piped")));
    child.kill().expect("kill the emulator");
    child.wait().expect("the emulator ends");
    drop(deadline);
    crate::assert_filtered_snapshot!(
        "emulator_banner",
        format!("--- stdout\n{stdout}--- stderr\n{stderr}")
    );
}
