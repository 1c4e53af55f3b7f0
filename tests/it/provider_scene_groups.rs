//! Scene groups through the client against the emulator: idempotent create, read back,
//! update, members, admins, disband, and the platform's error codes.

use crate::common::{APP_KEY, APP_SECRET, Emu};
use dingform::model::live::{GroupKind, GroupSettings, GroupStatus};
use dingform::provider::{ErrorKind, MEMBER_PAGE, NewSceneGroup, SceneGroupApi, SceneGroupUpdate};
use serde_json::json;

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

fn oncall(uuid: &str) -> NewSceneGroup {
    NewSceneGroup {
        title: "On-call".into(),
        template_id: "tpl-default".into(),
        owner: "manager4220".into(),
        members: ids(&["manager4220", "u1001", "u1002"]),
        admins: Vec::new(),
        uuid: Some(uuid.into()),
        icon: None,
        settings: GroupSettings {
            validation_type: Some(1),
            ..GroupSettings::default()
        },
    }
}

#[tokio::test]
async fn create_with_the_same_uuid_returns_the_same_group() {
    let emu = Emu::start().await;
    let client = emu.client();
    let first = client
        .create_scene_group(&oncall("group.oncall"))
        .await
        .expect("create");
    let second = client
        .create_scene_group(&oncall("group.oncall"))
        .await
        .expect("create again");
    assert_eq!(first, second);
    let state = emu.state().await;
    let groups = state["groups"].as_array().expect("groups");
    let matching = groups
        .iter()
        .filter(|g| g["uuid"] == "group.oncall")
        .count();
    assert_eq!(matching, 1, "{groups:#?}");
}

#[tokio::test]
async fn a_created_group_reads_back_as_declared() {
    let emu = Emu::start().await;
    let client = emu.client();
    let created = client
        .create_scene_group(&oncall("g1"))
        .await
        .expect("create");
    let group = client
        .get_scene_group(&created.open_conversation_id)
        .await
        .expect("get");
    assert_eq!(group.kind, GroupKind::Scene);
    assert_eq!(group.title, "On-call");
    assert_eq!(group.owner, "manager4220");
    assert_eq!(group.members, ids(&["manager4220", "u1001", "u1002"]));
    assert_eq!(group.template_id.as_deref(), Some("tpl-default"));
    assert_eq!(group.settings.validation_type, Some(1));
    assert_eq!(group.status, GroupStatus::Active);
    assert!(group.group_url.is_some(), "a join URL: {group:?}");
}

#[tokio::test]
async fn updates_members_and_admins_round_trip() {
    let emu = Emu::start().await;
    let client = emu.client();
    let id = client
        .create_scene_group(&oncall("g2"))
        .await
        .expect("create")
        .open_conversation_id;

    let update = SceneGroupUpdate {
        title: Some("On-call (payments)".into()),
        settings: GroupSettings {
            chat_banned_type: Some(1),
            ..GroupSettings::default()
        },
        ..SceneGroupUpdate::default()
    };
    client
        .update_scene_group(&id, &update)
        .await
        .expect("update");
    client
        .add_scene_group_members(&id, &ids(&["u1003", "u1004"]))
        .await
        .expect("add");
    client
        .remove_scene_group_members(&id, &ids(&["u1001"]))
        .await
        .expect("remove");
    client
        .set_scene_group_admins(&id, &ids(&["u1003"]), true)
        .await
        .expect("admin");

    let group = client.get_scene_group(&id).await.expect("get");
    assert_eq!(group.title, "On-call (payments)");
    assert_eq!(group.settings.chat_banned_type, Some(1));
    assert_eq!(
        group.settings.validation_type,
        Some(1),
        "untouched settings stay"
    );
    assert_eq!(
        group.members,
        ids(&["manager4220", "u1002", "u1003", "u1004"])
    );
    assert_eq!(group.admins, ids(&["u1003"]));

    client
        .set_scene_group_admins(&id, &ids(&["u1003"]), false)
        .await
        .expect("demote");
    assert!(
        client
            .get_scene_group(&id)
            .await
            .expect("get")
            .admins
            .is_empty()
    );
}

#[tokio::test]
async fn many_members_are_added_in_chunks_and_listed_across_pages() {
    let emu = Emu::start().await;
    let userids: Vec<String> = (0..700).map(|n| format!("user{n:04}")).collect();
    let users: Vec<_> = userids
        .iter()
        .map(|id| json!({ "userid": id, "name": id, "departments": [1] }))
        .collect();
    emu.admin(
        "seed",
        json!({
            "organization": { "corp_id": "dingbig", "name": "Big Organization" },
            "apps": [{ "app_key": APP_KEY, "app_secret": APP_SECRET, "agent_id": 123456, "kind": "internal" }],
            "departments": [{ "id": 1, "name": "Everyone" }],
            "users": users,
            "bots": [],
            "scene_group_templates": [{ "id": "tpl-default", "name": "Default" }],
        }),
    )
    .await;
    let client = emu.client();
    let group = NewSceneGroup {
        owner: userids[0].clone(),
        members: userids.clone(),
        settings: GroupSettings::default(),
        ..oncall("big")
    };
    let id = client
        .create_scene_group(&group)
        .await
        .expect("create")
        .open_conversation_id;
    let before = client.stats().requests;
    let members = client.scene_group_members(&id).await.expect("members");
    assert_eq!(members, userids);
    assert_eq!(
        client.stats().requests - before,
        2,
        "two pages of {MEMBER_PAGE}"
    );
}

#[tokio::test]
async fn a_disbanded_group_reads_as_disbanded_and_an_unknown_one_as_not_found() {
    let emu = Emu::start().await;
    let client = emu.client();
    let id = client
        .create_scene_group(&oncall("g4"))
        .await
        .expect("create")
        .open_conversation_id;
    client.disband_scene_group(&id).await.expect("disband");
    let group = client
        .get_scene_group(&id)
        .await
        .expect("a disbanded group still reads");
    assert_eq!(group.status, GroupStatus::Disbanded);
    assert!(group.members.is_empty());

    let error = client
        .get_scene_group("cid-never-existed")
        .await
        .expect_err("unknown group");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
}

#[tokio::test]
async fn errors_carry_the_platform_code_and_path() {
    let emu = Emu::start().await;
    let client = emu.client();
    let mut group = oncall("g5");
    group.template_id = "tpl-missing".into();
    let error = client
        .create_scene_group(&group)
        .await
        .expect_err("no such template");
    assert_eq!(error.code(), Some("groupTemplate.notFound"), "{error}");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.path(), Some("/v1.0/im/sceneGroup/create"));
    assert_eq!(error.attempts(), 1, "a refusal is not retried");
    let shown = error.to_string();
    assert!(
        shown.contains("/v1.0/im/sceneGroup/create") && shown.contains("groupTemplate.notFound"),
        "{shown}"
    );
}
