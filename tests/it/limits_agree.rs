//! The checks and the emulator read one number for each platform limit (`model::limits`):
//! `validate` or `plan` reports just past it, and the emulator refuses just past the same
//! number, each exercised at the limit and one past it. Before, the emulator kept its own
//! copies (a group bot's 20 webhook messages a minute and 10-minute throttle, 50 mentions, the
//! join URL's 365 days) that could drift from what the checks said.

use dingform::model::limits::{
    GROUP_URL_DAYS, GROUP_URL_WARN_DAYS, MASS_DELETE_PERCENT, WEBHOOK_MENTIONS, WEBHOOK_PER_MINUTE,
    WEBHOOK_THROTTLE_MINUTES,
};
use serde_json::{Value, json};

use crate::common::{Emu, Workspace};
use crate::notify_support::Fixture;
use crate::plan_support::{findings, plan_json};

/// `dingform validate --format json` of one `notifications.yaml`: its findings of `rule`.
fn validate_findings(notifications: &str, rule: &str) -> Vec<Value> {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\nendpoint: sandbox\n",
    )
    .file("notifications.yaml", notifications);
    let (_, report) = ws.validate_json();
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `count` notifications at 09:00 through one robot, each mentioning `mentions` users.
fn pings(count: usize, mentions: usize) -> String {
    let users: Vec<String> = (0..mentions).map(|n| format!("u{}", 1001 + n)).collect();
    let at = if mentions == 0 {
        String::new()
    } else {
        format!(", at: {{users: [{}]}}", users.join(", "))
    };
    let mut text = String::from("notifications:\n");
    for n in 0..count {
        text.push_str(&format!(
            "  ping-{n}:\n    schedule: \"0 9 * * *\"\n    via: {{webhook: {{token_env: OPS_TOKEN{at}}}}}\n    message: {{text: {{content: \"ping {n}\"}}}}\n"
        ));
    }
    text
}

