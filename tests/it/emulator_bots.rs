//! Bots in groups, their messages, the webhook and group plugins, as the platform behaves.

use crate::common::Emu;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn add_bot(emu: &Emu, id: &str, robot_code: &str) -> (StatusCode, Value) {
    emu.api(
        "/v1.0/im/conversations/robots",
        json!({"openConversationId": id, "robotCode": robot_code}),
    )
    .await
}

/// A text message through the webhook of `token`; the platform's answer.
async fn webhook_text(emu: &Emu, token: &str, content: impl Into<Value>) -> Value {
    emu.webhook(
        token,
        json!({"msgtype": "text", "text": {"content": content.into()}}),
    )
    .await
}

#[tokio::test]
async fn webhook_token_after_join_the_token_exists_once_the_bot_is_added() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Alerts", "manager4220", &["u1001"]).await;
    assert_eq!(emu.group(&id).await["bots"], json!([]));
    assert_eq!(
        emu.webhook_token(&id, "dingbot-alerts").await,
        None,
        "no bot, no token"
    );

    let (status, body) = add_bot(&emu, &id, "dingbot-alerts").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let chat_bot_user_id = body["chatBotUserId"].as_str().unwrap().to_owned();
    let token = emu.webhook_token(&id, "dingbot-alerts").await.unwrap();
    let state = emu.state().await;
    assert!(
        !state.to_string().contains(&token),
        "the state never shows the secret"
    );
    assert_eq!(
        emu.group(&id).await["bots"][0]["webhook_token_issued"],
        true
    );
    assert!(token.len() >= 32);

    // Adding again is the same bot membership.
    let (_, again) = add_bot(&emu, &id, "dingbot-alerts").await;
    assert_eq!(again["chatBotUserId"], chat_bot_user_id.as_str());

    let body = webhook_text(&emu, &token, "hello").await;
    assert_eq!(body["errcode"], 0, "{body}");
    let state = emu.state().await;
    let message = &state["messages"][0];
    assert_eq!(message["kind"], "webhook");
    assert_eq!(message["content"]["text"]["content"], "hello");
    assert_eq!(message["recipients"], json!(["manager4220", "u1001"]));

    // Removing the bot kills its token.
    let (status, _) = emu
        .api(
            "/v1.0/im/conversations/robots/remove",
            json!({"openConversationId": id, "chatBotUserId": chat_bot_user_id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body = webhook_text(&emu, &token, "gone").await;
    assert_eq!(body["errcode"], 400101);
}

#[tokio::test]
async fn bot_needs_console_only_seeded_bots_exist() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Alerts", "manager4220", &[]).await;
    let (status, body) = add_bot(&emu, &id, "dingbot-made-up").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["code"]
            .as_str()
            .unwrap()
            .starts_with("invalidParameter.robotCode")
    );
}

#[tokio::test]
async fn a_webhook_bot_sends_at_most_20_messages_a_minute() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Chatty", "manager4220", &[]).await;
    add_bot(&emu, &id, "dingbot-alerts").await;
    let token = emu.webhook_token(&id, "dingbot-alerts").await.unwrap();
    for index in 0..20 {
        let body = webhook_text(&emu, &token, format!("{index}")).await;
        assert_eq!(body["errcode"], 0);
    }
    let body = webhook_text(&emu, &token, "21").await;
    assert_eq!(body["errcode"], 410100);
    emu.advance(61).await;
    let body = webhook_text(&emu, &token, "later").await;
    assert_eq!(body["errcode"], 410100, "throttled for 10 minutes");
    emu.advance(600).await;
    let body = webhook_text(&emu, &token, "later").await;
    assert_eq!(body["errcode"], 0);
}

