//! Injected faults: the platform's own errors in each host's envelope, its QPS throttling,
//! latency and dropped connections. The admin API is never faulted.

use std::time::{Duration, Instant};

use crate::common::Emu;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn error_rate_1_answers_every_call_with_a_platform_error_in_the_hosts_envelope() {
    let emu = Emu::start().await;
    emu.token().await; // before the faults: the token endpoint is faulted too
    emu.admin("faults", json!({"error_rate": 1.0})).await;
    for _ in 0..20 {
        let (status, body) = emu
            .api(
                "/v1.0/im/sceneGroups/query",
                json!({"openConversationId": "cid"}),
            )
            .await;
        let expected = match body["code"].as_str().unwrap() {
            "systemBusy" => StatusCode::TOO_MANY_REQUESTS,
            "system.error" => StatusCode::INTERNAL_SERVER_ERROR,
            "Forbidden.AccessDenied.QpsLimitForApi" => StatusCode::FORBIDDEN,
            other => panic!("not an injected platform error: {other}"),
        };
        assert_eq!(status, expected);
        assert!(body["requestid"].is_string());
    }
    for _ in 0..20 {
        let response = emu
            .http
            .post(emu.url("/topapi/v2/user/get"))
            .query(&[("access_token", emu.token().await)])
            .json(&json!({"userid": "u1001"}))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        let errcode = body["errcode"].as_i64().unwrap();
        assert!([-1, 90002].contains(&errcode), "{body}");
        assert!(
            status == StatusCode::OK || status.is_server_error(),
            "{status}"
        );
    }
    // The admin API still answers, and an empty set turns faults off.
    emu.admin("faults", json!({})).await;
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
        .await;
    assert_eq!(body["errcode"], 0);
}

#[tokio::test]
async fn qps_limit_counts_per_app_per_api_and_answers_the_platforms_throttling_error() {
    let emu = Emu::start().await;
    emu.admin("faults", json!({"qps_limit": 2})).await;
    let started = Instant::now();
    let mut refused = 0;
    for _ in 0..10 {
        let (status, body) = emu
            .api(
                "/v1.0/im/sceneGroups/query",
                json!({"openConversationId": "cid"}),
            )
            .await;
        if status == StatusCode::FORBIDDEN {
            assert_eq!(
                body["code"],
                "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"
            );
            refused += 1;
        }
    }
    // Ten calls inside one second span at most two one-second windows: at most 4 admitted.
    if started.elapsed() < Duration::from_secs(1) {
        assert!(refused >= 6, "refused {refused}");
    } else {
        assert!(refused >= 1, "refused {refused}");
    }
    // Another API has its own count.
    let (status, _) = emu
        .api(
            "/v1.0/im/sceneGroups/queryDetail",
            json!({"open_conversation_id": "cid"}),
        )
        .await;
    assert_ne!(status, StatusCode::FORBIDDEN);
    let mut codes = Vec::new();
    for _ in 0..10 {
        let body = emu
            .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
            .await;
        codes.push(body["errcode"].as_i64().unwrap());
    }
    assert!(codes.contains(&90018), "{codes:?}");
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let emu = Emu::start().await;
    emu.admin("faults", json!({"latency_ms": 300})).await;
    let started = Instant::now();
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
        .await;
    assert_eq!(body["errcode"], 0);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn drop_rate_1_closes_connections_without_an_answer() {
    let emu = Emu::start().await;
    emu.token().await; // before the faults: the token endpoint is faulted too
    emu.admin("faults", json!({"drop_rate": 1.0})).await;
    let outcome = emu
        .http
        .post(emu.url("/v1.0/im/sceneGroups/query"))
        .header("x-acs-dingtalk-access-token", emu.token().await)
        .json(&json!({"openConversationId": "cid"}))
        .send()
        .await;
    let error = outcome.expect_err("no answer");
    assert!(!error.is_timeout(), "closed, not timed out: {error}");
    // Each POST replaces the whole set: latency only, so drops are off again.
    emu.admin("faults", json!({"latency_ms": 1})).await;
    let body = emu
        .oapi("/topapi/v2/user/get", json!({"userid": "u1001"}))
        .await;
    assert_eq!(body["errcode"], 0);
}

#[tokio::test]
async fn an_invalid_fault_set_is_refused_with_the_reason() {
    let emu = Emu::start().await;
    let response = emu
        .http
        .post(emu.url("/_emulator/faults"))
        .json(&json!({"error_rate": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("error_rate"));
}
