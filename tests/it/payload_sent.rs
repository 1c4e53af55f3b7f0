//! The payload `validate` measures (`message-size`) is the one the runner sends (#16): for
//! messages where the two used to differ (a link without a picture, an OA message with a PC
//! URL and `open_in`, horizontal action-card buttons, variables outside the text fields), the
//! measured `msgParam` / `msg` equals what the emulator received from `notify run`, to the
//! byte count.

use crate::notify_support::Fixture;
use chrono::{TimeZone, Utc};
use dingform::manifest::checks::message_size;
use serde_json::{Value, json};

/// Notifications as state registers them; the manifest says the same in YAML's JSON form.
fn notifications() -> Vec<(&'static str, Value)> {
    let daily = |via: Value, message: Value| json!({"schedule": "0 9 * * *", "timezone": "UTC", "via": via, "message": message});
    let bot = json!({"bot": "alerts", "group": "oncall"});
    let work = json!({"work_notification": {"users": ["u1001"]}});
    vec![
        (
            "bot_link",
            daily(
                bot.clone(),
                json!({"link": {"title": "Report {{date}}", "text": "Today's numbers",
                    "message_url": "https://x.example/r?id=1", "open_in": "sidebar"}}),
            ),
        ),
        (
            "bot_buttons",
            daily(
                bot,
                json!({"action_card": {"title": "Deploy {{date}}", "markdown": "Go?",
                    "btn_orientation": 1, "btn_json_list": [
                        {"title": "Yes", "action_url": "https://x.example/yes"},
                        {"title": "No", "action_url": "https://x.example/no"}]}}),
            ),
        ),
        (
            "work_link",
            daily(
                work.clone(),
                json!({"link": {"title": "Report {{date}}", "text": "Today's numbers",
                    "message_url": "https://x.example/r?id=2"}}),
            ),
        ),
        (
            "work_oa",
            daily(
                work,
                json!({"oa": {"message_url": "https://x.example/m",
                    "pc_message_url": "https://x.example/pc", "open_in": "sidebar",
                    "head": {"text": "Digest", "bgcolor": "FFBBBBBB"},
                    "body": {"title": "On {{date}}", "file_count": "{{weekday}}"}}}),
            ),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payload_validate_measures_is_the_one_the_runner_sends() {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    let mut yaml = String::from("notifications:\n");
    for (name, attributes) in notifications() {
        fx.register(name, attributes.clone());
        yaml.push_str(&format!("  {name}: {attributes}\n"));
    }
    std::fs::write(fx.root().join("notifications.yaml"), yaml).expect("write manifest");
    let workspace = dingform::manifest::load(fx.root()).workspace;

    let run = fx.run_once("2026-03-02T09:00:10Z").await;
    assert_eq!(run.code, 0, "{run:?}");
    let sent = fx.messages().await;
    assert_eq!(sent.len(), notifications().len(), "{sent:#?}");

    let before = Utc.with_ymd_and_hms(2026, 3, 2, 8, 59, 0).unwrap();
    for (name, attributes) in notifications() {
        let spec = &workspace
            .notifications
            .get(name)
            .expect("in the manifest")
            .spec;
        let measured = message_size::measure(spec, before)
            .unwrap_or_else(|| panic!("{name}: nothing measured"));
        let measured_value: Value = serde_json::from_str(&measured.payload).expect("JSON");
        let via_bot = attributes["via"].get("bot").is_some();
        let received = sent
            .iter()
            .map(|m| {
                if via_bot {
                    m["content"]["msgParam"].clone()
                } else {
                    m["content"].clone()
                }
            })
            .find(|content| *content == measured_value);
        let Some(received) = received else {
            panic!("{name}: measured {measured_value:#} but the emulator received {sent:#?}");
        };
        assert_eq!(
            measured.payload.len(),
            serde_json::to_string(&received).unwrap().len(),
            "{name}: the byte count measured is the byte count sent"
        );
    }
}