#[tokio::test]
async fn group_messages_check_msg_key_msg_param_and_membership() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Deploys", "manager4220", &["u1003"]).await;
    let send = |robot: &str, key: &str, param: String| {
        emu.api(
            "/v1.0/robot/groupMessages/send",
            json!({"robotCode": robot, "openConversationId": id, "msgKey": key, "msgParam": param}),
        )
    };
    let (status, body) = send("dingbot-deploy", "sampleText", r#"{"content":"x"}"#.into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalidParameter.robotCode.notInGroup");

    add_bot(&emu, &id, "dingbot-deploy").await;
    let (_, body) = send("dingbot-deploy", "sampleShout", r#"{"content":"x"}"#.into()).await;
    assert_eq!(body["code"], "invalidParameter.msgKey.invalid");
    let big = json!({"content": "x".repeat(15_001)}).to_string();
    let (_, body) = send("dingbot-deploy", "sampleText", big).await;
    assert_eq!(body["code"], "invalidParameter.msgParam.invalid");
    let (_, body) = send(
        "dingbot-deploy",
        "sampleMarkdown",
        r#"{"title":"t"}"#.into(),
    )
    .await;
    assert_eq!(
        body["code"], "invalidParameter.msgParam.invalid",
        "text is missing"
    );

    let (status, body) = send(
        "dingbot-deploy",
        "sampleMarkdown",
        json!({"title": "Deploy", "text": "## done"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let key = body["processQueryKey"].as_str().unwrap().to_owned();
    let state = emu.state().await;
    let message = &state["messages"][0];
    assert_eq!(message["kind"], "bot");
    assert_eq!(message["content"]["msgKey"], "sampleMarkdown");
    assert_eq!(message["content"]["msgParam"]["text"], "## done");
    assert_eq!(message["recipients"], json!(["manager4220", "u1003"]));

    let query =
        json!({"openConversationId": id, "robotCode": "dingbot-deploy", "processQueryKey": key});
    let (_, body) = emu
        .api("/v1.0/robot/groupMessages/query", query.clone())
        .await;
    assert_eq!(body["sendStatus"], "SUCCESS");
    let (_, body) = emu
        .api(
            "/v1.0/robot/groupMessages/recall",
            json!({"openConversationId": id, "robotCode": "dingbot-deploy", "processQueryKeys": [key, "nope"]}),
        )
        .await;
    assert_eq!(body["successResult"], json!([key]));
    assert!(body["failedResult"]["nope"].is_string());
    let (_, body) = emu.api("/v1.0/robot/groupMessages/query", query).await;
    assert_eq!(body["sendStatus"], "RECALLED");
}

#[tokio::test]
async fn bots_are_listed_per_group_and_groups_per_bot() {
    let emu = Emu::start().await;
    let first = emu.scene_group("One", "manager4220", &[]).await;
    let second = emu.scene_group("Two", "manager4220", &[]).await;
    add_bot(&emu, &first, "dingbot-digest").await;
    add_bot(&emu, &second, "dingbot-digest").await;
    add_bot(&emu, &second, "dingbot-alerts").await;
    let (_, body) = emu
        .api(
            "/v1.0/robot/groups/robots/query",
            json!({"openConversationId": second}),
        )
        .await;
    let names: Vec<&str> = body["chatbotInstanceVOList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bot| bot["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Digest Bot", "Alert Bot"]);
    let (_, body) = emu
        .api(
            "/v1.0/robot/groups/query",
            json!({"robotCode": "dingbot-digest", "pageNumber": 1, "pageSize": 10}),
        )
        .await;
    let mut groups: Vec<String> =
        serde_json::from_value(body["openConversationIds"].clone()).unwrap();
    groups.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(groups, expected);
}

#[tokio::test]
async fn plugin_immutable_plugins_install_but_are_never_edited_or_removed() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Plugins", "manager4220", &[]).await;
    let install = json!({"conversationId": id, "operateCoolAppCode": "COOLAPP-runbook", "operatorId": "manager4220"});
    let (status, body) = emu
        .api("/v1.0/coolApp/shortcuts/plugins/install", install)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true);
    let (_, body) = emu
        .api(
            "/v1.0/coolApp/installedInConversation/query",
            json!({"openConversationId": id}),
        )
        .await;
    assert_eq!(
        body["result"]["coolApps"][0]["coolAppCode"],
        "COOLAPP-runbook"
    );

    let (status, body) = emu
        .api(
            "/v1.0/coolApp/shortcuts/plugins/uninstall",
            json!({"conversationId": id, "operateCoolAppCode": "COOLAPP-runbook"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "plugin.immutable");
    let (_, body) = emu
        .api(
            "/v1.0/coolApp/installedInConversation/query",
            json!({"openConversationId": id}),
        )
        .await;
    assert_eq!(
        body["result"]["coolApps"].as_array().unwrap().len(),
        1,
        "still there"
    );
}
