//! Bots, plugins, bot messages, work notifications and media through the client against the
//! emulator's demo organization.

use crate::common::{AGENT_ID, Emu};
use dingform::model::wire::notification::{OaMessage, StatusBar, WorkMessage};
use dingform::provider::{
    BotMessage, ErrorKind, MessageApi, NewSceneGroup, PluginInstall, RobotApi, SceneGroupApi,
    WorkNotification,
};
use serde_json::json;

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

async fn alerts_group(emu: &Emu) -> String {
    emu.client()
        .create_scene_group(&NewSceneGroup {
            title: "Alerts".into(),
            template_id: "tpl-default".into(),
            owner: "manager4220".into(),
            members: ids(&["manager4220", "u1001"]),
            uuid: Some("group.alerts".into()),
            ..NewSceneGroup::default()
        })
        .await
        .expect("create")
        .open_conversation_id
}

fn text(userids: &[&str], content: &str) -> WorkNotification {
    WorkNotification {
        userids: ids(userids),
        dept_ids: Vec::new(),
        to_all_user: false,
        msg: WorkMessage {
            msgtype: "text".into(),
            text: Some(json!({ "content": content })),
            ..WorkMessage::default()
        },
    }
}

#[tokio::test]
async fn a_bot_joins_sends_recalls_and_leaves() {
    let emu = Emu::start().await;
    let client = emu.client();
    let id = alerts_group(&emu).await;
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

    let message = BotMessage {
        robot_code: "dingbot-alerts".into(),
        open_conversation_id: id.clone(),
        msg_key: "sampleText".into(),
        msg_param: json!({ "content": "disk full on db-1" }),
    };
    let receipt = client.send_bot_message(&message).await.expect("send");
    let state = emu.state().await["messages"].to_string();
    assert!(
        state.contains("disk full on db-1"),
        "msgParam travels as a JSON string: {state}"
    );
    let status = client
        .bot_message_status(&id, "dingbot-alerts", &receipt.process_query_key)
        .await
        .expect("status");
    assert!(!status.send_status.is_empty());
    let keys = [receipt.process_query_key.clone()];
    let recalled = client
        .recall_bot_messages(&id, "dingbot-alerts", &keys)
        .await
        .expect("recall");
    assert_eq!(recalled, keys);

    client.remove_bot(&id, &bot_user).await.expect("remove bot");
    let bots = client.list_bots(&id).await.expect("list");
    assert!(
        bots.iter().all(|b| b.robot_code != "dingbot-alerts"),
        "{bots:?}"
    );
}

#[tokio::test]
async fn an_unknown_msg_key_is_refused_with_its_code() {
    let emu = Emu::start().await;
    let client = emu.client();
    let id = alerts_group(&emu).await;
    client
        .add_bot(&id, "dingbot-alerts")
        .await
        .expect("add bot");
    let message = BotMessage {
        robot_code: "dingbot-alerts".into(),
        open_conversation_id: id,
        msg_key: "sampleNothing".into(),
        msg_param: json!({}),
    };
    let error = client
        .send_bot_message(&message)
        .await
        .expect_err("bad msgKey");
    assert_eq!(error.kind(), ErrorKind::InvalidParameter, "{error}");
    assert_eq!(
        error.code(),
        Some("invalidParameter.msgKey.invalid"),
        "{error}"
    );
}

#[tokio::test]
async fn a_plugin_is_installed_once_and_listed() {
    let emu = Emu::start().await;
    let client = emu.client();
    let id = alerts_group(&emu).await;
    let install = PluginInstall {
        open_conversation_id: id.clone(),
        cool_app_code: "COOLAPP-oncall".into(),
        operator: "manager4220".into(),
        template_id: "tpl-default".into(),
    };
    client.install_plugin(&install).await.expect("install");
    client
        .install_plugin(&install)
        .await
        .expect("install again is a no-op");
    let plugins = client.list_plugins(&id).await.expect("list");
    assert_eq!(plugins.len(), 1, "{plugins:?}");
    assert_eq!(plugins[0].cool_app_code, "COOLAPP-oncall");
}

#[tokio::test]
async fn a_work_notification_is_sent_tracked_and_recalled() {
    let emu = Emu::start().await;
    let client = emu.client();
    let note = text(&["u1001", "u1002"], "release freeze starts at 18:00");
    let task = client
        .send_work_notification(AGENT_ID, &note)
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
    let state = emu.state().await["messages"].to_string();
    assert!(state.contains("release freeze starts at 18:00"), "{state}");
    client
        .recall_work_notification(AGENT_ID, task)
        .await
        .expect("recall");

    let error = client
        .work_notification_result(12, task)
        .await
        .expect_err("wrong agent");
    assert!(error.code().is_some(), "{error}");
}

#[tokio::test]
async fn an_oa_status_bar_is_updated() {
    let emu = Emu::start().await;
    let client = emu.client();
    let note = WorkNotification {
        msg: WorkMessage {
            msgtype: "oa".into(),
            oa: Some(OaMessage {
                message_url: Some("https://example.com/change/42".into()),
                head: Some(json!({ "bgcolor": "FFBBBBBB", "text": "Change" })),
                status_bar: Some(StatusBar {
                    status_value: Some("pending".into()),
                    status_bg: Some("0xFFF65E5E".into()),
                }),
                body: Some(json!({ "title": "Change 42", "content": "db migration" })),
                ..OaMessage::default()
            }),
            ..WorkMessage::default()
        },
        ..text(&["u1001"], "")
    };
    let task = client
        .send_work_notification(AGENT_ID, &note)
        .await
        .expect("send");
    client
        .update_work_notification_status(AGENT_ID, task, "approved", Some("0xFF78C06E"))
        .await
        .expect("status bar");
    let state = emu.state().await.to_string();
    assert!(state.contains("approved"), "{state}");
}

#[tokio::test]
async fn media_uploads_as_multipart_and_returns_an_id() {
    let emu = Emu::start().await;
    let client = emu.client();
    let media = client
        .upload_media("file", "runbook.txt", b"restart the pager\n".to_vec())
        .await
        .expect("upload");
    assert!(!media.media_id.is_empty());
    assert_eq!(media.kind, "file");
}

#[tokio::test]
async fn a_repeated_notification_reports_its_forbidden_recipient_with_the_reason() {
    let emu = Emu::start().await;
    let client = emu.client();
    let note = text(&["u1003"], "standup in 5 minutes");
    client
        .send_work_notification(AGENT_ID, &note)
        .await
        .expect("first send");
    // The platform accepts the repeat but does not deliver identical content twice a day.
    let task = client
        .send_work_notification(AGENT_ID, &note)
        .await
        .expect("repeat accepted");
    let result = client
        .work_notification_result(AGENT_ID, task)
        .await
        .expect("result");
    assert_eq!(result.forbidden_user_ids, ids(&["u1003"]), "{result:?}");
    assert_eq!(result.forbidden.len(), 1, "{result:?}");
    assert_eq!(result.forbidden[0].userid, "u1003");
    assert_eq!(result.forbidden[0].code, "143106");
}
