//! Webhook robots end to end: a custom robot a person added to a group (the emulator's
//! `POST /_emulator/webhooks`), the real `dingform` binary sending through it signed and with
//! an @-mention, once per occurrence; the emulator refusing unsigned, wrongly signed and stale
//! requests (310000) and a 21st message in a minute (410100); every message type; a missing
//! variable named before anything is sent; and no token or secret in any output, state or
//! delivery log.

use crate::notify_support::Fixture;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

const TOKEN_VAR: &str = "OPS_WEBHOOK_TOKEN";
const SECRET_VAR: &str = "OPS_WEBHOOK_SECRET";
const APP_SECRET: &str = "SECdeadbeef0123456789-the-robot-secret";

/// The docs' formula, written out here independently of dingform's own: base64 of
/// HmacSHA256(key = secret, "timestamp\nsecret").
fn sign(secret: &str, timestamp: i64) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A group, a custom robot in it (signing with `secret` when given); returns the token.
async fn robot(fx: &Fixture, secret: Option<&str>) -> String {
    let group = fx.group_with_bot().await;
    let added = fx
        .admin(
            "webhooks",
            json!({"open_conversation_id": group, "secret": secret}),
        )
        .await;
    added["access_token"].as_str().expect("a token").to_owned()
}

fn via(secret: bool, at: Value) -> Value {
    let mut webhook = json!({"token_env": TOKEN_VAR, "at": at});
    if secret {
        webhook["secret_env"] = json!(SECRET_VAR);
    }
    json!({ "webhook": webhook })
}

fn registered(via: Value, message: Value) -> Value {
    json!({"schedule": "0 9 * * *", "timezone": "UTC", "via": via, "message": message})
}

async fn run_with(fx: &Fixture, env: &[(&str, &str)], at: &str) -> crate::common::Run {
    let mut command = fx.run_once_command(at);
    command.env_remove(TOKEN_VAR).env_remove(SECRET_VAR);
    for (name, value) in env {
        command.env(name, value);
    }
    tokio::task::spawn_blocking(move || crate::notify_support::output(command))
        .await
        .unwrap()
}

async fn webhook_messages(fx: &Fixture) -> Vec<Value> {
    fx.messages_of("webhook").await
}

