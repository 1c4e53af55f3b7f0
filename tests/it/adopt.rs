//! Adopting what exists: `dingform import`, `dingform export` and `import` blocks, end to end
//! against the emulator over real HTTP.

use crate::common::*;
use crate::plan_support::*;
use dingform::model::live::{CreatedGroup, GroupKind};
use dingform::provider::NewGroup;
use dingform::provider::prelude::*;

fn state_text(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.join(".dingform/state.json")).unwrap_or_default()
}

/// A standard group "Lunch" (owner u1006, with u1005) made through the API, as a person's script
/// would.
async fn lunch_group(emu: &Emu) -> CreatedGroup {
    emu.client()
        .create_group(&NewGroup {
            kind: GroupKind::Standard,
            title: "Lunch".into(),
            owner: "u1006".into(),
            members: vec!["u1006".into(), "u1005".into()],
            settings: Default::default(),
        })
        .await
        .expect("standard group")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_made_through_the_api_are_imported_exported_and_then_plan_is_empty() {
    let emu = Emu::start().await;
    let scene = emu
        .scene_group("Ops Room", "manager4220", &["u1001", "u1002"])
        .await;
    let standard = lunch_group(&emu).await;
    let chat_id = standard.chat_id.expect("chat id");
    let ws = Workspace::new();
    for (address, id) in [
        ("group.ops", scene.as_str()),
        ("group.lunch", chat_id.as_str()),
        ("bot.alerts", "dingbot-alerts"),
    ] {
        let run = ws.run(&emu, &["import", address, id]);
        assert_eq!(run.code, 0, "import {address}: {}", run.stderr);
    }
    // Importing changed nothing live.
    let live = emu.state().await;
    assert_eq!(
        live["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["title"] == "Ops Room")
            .count(),
        1
    );

    let run = ws.run(&emu, &["export"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let groups = std::fs::read_to_string(ws.join("exported-groups.yaml")).unwrap();
    assert!(
        groups.starts_with("# yaml-language-server: $schema="),
        "{groups}"
    );
    assert!(
        groups.contains("title: Ops Room") && groups.contains("type: standard"),
        "{groups}"
    );
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "the plan after import and export is empty: {plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_missing_ids_taken_addresses_managed_ids_and_notifications() {
    let emu = Emu::start().await;
    let scene = emu.scene_group("Ops Room", "manager4220", &[]).await;
    let ws = Workspace::new();
    assert_eq!(ws.run(&emu, &["import", "group.ops", &scene]).code, 0);
    let before = state_text(&ws);
    let refusals: [&[&str]; 6] = [
        &["import", "group.ghost", "cidNoSuchGroup=="],
        &["import", "group.bot-id", "dingbot-alerts"],
        &["import", "bot.nobody", "dingbot-nobody"],
        &["import", "group.ops", "cidOther=="],
        &["import", "group.again", &scene],
        &["import", "notification.daily", "x"],
    ];
    let mut runs = Vec::new();
    for args in refusals {
        let run = ws.run(&emu, args);
        assert_eq!(state_text(&ws), before, "{args:?} left the state alone");
        runs.push(format!(
            "--- dingform {}\n{}",
            args.join(" "),
            run.snapshot()
        ));
    }
    crate::assert_filtered_snapshot!("import_refusals", runs.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_never_overwrites_a_file_without_force() {
    let emu = Emu::start().await;
    let scene = emu.scene_group("Ops Room", "manager4220", &[]).await;
    let ws = Workspace::new().file("exported-groups.yaml", "# mine\n");
    assert_eq!(ws.run(&emu, &["import", "group.ops", &scene]).code, 0);
    let run = ws.run(&emu, &["export"]);
    crate::assert_filtered_snapshot!("export_without_force", run.snapshot());
    assert_eq!(
        std::fs::read_to_string(ws.join("exported-groups.yaml")).unwrap(),
        "# mine\n"
    );
    // A workspace file that does not declare the group would now be a duplicate definition;
    // export elsewhere instead.
    let run = ws.run(&emu, &["export", "--out", "adopted", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(ws.join("adopted/exported-groups.yaml").is_file());
}

const ALL_HANDS: &str = "groups:\n  all-hands:\n    title: Test Organization Demo [Internal Group]\n    type: internal\n    owner: manager4220\n    members: [u1001, u1002, u1003, u1004, u1005, u1006, u1007, u1008]\n";

/// A workspace with [`ALL_HANDS`] and an `import` block adopting it from the live group `id`.
fn importing_all_hands(id: &str) -> Workspace {
    Workspace::new().file(
        "groups.yaml",
        format!("{ALL_HANDS}import:\n  - {{to: group.all-hands, id: {id}}}\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_adopts_the_group_and_the_block_is_harmless_afterwards() {
    let emu = Emu::start().await;
    let ws = importing_all_hands("chatdemoallhands");
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 2, "{plan:#}");
    let import = change(&plan, "group.all-hands");
    assert_eq!(import["action"], "import");
    assert_eq!(import["from"], "chatdemoallhands");
    assert!(
        import.get("fields").is_none(),
        "live matches the manifest: {import:#}"
    );
    let groups_before = emu.state().await["groups"].as_array().unwrap().len();

    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        emu.state().await["groups"].as_array().unwrap().len(),
        groups_before,
        "nothing was created"
    );
    assert!(
        state_text(&ws).contains("cidDemoAllHands=="),
        "the state records the group's id"
    );
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_with_changes_adopts_then_updates_in_one_apply() {
    let emu = Emu::start().await;
    let manifest = format!(
        "{ALL_HANDS}    settings: {{mention_all: admins}}\nimport:\n  - {{to: group.all-hands, id: chatdemoallhands}}\n"
    );
    let ws = Workspace::new().file("groups.yaml", manifest);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    let import = change(&plan, "group.all-hands");
    assert_eq!(import["action"], "import");
    assert_eq!(
        import["fields"][0]["field"], "settings.mention_all",
        "{import:#}"
    );
    let run = ws.run(&emu, &["apply", "--yes"]);
    // One import, counted once.
    crate::assert_filtered_snapshot!("apply_counts_an_import_once", run.snapshot());
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_naming_a_missing_group_is_an_error_at_its_line() {
    let emu = Emu::start().await;
    let ws = importing_all_hands("chatnosuchgroup");
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let error = findings(&plan, "import-not-found");
    assert_eq!(error.len(), 1, "{plan:#}");
    assert_eq!(error[0]["line"], 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scene_group_imported_by_its_chat_id_is_recorded_and_exported_as_a_scene_group() {
    let emu = Emu::start().await;
    let scene = emu.scene_group("Ops Room", "manager4220", &["u1001"]).await;
    let live = emu.state().await;
    let chat_id = live["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["open_conversation_id"] == scene.as_str())
        .and_then(|g| g["chat_id"].as_str())
        .expect("a scene group has a chat id")
        .to_owned();
    let ws = Workspace::new();
    let run = ws.run(&emu, &["import", "group.ops", &chat_id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let state: serde_json::Value = serde_json::from_str(&state_text(&ws)).unwrap();
    let entry = &state["resources"]["group.ops"];
    assert_eq!(entry["attributes"]["type"], "scene", "{entry}");
    assert_eq!(entry["id"], scene.as_str(), "{entry}");

    let run = ws.run(&emu, &["export"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let groups = std::fs::read_to_string(ws.join("exported-groups.yaml")).unwrap();
    assert!(groups.contains("type: scene"), "{groups}");
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "nothing to change after adoption: {plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_naming_a_group_another_address_manages_is_an_error_at_its_line() {
    let emu = Emu::start().await;
    let ws = importing_all_hands("chatdemoallhands");
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // A second address adopts the same group: the two would rewrite it against each other.
    let ws = ws.file(
        "more.yaml",
        "groups:\n  everyone: {title: Everyone, type: internal, owner: manager4220, members: [u1001]}\nimport:\n  - {to: group.everyone, id: chatdemoallhands}\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let found = findings(&plan, "import-already-managed");
    assert_eq!(found.len(), 1, "{plan:#}");
    assert_eq!(found[0]["file"], "more.yaml");
    assert_eq!(found[0]["line"], 4);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("group.all-hands")
    );
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 1);
    let live = emu.state().await;
    let all_hands = live["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["chat_id"] == "chatdemoallhands")
        .unwrap();
    // The owner and the eight members of the manifest: not emptied to the second address's one.
    assert_eq!(
        all_hands["members"].as_array().unwrap().len(),
        9,
        "left as it was: {all_hands}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_group_named_by_its_open_conversation_id_is_refused_not_recorded_as_a_scene_group()
 {
    let emu = Emu::start().await;
    let standard = lunch_group(&emu).await;
    let ws = Workspace::new().file(
        "groups.yaml",
        "groups:\n  lunch: {title: Lunch, type: standard, owner: u1006, members: [u1005]}\n",
    );
    let run = ws.run(
        &emu,
        &["import", "group.lunch", &standard.open_conversation_id],
    );
    crate::assert_filtered_snapshot!("import_standard_by_open_id", run.snapshot());
    assert_eq!(
        ws.state()["resources"]["group.lunch"],
        serde_json::Value::Null
    );

    // By its chat id it is adopted as what it is, and nothing needs to change.
    let chat_id = standard.chat_id.expect("chat id");
    ws.run(&emu, &["import", "group.lunch", &chat_id])
        .expect_code(0);
    assert_eq!(
        ws.state()["resources"]["group.lunch"]["attributes"]["type"],
        "standard"
    );
    let (code, plan) = plan_json(&ws, &emu, &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_naming_the_internal_group_by_open_conversation_id_asks_for_its_chat_id() {
    let emu = Emu::start().await;
    let ws = importing_all_hands("cidDemoAllHands==");
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    assert!(findings(&plan, "import-mismatch").is_empty(), "{plan:#}");
    let error = findings(&plan, "import-needs-chat-id");
    assert_eq!(error.len(), 1, "{plan:#}");
    assert_eq!(error[0]["line"], 8);
    assert_eq!(
        change(&plan, "group.all-hands")["action"],
        "import",
        "never a replace of the Internal Group: {plan:#}"
    );
}
