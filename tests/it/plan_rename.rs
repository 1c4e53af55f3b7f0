//! A group renamed without its `moved` block: the plan warns at the new name and writes the
//! block to add; with the block, or with another title, it says nothing.

use crate::common::{Emu, Workspace};
use crate::plan_support::{findings, plan_json};

const BEFORE: &str = "groups:\n  release-train: {title: Release Train, type: scene, owner: u1003, members: [u1001]}\n";
const RENAMED: &str = "groups:\n  release-trains: {title: Release Train, type: scene, owner: u1003, members: [u1001]}\n";

async fn applied() -> (Emu, Workspace) {
    let emu = Emu::start().await;
    let ws = Workspace::with_files(&[("groups.yaml", BEFORE)]);
    ws.run(&emu, &["apply", "--yes"]).expect_code(0);
    (emu, ws)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_without_moved_is_a_warning_at_the_new_name_with_the_block_to_add() {
    let (emu, ws) = applied().await;
    ws.write("groups.yaml", RENAMED);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "a warning does not fail the plan: {plan:#}");
    let warned = findings(&plan, "rename-without-moved");
    assert_eq!(warned.len(), 1, "{plan:#}");
    assert_eq!(warned[0]["severity"], "warning");
    assert_eq!(warned[0]["file"], "groups.yaml");
    assert_eq!(warned[0]["line"], 2);
    assert!(
        warned[0]["help"]
            .as_str()
            .unwrap()
            .contains("moved: [{from: group.release-train, to: group.release-trains}]"),
        "{plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_moved_block_or_another_title_a_rename_gets_no_warning() {
    let (emu, ws) = applied().await;
    ws.write(
        "groups.yaml",
        &format!("{RENAMED}moved: [{{from: group.release-train, to: group.release-trains}}]\n"),
    );
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert!(
        findings(&plan, "rename-without-moved").is_empty(),
        "{plan:#}"
    );

    ws.write(
        "groups.yaml",
        &RENAMED.replace("Release Train", "Release Trains"),
    );
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert!(
        findings(&plan, "rename-without-moved").is_empty(),
        "{plan:#}"
    );
}
