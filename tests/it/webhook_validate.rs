//! `dingform validate` on webhook deliveries: `webhook-rate` when more than 20 notifications
//! post through one robot in the same minute (not at 20), a message type a webhook cannot
//! send, and a token written where its variable's name belongs.

use serde_json::Value;

use crate::common::Workspace;

fn validate(notifications: &str) -> (i32, Vec<Value>) {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\nendpoint: sandbox\n",
    )
    .file("notifications.yaml", notifications);
    let (code, report) = ws.validate_json();
    let findings = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (code, findings)
}

fn pings(count: usize, token_env: &str) -> String {
    let mut text = String::from("notifications:\n");
    for n in 0..count {
        text.push_str(&format!(
            "  ping-{n}:\n    schedule: \"0 9 * * *\"\n    via: {{webhook: {{token_env: {token_env}}}}}\n    message: {{text: {{content: \"ping {n}\"}}}}\n"
        ));
    }
    text
}

fn rules(findings: &[Value], rule: &str) -> Vec<Value> {
    findings
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

#[test]
fn twenty_one_notifications_in_one_minute_through_one_robot_warn_twenty_do_not() {
    let (code, findings) = validate(&pings(21, "OPS_TOKEN"));
    assert_eq!(code, 0, "a warning does not fail validate: {findings:?}");
    let rate = rules(&findings, "webhook-rate");
    assert_eq!(rate.len(), 21, "{findings:?}");
    assert_eq!(rate[0]["severity"], "warning");
    assert!(
        rate[0]["message"]
            .as_str()
            .unwrap()
            .contains("21 notifications post through the robot in $OPS_TOKEN"),
        "{rate:?}"
    );
    assert_eq!(rate[0]["line"], 4);

    let (_, findings) = validate(&pings(20, "OPS_TOKEN"));
    assert!(rules(&findings, "webhook-rate").is_empty(), "{findings:?}");
}

#[test]
fn a_webhook_cannot_send_an_oa_message_and_a_pasted_token_is_not_a_variable() {
    let (code, findings) = validate(
        "notifications:\n  n:\n    schedule: \"0 9 * * *\"\n    via: {webhook: {token_env: \"https://oapi.dingtalk.com/robot/send?access_token=abc\"}}\n    message: {oa: {message_url: \"https://x.example\", head: {text: H}}}\n",
    );
    assert_eq!(code, 1, "{findings:?}");
    let invalid = rules(&findings, "invalid-message");
    assert!(
        invalid[0]["message"]
            .as_str()
            .unwrap()
            .contains("a webhook robot cannot send an `oa` message"),
        "{findings:?}"
    );
    let via = rules(&findings, "invalid-via");
    assert_eq!(via.len(), 1, "{findings:?}");
    assert_eq!(via[0]["line"], 4);
}
