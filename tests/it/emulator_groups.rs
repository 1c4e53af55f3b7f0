//! Groups in the emulator behave as the platform does: uuid idempotency, limits, templates
//! and users that must exist, the join URL's lifetime, departed members, disband.

use crate::common::{Emu, bulk_user, seed_with_users};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_idempotency_a_seen_uuid_returns_the_first_group_and_makes_none() {
    let emu = Emu::start().await;
    let request = json!({
        "title": "Payments On-call",
        "template_id": "tpl-default",
        "owner_user_id": "manager4220",
        "user_ids": ["u1001", "u1002"],
        "uuid": "5a1c1e2e-0d4e-5c7a-9d55-3b0c2e6d1f00",
    });
    let (status, first) = emu.api("/v1.0/im/sceneGroup/create", request.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, second) = emu.api("/v1.0/im/sceneGroup/create", request).await;
    assert_eq!(first, second);
    // The oapi form with the same uuid is the same group too.
    let third = emu
        .oapi(
            "/topapi/im/chat/scenegroup/create",
            json!({"title": "Payments On-call", "template_id": "tpl-default",
                   "owner_user_id": "manager4220", "user_ids": "u1001,u1002",
                   "uuid": "5a1c1e2e-0d4e-5c7a-9d55-3b0c2e6d1f00"}),
        )
        .await;
    assert_eq!(
        third["result"]["open_conversation_id"],
        first["open_conversation_id"]
    );
    let state = emu.state().await;
    // The demo organization's own Internal Group has no creation uuid; count the others.
    let made: Vec<&serde_json::Value> = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["uuid"].is_string())
        .collect();
    assert_eq!(made.len(), 1, "{made:#?}");
    let group = made[0];
    assert_eq!(group["uuid"], "5a1c1e2e-0d4e-5c7a-9d55-3b0c2e6d1f00");
    assert_eq!(group["title"], "Payments On-call");
    assert_eq!(group["owner"], "manager4220");
    assert_eq!(group["members"], json!(["manager4220", "u1001", "u1002"]));
    assert_eq!(group["chat_id"], first["chat_id"]);
}

#[tokio::test]
async fn scene_group_query_speaks_camel_case_and_detail_snake_case() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Platform", "manager4220", &["u1003"]).await;
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroups/query",
            json!({"openConversationId": id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["openConversationId"], id.as_str());
    assert_eq!(body["ownerUserId"], "manager4220");
    assert_eq!(body["templateId"], "tpl-default");
    assert_eq!(body["status"], 1);
    assert!(body["groupUrl"].as_str().unwrap().starts_with("https://"));
    let (_, detail) = emu
        .api(
            "/v1.0/im/sceneGroups/queryDetail",
            json!({"open_conversation_id": id}),
        )
        .await;
    assert_eq!(detail["member_amount"], 2);
    assert_eq!(detail["owner_user_id"], "manager4220");
}

#[tokio::test]
async fn a_title_over_30_characters_is_refused() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroup/create",
            json!({"title": "x".repeat(31), "template_id": "tpl-default", "owner_user_id": "manager4220"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "parameter.invalid");
}

