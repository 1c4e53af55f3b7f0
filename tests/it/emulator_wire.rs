//! The emulator speaks both hosts' wire conventions: auth, envelopes, token expiry by the
//! emulator clock, and oapi bodies as JSON, form-encoded, or with numbers as strings.

use crate::common::Emu;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn v1_refuses_a_token_in_the_query_with_the_platforms_error() {
    let emu = Emu::start().await;
    let response = emu
        .http
        .post(emu.url("/v1.0/im/sceneGroups/query"))
        .query(&[("access_token", emu.token().await)])
        .json(&json!({"openConversationId": "cidX"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "AuthenticationFailed.MissingParameter");
    assert!(body["requestid"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn v1_errors_use_the_api_envelope_and_oapi_errors_the_oapi_envelope() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api_with(
            reqwest::Method::POST,
            "/v1.0/im/sceneGroups/query",
            json!({"openConversationId": "cidX"}),
            "not-a-token",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "InvalidAuthentication");
    assert!(body.get("errcode").is_none());

    // /topapi answers a bad token with 88 and the detail in sub_code (observed).
    let body = emu
        .oapi_with(
            "/topapi/v2/user/get",
            json!({"userid": "u1001"}),
            "not-a-token",
        )
        .await;
    assert_eq!(body["errcode"], 88);
    assert_eq!(body["sub_code"], "40014");
    assert!(body["request_id"].is_string());

    // Other oapi paths answer 40014 directly.
    let response = emu
        .http
        .get(emu.url("/chat/get"))
        .query(&[("access_token", "not-a-token"), ("chatid", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errcode"], 40014);
}

#[tokio::test]
async fn bad_app_credentials_get_each_hosts_documented_error() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api_open(
            "/v1.0/oauth2/accessToken",
            json!({"appKey": "demo-key", "appSecret": "wrong"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalidClientIdOrSecret");
    assert!(
        !body.to_string().contains("wrong"),
        "the secret is not echoed"
    );

    let body = emu
        .admin_api()
        .get(
            "/gettoken",
            &[("appkey", "demo-key"), ("appsecret", "wrong")],
        )
        .await;
    assert_eq!(body["errcode"], 40096);
}

#[tokio::test]
async fn a_token_fetched_again_is_the_same_and_lives_7200_seconds_from_the_last_fetch() {
    let emu = Emu::start().await;
    let first = emu.token().await.to_owned();
    emu.advance(7000).await;
    // Re-fetching inside the window returns the same token and extends it.
    let again = emu.fetch_token().await;
    assert_eq!(again, first);
    let oapi = emu
        .admin_api()
        .get(
            "/gettoken",
            &[("appkey", "demo-key"), ("appsecret", "demo-secret")],
        )
        .await;
    assert_eq!(oapi["access_token"], first.as_str());
    assert_eq!(oapi["expires_in"], 7200);

    emu.advance(7000).await; // 7000 s after the last fetch: still valid
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
        .await;
    assert_eq!(body["errcode"], 0, "{body}");

    emu.advance(201).await; // past 7200 s since the last fetch
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroups/query",
            json!({"openConversationId": "cidX"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "InvalidAuthentication");
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
        .await;
    assert_eq!(body["errcode"], 88);
    assert_eq!(body["sub_code"], "42001");

    let fresh = emu.fetch_token().await;
    assert_ne!(fresh, first, "an expired token is replaced");
}

#[tokio::test]
async fn the_corp_token_endpoint_speaks_snake_case() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api_open(
            "/v1.0/oauth2/dingdemo/token",
            json!({"client_id": "demo-key", "client_secret": "demo-secret", "grant_type": "client_credentials"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["access_token"], emu.token().await);
    assert_eq!(body["expires_in"], 7200);
}

#[tokio::test]
async fn oapi_takes_form_encoded_bodies_and_numbers_and_booleans_as_strings() {
    let emu = Emu::start().await;
    // Form-encoded, msg as a JSON string, id list as a comma string.
    let body = emu
        .oapi_form(
            "/topapi/message/corpconversation/asyncsend_v2",
            &[
                ("agent_id", "123456"),
                ("userid_list", "u1001,u1002"),
                ("to_all_user", "false"),
                ("msg", r#"{"msgtype":"text","text":{"content":"form"}}"#),
            ],
        )
        .await;
    assert_eq!(body["errcode"], 0, "{body}");
    let task_id = body["task_id"].as_i64().unwrap();

    // JSON whose scalars are strings, as the Java oapi SDK posts them.
    let body = emu
        .oapi(
            "/topapi/message/corpconversation/getsendresult",
            json!({"agent_id": "123456", "task_id": task_id.to_string()}),
        )
        .await;
    assert_eq!(body["errcode"], 0, "{body}");
    let mut delivered: Vec<String> =
        serde_json::from_value(body["send_result"]["unread_user_id_list"].clone()).unwrap();
    delivered.sort();
    assert_eq!(delivered, ["u1001", "u1002"]);

    // A scalar that is not a number is the platform's bad-parameter error.
    let body = emu
        .oapi(
            "/topapi/message/corpconversation/getsendresult",
            json!({"agent_id": "abc", "task_id": "1"}),
        )
        .await;
    assert_eq!(body["errcode"], 40035);
}

#[tokio::test]
async fn v1_missing_and_malformed_parameters_get_400() {
    let emu = Emu::start().await;
    let (status, body) = emu
        .api("/v1.0/im/sceneGroup/create", json!({"title": "x"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "MissingParameter");
    let (status, body) = emu
        .api(
            "/v1.0/im/sceneGroups/members/batchQuery",
            json!({"openConversationId": "cid", "maxResults": "many"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "parameter.invalid");
}

#[tokio::test]
async fn the_directory_answers_from_the_seed_and_knows_who_left() {
    let emu = Emu::start().await;
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
        .await;
    assert_eq!(body["result"]["name"], "Li Lei");
    assert_eq!(body["result"]["dept_id_list"], json!([2]));
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "nobody"}))
        .await;
    assert_eq!(body["errcode"], 33012);
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1099"}))
        .await;
    assert_eq!(body["errcode"], 60121, "a departed user is no longer found");

    let body = emu
        .oapi("/topapi/user/listid", json!({"dept_id": "2"}))
        .await;
    assert_eq!(body["result"]["userid_list"], json!(["u1001", "u1002"]));
    let body = emu
        .oapi("/topapi/v2/department/listsubid", json!({"dept_id": 1}))
        .await;
    assert_eq!(body["result"]["dept_id_list"], json!([2, 3]));
    let body = emu
        .oapi("/topapi/v2/department/listsubid", json!({"dept_id": 99}))
        .await;
    assert_eq!(body["errcode"], 60003);

    let (status, body) = emu
        .api_with(
            reqwest::Method::GET,
            "/v1.0/contact/empLeaveRecords?startTime=2000-01-01T00:00:00Z&nextToken=0&maxResults=50",
            json!({}),
            emu.token().await,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["records"][0]["userId"], "u1099");

    emu.admin("users/u1005/leave", json!({})).await;
    let body = emu
        .oapi(
            "/topapi/smartwork/hrm/employee/querydimission",
            json!({"offset": 0, "size": 50}),
        )
        .await;
    let mut left: Vec<String> =
        serde_json::from_value(body["result"]["data_list"].clone()).unwrap();
    left.sort();
    assert_eq!(left, ["u1005", "u1099"]);
}

#[tokio::test]
async fn media_upload_takes_a_multipart_media_part() {
    let emu = Emu::start().await;
    // A 1x1 PNG.
    let png = hex_png();
    let form = reqwest::multipart::Form::new().text("type", "image").part(
        "media",
        reqwest::multipart::Part::bytes(png).file_name("dot.png"),
    );
    let body: serde_json::Value = emu
        .http
        .post(emu.url("/media/upload"))
        .query(&[("access_token", emu.token().await)])
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["errcode"], 0, "{body}");
    assert_eq!(body["type"], "image");
    let media_id = body["media_id"].as_str().unwrap();
    let state = emu.state().await;
    assert_eq!(state["media"][0]["media_id"], media_id);
    assert_eq!(state["media"][0]["dimensions"], json!([1, 1]));
}

fn hex_png() -> Vec<u8> {
    let hex = "89504e470d0a1a0a0000000d4948445200000001000000010806000000\
               1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082";
    hex::decode(hex).unwrap()
}

#[tokio::test]
async fn the_admin_state_never_shows_app_secrets_or_access_tokens() {
    let emu = Emu::start().await;
    let state = emu.state().await.to_string();
    assert!(!state.contains("demo-secret"));
    assert!(!state.contains(emu.token().await));
}