/// Everything dingform wrote in the workspace, as text (state, delivery log, lock files).
fn workspace_bytes(fx: &Fixture) -> String {
    let mut all = String::new();
    for entry in walkdir::WalkDir::new(fx.root()).into_iter().flatten() {
        if entry.file_type().is_file() {
            all.push_str(&String::from_utf8_lossy(
                &std::fs::read(entry.path()).unwrap_or_default(),
            ));
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_message_with_a_mention_is_delivered_once_and_no_secret_is_kept() {
    let fx = Fixture::start().await;
    let token = robot(&fx, Some(APP_SECRET)).await;
    fx.register(
        "deploy-ping",
        registered(
            via(true, json!({"users": ["u1001"]})),
            json!({"markdown": {"title": "Deploys", "text": "@u1001 the deploy window opens {{date}}"}}),
        ),
    );
    let env = [(TOKEN_VAR, token.as_str()), (SECRET_VAR, APP_SECRET)];

    let first = run_with(&fx, &env, "2026-03-02T09:00:10Z").await;
    crate::assert_filtered_snapshot!("webhook_delivered", first.snapshot());
    let sent = webhook_messages(&fx).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let content = &sent[0]["content"];
    assert_eq!(content["msgtype"], "markdown");
    assert_eq!(
        content["markdown"]["text"],
        "@u1001 the deploy window opens 2026-03-02"
    );
    assert_eq!(content["at"]["atUserIds"], json!(["u1001"]));
    assert!(content["msgUuid"].as_str().is_some_and(|u| !u.is_empty()));

    // Again, and later the same day: nothing more.
    for at in ["2026-03-02T09:00:10Z", "2026-03-02T09:05:00Z"] {
        let again = run_with(&fx, &env, at).await;
        crate::assert_filtered_snapshot!("webhook_rerun", again.snapshot());
    }
    assert_eq!(webhook_messages(&fx).await.len(), 1);

    let status = fx.status().await;
    assert_eq!(status.code, 0, "{status:?}");
    for text in [&first.stdout, &first.stderr, &status.stdout, &status.stderr] {
        assert!(!text.contains(&token), "the token leaked: {text}");
        assert!(!text.contains(APP_SECRET), "the secret leaked: {text}");
    }
    let kept = workspace_bytes(&fx);
    assert!(kept.contains(TOKEN_VAR), "the log names the variable");
    assert!(
        !kept.contains(&token),
        "the token is in a file of the workspace"
    );
    assert!(
        !kept.contains(APP_SECRET),
        "the secret is in a file of the workspace"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_or_no_signature_is_refused_and_named_without_the_values() {
    let fx = Fixture::start().await;
    let token = robot(&fx, Some(APP_SECRET)).await;
    fx.register(
        "signed",
        registered(via(true, json!({})), json!({"text": {"content": "signed"}})),
    );
    fx.register(
        "unsigned",
        registered(
            via(false, json!({})),
            json!({"text": {"content": "unsigned"}}),
        ),
    );
    let wrong = "SECwrong-secret-value";
    let run = run_with(
        &fx,
        &[(TOKEN_VAR, token.as_str()), (SECRET_VAR, wrong)],
        "2026-03-02T09:00:10Z",
    )
    .await;
    assert!(webhook_messages(&fx).await.is_empty());
    // Both failed with the platform's 310000.
    crate::assert_filtered_snapshot!("webhook_wrong_secret", run.snapshot());
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(&token) && !text.contains(wrong), "{text}");
    }
    assert!(!workspace_bytes(&fx).contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_variable_is_named_and_nothing_is_sent() {
    let fx = Fixture::start().await;
    let token = robot(&fx, Some(APP_SECRET)).await;
    fx.register(
        "ping",
        registered(via(true, json!({})), json!({"text": {"content": "hi"}})),
    );
    let run = run_with(&fx, &[(TOKEN_VAR, token.as_str())], "2026-03-02T09:00:10Z").await;
    crate::assert_filtered_snapshot!("webhook_variable_missing", run.snapshot());
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
    assert!(webhook_messages(&fx).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_webhook_message_type_goes_out_with_the_platforms_fields() {
    let fx = Fixture::start().await;
    let token = robot(&fx, None).await;
    let messages = [
        ("a-text", json!({"text": {"content": "plain"}})),
        (
            "b-markdown",
            json!({"markdown": {"title": "T", "text": "**bold**"}}),
        ),
        (
            "c-link",
            json!({"link": {"title": "L", "text": "x", "message_url": "https://a.example", "pic_url": "https://a.example/p.png"}}),
        ),
        (
            "d-card",
            json!({"action_card": {"title": "C", "markdown": "m", "btn_orientation": 1,
                "btn_json_list": [{"title": "Yes", "action_url": "https://y.example"}, {"title": "No", "action_url": "https://n.example"}]}}),
        ),
        (
            "e-feed",
            json!({"feed_card": {"links": [{"title": "F1", "message_url": "https://f.example/1", "pic_url": "https://f.example/1.png"}]}}),
        ),
    ];
    for (name, message) in &messages {
        fx.register(
            name,
            registered(via(false, json!({"all": true})), message.clone()),
        );
    }
    let run = run_with(&fx, &[(TOKEN_VAR, token.as_str())], "2026-03-02T09:00:10Z").await;
    assert_eq!(run.code, 0, "{run:?}");
    let sent = webhook_messages(&fx).await;
    let types: Vec<&str> = sent
        .iter()
        .map(|m| m["content"]["msgtype"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = types.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["actionCard", "feedCard", "link", "markdown", "text"],
        "{sent:?}"
    );
    let by_type = |t: &str| {
        sent.iter()
            .find(|m| m["content"]["msgtype"] == t)
            .map(|m| m["content"].clone())
            .unwrap()
    };
    assert_eq!(by_type("link")["link"]["messageUrl"], "https://a.example");
    assert_eq!(by_type("link")["link"]["picUrl"], "https://a.example/p.png");
    let card = by_type("actionCard");
    assert_eq!(
        card["actionCard"]["btns"][1]["actionURL"],
        "https://n.example"
    );
    assert_eq!(card["actionCard"]["btnOrientation"], "1");
    assert_eq!(
        by_type("feedCard")["feedCard"]["links"][0]["messageURL"],
        "https://f.example/1"
    );
    assert!(sent.iter().all(|m| m["content"]["at"]["isAtAll"] == true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_checks_the_signature_window_and_rate_of_a_custom_robot() {
    let fx = Fixture::start().await;
    let token = robot(&fx, Some(APP_SECRET)).await;
    let http = reqwest::Client::new();
    let send = |query: Vec<(&'static str, String)>, uuid: String| {
        let http = http.clone();
        let url = format!("{}/robot/send", fx.base);
        let token = token.clone();
        async move {
            let mut query = query;
            query.push(("access_token", token));
            let answer: Value = http
                .post(url)
                .query(&query)
                .json(&json!({"msgtype": "text", "text": {"content": "x"}, "msgUuid": uuid}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["errcode"].as_i64().unwrap()
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    let signed = |at: i64| {
        vec![
            ("timestamp", at.to_string()),
            ("sign", sign(APP_SECRET, at)),
        ]
    };

    assert_eq!(send(Vec::new(), "u0".into()).await, 310000, "unsigned");
    assert_eq!(
        send(
            vec![
                ("timestamp", now.to_string()),
                ("sign", sign("SECother", now))
            ],
            "u0".into()
        )
        .await,
        310000,
        "signed with another secret"
    );
    let two_hours_ago = now - 2 * 3600 * 1000;
    assert_eq!(
        send(signed(two_hours_ago), "u0".into()).await,
        310000,
        "stale"
    );
    assert!(webhook_messages(&fx).await.is_empty());

    assert_eq!(send(signed(now), "u1".into()).await, 0);
    assert_eq!(
        send(signed(now), "u1".into()).await,
        0,
        "a repeated msgUuid"
    );
    assert_eq!(webhook_messages(&fx).await.len(), 1, "posted once");
    for n in 2..=20 {
        assert_eq!(send(signed(now), format!("u{n}")).await, 0, "message {n}");
    }
    assert_eq!(
        send(signed(now), "u21".into()).await,
        410100,
        "the 21st in a minute"
    );
    assert_eq!(webhook_messages(&fx).await.len(), 20);

    // The emulator's state shows no token and no secret.
    let state = fx.emu.state().await.to_string();
    assert!(!state.contains(&token) && !state.contains(APP_SECRET));
}
