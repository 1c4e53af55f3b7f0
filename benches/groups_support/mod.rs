//! What the apply benches share: a workspace of `groups` scene groups aimed at an emulator.

use std::path::{Path, PathBuf};

/// Write `dir/workspace`: settings naming the emulator at `base`, and `groups` scene groups
/// (`g0000`…), each with the demo owner and one member. Returns the workspace's path.
pub fn write_workspace(dir: &Path, base: &str, groups: usize) -> PathBuf {
    let workspace = dir.join("workspace");
    std::fs::create_dir_all(&workspace).expect("workspace");
    std::fs::write(
        workspace.join("dingform.yaml"),
        format!("organization: Test Organization Demo\nendpoint: {base}\n"),
    )
    .expect("settings");
    let mut yaml = String::from("groups:\n");
    for i in 0..groups {
        yaml.push_str(&format!(
            "  g{i:04}: {{title: Group {i:04}, type: scene, template: tpl-default, owner: manager4220, members: [u1001]}}\n"
        ));
    }
    std::fs::write(workspace.join("groups.yaml"), yaml).expect("manifests");
    workspace
}