/// The access tokens of both kinds of webhook the emulator takes: a group bot's (issued when it
/// joined) and a custom robot's that a person added.
async fn webhook_tokens(fx: &Fixture) -> Vec<(&'static str, String)> {
    let group = fx.group_with_bot().await;
    let bot: Value = fx
        .emu
        .http
        .get(fx.emu.url("/_emulator/webhook"))
        .query(&[
            ("open_conversation_id", group.as_str()),
            ("robot_code", "dingbot-alerts"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let custom = fx
        .admin("webhooks", json!({"open_conversation_id": group}))
        .await;
    vec![
        (
            "group bot",
            bot["access_token"].as_str().unwrap().to_owned(),
        ),
        (
            "custom robot",
            custom["access_token"].as_str().unwrap().to_owned(),
        ),
    ]
}

/// POST a text message to `/robot/send`, mentioning `mentions` users: the errcode.
async fn send(fx: &Fixture, token: &str, uuid: &str, mentions: usize) -> i64 {
    let users: Vec<String> = (0..mentions).map(|n| format!("u{}", 1001 + n)).collect();
    let answer: Value = fx
        .emu
        .http
        .post(fx.emu.url("/robot/send"))
        .query(&[("access_token", token)])
        .json(&json!({
            "msgtype": "text",
            "text": {"content": "x"},
            "msgUuid": uuid,
            "at": {"atUserIds": users},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["errcode"].as_i64().unwrap()
}

#[test]
fn validate_warns_of_webhook_rate_one_past_the_limit() {
    assert!(validate_findings(&pings(WEBHOOK_PER_MINUTE, 0), "webhook-rate").is_empty());
    let over = validate_findings(&pings(WEBHOOK_PER_MINUTE + 1, 0), "webhook-rate");
    assert_eq!(over.len(), WEBHOOK_PER_MINUTE + 1, "{over:?}");
    assert!(
        over[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("a robot takes {WEBHOOK_PER_MINUTE} a minute")),
        "{over:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_takes_webhook_rate_messages_a_minute_and_throttles_for_its_minutes() {
    let fx = Fixture::start().await;
    for (kind, token) in webhook_tokens(&fx).await {
        for n in 0..WEBHOOK_PER_MINUTE {
            let code = send(&fx, &token, &format!("{kind}-{n}"), 0).await;
            assert_eq!(code, 0, "{kind}: message {} of the minute", n + 1);
        }
        let code = send(&fx, &token, &format!("{kind}-over"), 0).await;
        assert_eq!(
            code, 410100,
            "{kind}: one past {WEBHOOK_PER_MINUTE} a minute"
        );
        // Throttled for the whole throttle, though the minute is over.
        fx.emu
            .advance(WEBHOOK_THROTTLE_MINUTES as i64 * 60 - 30)
            .await;
        let code = send(&fx, &token, &format!("{kind}-throttled"), 0).await;
        assert_eq!(code, 410100, "{kind}: still throttled 30 s before the end");
        fx.emu.advance(60).await;
        let code = send(&fx, &token, &format!("{kind}-after"), 0).await;
        assert_eq!(
            code, 0,
            "{kind}: taken again after {WEBHOOK_THROTTLE_MINUTES} minutes"
        );
    }
}

#[test]
fn validate_refuses_one_mention_past_the_limit() {
    assert!(validate_findings(&pings(1, WEBHOOK_MENTIONS), "invalid-message").is_empty());
    let over = validate_findings(&pings(1, WEBHOOK_MENTIONS + 1), "invalid-message");
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(
        over[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("at most {WEBHOOK_MENTIONS} users")),
        "{over:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_refuses_one_mention_past_the_limit() {
    let fx = Fixture::start().await;
    for (kind, token) in webhook_tokens(&fx).await {
        let code = send(&fx, &token, &format!("{kind}-at"), WEBHOOK_MENTIONS).await;
        assert_eq!(code, 0, "{kind}: {WEBHOOK_MENTIONS} mentions");
        let code = send(&fx, &token, &format!("{kind}-over"), WEBHOOK_MENTIONS + 1).await;
        assert_ne!(code, 0, "{kind}: one mention too many");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_warns_of_a_join_url_by_the_days_the_emulator_keeps_it() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file(
        "groups.yaml",
        "groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    members: [u1001]\n",
    );
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let path = ws.join(".dingform/state.json");
    let seen_days_ago = |days: usize| {
        let mut state: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let since = chrono::Utc::now() - chrono::Duration::days(days as i64);
        state["resources"]["group.oncall"]["observed"]["group_url_since"] =
            json!(since.to_rfc3339());
        std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    };

    seen_days_ago(GROUP_URL_WARN_DAYS);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert!(findings(&plan, "group-url-expiry").is_empty(), "{plan:#}");
    seen_days_ago(GROUP_URL_WARN_DAYS + 1);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    let expiry = findings(&plan, "group-url-expiry");
    assert_eq!(expiry.len(), 1, "{plan:#}");
    let message = expiry[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("expires after {GROUP_URL_DAYS} days")),
        "{message}"
    );

    // The emulator keeps the URL working for exactly those days.
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let url = state["resources"]["group.oncall"]["observed"]["group_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let valid = || async {
        let body: Value = emu
            .http
            .get(emu.url("/_emulator/join_url"))
            .query(&[("url", url.as_str())])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (body["valid"].as_bool().unwrap(), body["reason"].clone())
    };
    emu.advance(GROUP_URL_DAYS as i64 * 86_400 - 60).await;
    assert!(valid().await.0, "a minute before {GROUP_URL_DAYS} days");
    emu.advance(120).await;
    let (still, reason) = valid().await;
    assert!(!still, "a minute after {GROUP_URL_DAYS} days");
    assert_eq!(reason, json!(format!("older than {GROUP_URL_DAYS} days")));
}

/// clap's doc comments cannot name a constant: the `--allow-mass-delete` help of `plan` and
/// `apply` states the number, and this holds it to `model::limits`.
#[test]
fn the_allow_mass_delete_help_states_the_share_the_plan_refuses_at() {
    for command in ["plan", "apply"] {
        let output = assert_cmd::Command::cargo_bin("dingform")
            .unwrap()
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(output.stdout).unwrap();
        let flag = help
            .split("--allow-mass-delete")
            .nth(1)
            .unwrap_or_else(|| panic!("{command} --help has no --allow-mass-delete: {help}"));
        let flag = flag.split("\n  -").next().unwrap_or_default();
        assert!(
            flag.contains(&format!("more than {MASS_DELETE_PERCENT}%")),
            "{command} --help: {flag}"
        );
    }
}
