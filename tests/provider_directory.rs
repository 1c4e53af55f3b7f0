//! Directory, ordinary groups, bots and work notifications through the client against the
//! emulator's demo organization.

mod provider_support;

use chrono::DateTime;
use dingform::model::live::{GroupKind, GroupSettings};
use dingform::model::wire::notification::WorkMessage;
use dingform::provider::{
    ChatApi, DirectoryApi, ErrorKind, GroupUpdate, MessageApi, NewGroup, NewSceneGroup, RobotApi,
    SceneGroupApi, WorkNotification,
};
use provider_support::{AGENT_ID, Emu};
use serde_json::json;

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[tokio::test]
async fn users_departments_and_departures_read_back() {
    let emu = Emu::start().await;
    let client = emu.client();
    let user = client.get_user("u1001").await.expect("user");
    assert_eq!(user.name, "Li Lei");
    assert_eq!(user.dept_ids, vec![2]);
    assert!(user.active);
    let mut subs = client.sub_departments(1).await.expect("sub-departments");
    subs.sort();
    assert_eq!(subs, vec![2, 3]);
    let mut members = client
        .department_user_ids(2)
        .await
        .expect("department users");
    members.sort();
    assert!(
        members.starts_with(&ids(&["u1001", "u1002"])),
        "{members:?}"
    );

    assert!(
        client
            .departed_users(DateTime::UNIX_EPOCH, None)
            .await
            .expect("none yet")
            .iter()
            .all(|u| u.userid != "u1005")
    );
    emu.admin("users/u1005/leave", json!({})).await;
    let departed = client
        .departed_users(DateTime::UNIX_EPOCH, None)
        .await
        .expect("departures");
    assert!(departed.iter().any(|u| u.userid == "u1005"), "{departed:?}");

    let error = client.get_user("nobody").await.expect_err("unknown user");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    assert!(error.code().is_some());
}

#[tokio::test]
async fn an_internal_group_is_created_updated_and_read() {
    let emu = Emu::start().await;
    let client = emu.client();
    let created = client
        .create_group(&NewGroup {
            kind: GroupKind::Internal,
            title: "Payments team".into(),
            owner: "manager4220".into(),
            members: ids(&["manager4220", "u1001", "u1002"]),
            settings: GroupSettings {
                searchable: Some(1),
                ..GroupSettings::default()
            },
        })
        .await
        .expect("create");
    let chat_id = created.chat_id.clone().expect("a chat id");
    let update = GroupUpdate {
        title: Some("Payments".into()),
        add_members: ids(&["u1003"]),
        remove_members: ids(&["u1002"]),
        ..GroupUpdate::default()
    };
    client
        .update_group(&chat_id, &update)
        .await
        .expect("update");
    let group = client.get_group(&chat_id).await.expect("get");
    assert_eq!(group.kind, GroupKind::Internal);
    assert_eq!(group.title, "Payments");
    assert_eq!(group.open_conversation_id, created.open_conversation_id);
    assert_eq!(group.members, ids(&["manager4220", "u1001", "u1003"]));
    assert_eq!(group.settings.searchable, Some(1));
}

#[tokio::test]
async fn a_bot_joins_sends_and_leaves() {
    let emu = Emu::start().await;
    let client = emu.client();
    let group = client
        .create_scene_group(&NewSceneGroup {
            title: "Alerts".into(),
            template_id: "tpl-default".into(),
            owner: "manager4220".into(),
            members: ids(&["manager4220", "u1001"]),
            uuid: Some("group.alerts".into()),
            ..NewSceneGroup::default()
        })
        .await
        .expect("create");
    let id = group.open_conversation_id;
    let bot_user = client
        .add_bot(&id, "dingbot-alerts")
        .await
        .expect("add bot");
    assert!(!bot_user.is_empty());
    let bots = client.list_bots(&id).await.expect("list");
    assert!(
        bots.iter().any(|b| b.robot_code == "dingbot-alerts"),
        "{bots:?}"
    );
    assert!(
        client
            .bot_groups("dingbot-alerts")
            .await
            .expect("bot groups")
            .contains(&id)
    );

    let receipt = client
        .send_bot_message(&dingform::provider::BotMessage {
            robot_code: "dingbot-alerts".into(),
            open_conversation_id: id.clone(),
            msg_key: "sampleText".into(),
            msg_param: json!({ "content": "disk full on db-1" }),
        })
        .await
        .expect("send");
    let status = client
        .bot_message_status(&id, "dingbot-alerts", &receipt.process_query_key)
        .await
        .expect("status");
    assert!(!status.send_status.is_empty());

    client.remove_bot(&id, &bot_user).await.expect("remove bot");
    let bots = client.list_bots(&id).await.expect("list");
    assert!(
        bots.iter().all(|b| b.robot_code != "dingbot-alerts"),
        "{bots:?}"
    );
}

#[tokio::test]
async fn a_work_notification_is_sent_and_tracked() {
    let emu = Emu::start().await;
    let client = emu.client();
    let task = client
        .send_work_notification(
            AGENT_ID,
            &WorkNotification {
                userids: ids(&["u1001", "u1002"]),
                dept_ids: Vec::new(),
                to_all_user: false,
                msg: WorkMessage {
                    msgtype: "text".into(),
                    text: Some(json!({ "content": "release freeze starts at 18:00" })),
                    ..WorkMessage::default()
                },
            },
        )
        .await
        .expect("send");
    let progress = client
        .work_notification_progress(AGENT_ID, task)
        .await
        .expect("progress");
    assert!((0..=100).contains(&progress.progress_in_percent));
    let result = client
        .work_notification_result(AGENT_ID, task)
        .await
        .expect("result");
    assert!(result.invalid_user_ids.is_empty(), "{result:?}");
    let state = emu.state().await;
    let sent = state["messages"].to_string();
    assert!(sent.contains("release freeze starts at 18:00"), "{sent}");
}