#[tokio::test]
async fn templates_and_users_must_exist() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroup/create",
            json!({"title": "t", "template_id": "tpl-nope", "owner_user_id": "manager4220"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "groupTemplate.notFound");
    let body = emu
        .oapi(
            "/topapi/im/chat/scenegroup/create",
            json!({"title": "t", "template_id": "tpl-nope", "owner_user_id": "manager4220"}),
        )
        .await;
    assert_eq!(body["errcode"], 665036);

    let (_, body) = emu
        .api(
            "/v1.0/im/sceneGroup/create",
            json!({"title": "t", "template_id": "tpl-default", "owner_user_id": "manager4220", "user_ids": ["ghost"]}),
        )
        .await;
    assert_eq!(body["code"], "member.notFound");
    // A departed user (seed `active: false`) cannot be added either.
    let id = emu.scene_group("Payments", "manager4220", &[]).await;
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroup/member/add",
            json!({"open_conversation_id": id, "user_ids": ["u1099"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "member.notFound");
    let body = emu
        .oapi(
            "/topapi/im/chat/scenegroup/member/add",
            json!({"open_conversation_id": id, "user_ids": "u1099"}),
        )
        .await;
    assert_eq!(body["errcode"], 660041);
}

#[tokio::test]
async fn a_group_holds_at_most_1000_members() {
    let emu = Emu::start_with(seed_with_users(1000, 2), None).await;
    let members: Vec<String> = (0..999).map(bulk_user).collect();
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroup/create",
            json!({"title": "Big", "template_id": "tpl-default", "owner_user_id": "manager4220", "user_ids": members}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "owner + 999 = 1000 is fine: {body}");
    let id = body["open_conversation_id"].as_str().unwrap().to_owned();
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroup/member/add",
            json!({"open_conversation_id": id, "user_ids": [bulk_user(999)]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "member.exceed");
    assert_eq!(
        emu.group(&id).await["members"].as_array().unwrap().len(),
        1000
    );
}

#[tokio::test]
async fn a_group_has_at_most_12_sub_admins() {
    let emu = Emu::start_with(seed_with_users(20, 2), None).await;
    let members: Vec<String> = (0..13).map(bulk_user).collect();
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    let id = emu.scene_group("Admins", "manager4220", &refs).await;
    let (status, _) = emu
        .api_with(
            reqwest::Method::PUT,
            "/v1.0/im/sceneGroups/subAdmins",
            json!({"openConversationId": id, "role": 2, "userIds": &members[..12]}),
            emu.token().await,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = emu
        .api_with(
            reqwest::Method::PUT,
            "/v1.0/im/sceneGroups/subAdmins",
            json!({"openConversationId": id, "role": 2, "userIds": [&members[12]]}),
            emu.token().await,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "subAdminNumberExcessive");
    // Only members can be admins.
    let (_, body) = emu
        .api_with(
            reqwest::Method::PUT,
            "/v1.0/im/sceneGroups/subAdmins",
            json!({"openConversationId": id, "role": 3, "userIds": ["u1008"]}),
            emu.token().await,
        )
        .await;
    assert_eq!(body["code"], "userNotInGroup");
    assert_eq!(emu.group(&id).await["admins"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn group_url_expiry_owner_title_or_settings_changes_issue_a_new_join_url() {
    let emu = Emu::start().await;
    let id = emu
        .scene_group("Payments", "manager4220", &["u1001", "u1002"])
        .await;
    let url_of = |body: &serde_json::Value| body["groupUrl"].as_str().unwrap().to_owned();
    let query = || {
        emu.api(
            "/v1.0/im/sceneGroups/query",
            json!({"openConversationId": id}),
        )
    };
    let first = url_of(&query().await.1);

    // A member change keeps the URL.
    emu.api(
        "/v1.0/im/sceneGroup/member/add",
        json!({"open_conversation_id": id, "user_ids": ["u1003"]}),
    )
    .await;
    assert_eq!(url_of(&query().await.1), first);

    for change in [
        json!({"open_conversation_id": id, "title": "Payments 2"}),
        json!({"open_conversation_id": id, "owner_user_id": "u1001"}),
        json!({"open_conversation_id": id, "management_options": {"searchable": 1}}),
    ] {
        let before = url_of(&query().await.1);
        let (status, body) = emu.api("/v1.0/im/sceneGroup/update", change.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let after = url_of(&query().await.1);
        assert_ne!(after, before, "{change} issues a new URL");
        let check = emu.join_url(&before).await;
        assert_eq!(check["valid"], false, "the old URL stopped working");
    }
    // Setting a setting to the value it already has changes nothing.
    let before = url_of(&query().await.1);
    emu.api(
        "/v1.0/im/sceneGroup/update",
        json!({"open_conversation_id": id, "management_options": {"searchable": 1}}),
    )
    .await;
    assert_eq!(url_of(&query().await.1), before);
}

#[tokio::test]
async fn group_url_expiry_a_join_url_expires_after_365_days_by_the_emulator_clock() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Payments", "manager4220", &["u1001"]).await;
    let check = |url: String| {
        let emu = &emu;
        async move { emu.join_url(&url).await["valid"].as_bool().unwrap() }
    };
    let url = emu.group(&id).await["group_url"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.advance(364 * 86_400).await;
    assert!(check(url.clone()).await, "still valid on day 364");
    emu.advance(2 * 86_400).await;
    assert!(!check(url.clone()).await, "expired after 365 days");
    let token = emu.fetch_token().await; // the first one expired long ago
    let (_, body) = emu
        .api_with(
            reqwest::Method::POST,
            "/v1.0/im/sceneGroups/query",
            json!({"openConversationId": id}),
            &token,
        )
        .await;
    let renewed = body["groupUrl"].as_str().unwrap().to_owned();
    assert_ne!(renewed, url, "a query hands out a fresh URL");
    assert!(check(renewed).await);
}

#[tokio::test]
async fn standard_group_departed_internal_groups_drop_leavers_and_standard_groups_keep_them() {
    let emu = Emu::start().await;
    let create = |tag: i64| {
        emu.oapi(
            "/chat/create",
            json!({"name": format!("tag {tag}"), "owner": "manager4220",
                   "useridlist": ["u1001", "u1005"], "conversationTag": tag}),
        )
    };
    let internal = create(2).await;
    let standard = create(0).await;
    assert_eq!(internal["errcode"], 0, "{internal}");
    let scene = emu.scene_group("Scene", "manager4220", &["u1005"]).await;

    emu.admin("users/u1005/leave", json!({})).await;

    let members = |chat: &serde_json::Value| {
        let chatid = chat["chatid"].as_str().unwrap().to_owned();
        let emu = &emu;
        async move {
            let body: serde_json::Value = emu
                .http
                .get(emu.url("/chat/get"))
                .query(&[
                    ("access_token", emu.token().await),
                    ("chatid", chatid.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["chat_info"]["useridlist"].clone()
        }
    };
    assert_eq!(members(&internal).await, json!(["manager4220", "u1001"]));
    assert_eq!(
        members(&standard).await,
        json!(["manager4220", "u1001", "u1005"])
    );
    assert_eq!(emu.group(&scene).await["members"], json!(["manager4220"]));
}

#[tokio::test]
async fn chat_update_refuses_adding_and_removing_the_same_user() {
    let emu = Emu::start().await;
    let chat = emu
        .oapi(
            "/chat/create",
            json!({"name": "Ops", "owner": "manager4220", "useridlist": ["u1005"]}),
        )
        .await;
    assert_eq!(chat["conversationTag"], 2, "internal is the default");
    let body = emu
        .oapi(
            "/chat/update",
            json!({"chatid": chat["chatid"], "add_useridlist": ["u1006"], "del_useridlist": ["u1006"]}),
        )
        .await;
    assert_eq!(body["errcode"], 49004);
    let body = emu
        .oapi("/chat/update", json!({"chatid": "chat-nope", "name": "x"}))
        .await;
    assert_eq!(body["errcode"], 40016);
}

#[tokio::test]
async fn v1_group_create_and_inner_group_members() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api(
            "/v1.0/im/group/create",
            json!({"name": "Internal", "owner": "manager4220", "useridlist": ["u1001", "u1002"], "conversationTag": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["openConversationId"].as_str().unwrap().to_owned();
    let (_, members) = emu
        .api(
            "/v1.0/im/innerGroups/members/query",
            json!({"openConversationId": id, "maxResults": 2}),
        )
        .await;
    assert_eq!(members["userIds"], json!(["manager4220", "u1001"]));
    assert_eq!(members["hasMore"], true);
    let (_, rest) = emu
        .api(
            "/v1.0/im/innerGroups/members/query",
            json!({"openConversationId": id, "maxResults": 2, "nextToken": members["nextToken"]}),
        )
        .await;
    assert_eq!(rest["userIds"], json!(["u1002"]));
    assert_eq!(rest["hasMore"], false);
    let (_, converted) = emu
        .api(
            &format!(
                "/v1.0/im/chat/{}/convertToOpenConversationId",
                body["chatid"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(converted["openConversationId"], id.as_str());
}

#[tokio::test]
async fn a_disbanded_group_refuses_changes_and_reports_status_2() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Temp", "manager4220", &["u1001"]).await;
    let (status, _) = emu
        .api(
            "/v1.0/im/chat/scenegroup/disband",
            json!({"openConversationId": id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroup/member/add",
            json!({"open_conversation_id": id, "user_ids": ["u1002"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "group.disbanded");
    let (_, body) = emu
        .api(
            "/v1.0/im/sceneGroups/query",
            json!({"openConversationId": id}),
        )
        .await;
    assert_eq!(body["status"], 2);
}

#[tokio::test]
async fn the_join_link_is_given_to_members_only() {
    let emu = Emu::start().await;
    let id = emu.scene_group("Link", "manager4220", &["u1001"]).await;
    let body = emu
        .oapi(
            "/topapi/chat/qrcode/get",
            json!({"openConversationId": id, "userid": "u1001"}),
        )
        .await;
    assert_eq!(body["result"], emu.group(&id).await["group_url"]);
    let body = emu
        .oapi(
            "/topapi/chat/qrcode/get",
            json!({"openConversationId": id, "userid": "u1007"}),
        )
        .await;
    assert_eq!(body["errcode"], 60124);
}

#[tokio::test]
async fn members_are_listed_page_by_page_on_both_hosts() {
    let emu = Emu::start().await;
    let id = emu
        .scene_group("Pages", "manager4220", &["u1001", "u1002", "u1003"])
        .await;
    let (_, first) = emu
        .api(
            "/v1.0/im/sceneGroups/members/batchQuery",
            json!({"openConversationId": id, "maxResults": 3}),
        )
        .await;
    assert_eq!(
        first["memberUserIds"],
        json!(["manager4220", "u1001", "u1002"])
    );
    assert_eq!(first["hasMore"], true);
    let body = emu
        .oapi(
            "/topapi/im/chat/scenegroup/member/get",
            json!({"open_conversation_id": id, "cursor": "3", "size": "3"}),
        )
        .await;
    assert_eq!(body["result"]["member_user_ids"], json!(["u1003"]));
    assert_eq!(body["result"]["has_more"], false);
}
