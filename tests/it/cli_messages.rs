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
