//! Manifests and seeds several features' tests start from.

use dingform::emulator::Seed;
use dingform::model::wire::notification::WorkMessage;
use dingform::provider::WorkNotification;

/// A text work notification saying "hi" to `userid`.
pub fn text_notification(userid: &str) -> WorkNotification {
    WorkNotification {
        userids: vec![userid.into()],
        dept_ids: Vec::new(),
        to_all_user: false,
        msg: WorkMessage {
            msgtype: "text".into(),
            text: Some(serde_json::json!({"content": "hi"})),
            ..WorkMessage::default()
        },
    }
}

/// The `dingform.yaml` most tests use: the demo organization, an internal app, the sandbox
/// (every run against an emulator overrides it with `DINGFORM_ENDPOINT`).
pub const SETTINGS: &str = "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\nendpoint: sandbox\ndefaults: {template: tpl-default}\n";

/// A bot and a group that notifications can refer to.
pub const BASE: &str = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n  oncall: {title: On-call, type: scene, owner: manager4220, bots: [alerts]}\n";

/// The alerts bot, on its own.
pub const ALERTS_BOT: &str = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\n";

/// A `standup` notification at 09:00 on weekdays, through the alerts bot into `payments`.
pub const STANDUP: &str = "notifications:\n  standup:\n    schedule: '0 9 * * 1-5'\n    timezone: Asia/Shanghai\n    via: {bot: alerts, group: payments}\n    message: {text: {content: Stand-up time}}\n";

/// The manifest the apply tests start from: the alerts bot, manager4220's scene group
/// `payments` ("Payments On-call") with the lines `payments` adds to it (four spaces in; they
/// put the bot in), `more` (other groups two spaces in, then top-level keys), and [`STANDUP`].
pub fn payments_manifest(payments: &str, more: &str) -> String {
    format!(
        "{ALERTS_BOT}groups:\n  payments:\n    title: Payments On-call\n    type: scene\n    owner: manager4220\n{payments}{more}{STANDUP}"
    )
}

/// `count` scene groups `g000…`, each with a member and the alerts bot.
pub fn scene_groups(count: usize) -> String {
    let mut yaml =
        String::from("bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n");
    for i in 0..count {
        yaml.push_str(&format!(
            "  g{i:03}: {{title: Group {i:03}, type: scene, owner: manager4220, members: [u1001], bots: [alerts]}}\n"
        ));
    }
    yaml
}

/// The demo seed with `count` more active users, [`bulk_user`]`(0..count)`, in `department`.
pub fn seed_with_users(count: usize, department: i64) -> Seed {
    let mut seed = Seed::demo();
    for n in 0..count {
        seed.users.push(dingform::emulator::seed::User {
            userid: bulk_user(n),
            name: format!("Bulk {n}"),
            departments: vec![department],
            active: true,
        });
    }
    seed
}

/// The userId of the `n`th user [`seed_with_users`] adds (`bulk00000`, `bulk00001`, …).
pub fn bulk_user(n: usize) -> String {
    format!("bulk{n:05}")
}

/// A PNG header (signature and IHDR) of the given size: enough for a size reader, which is
/// all the rules look at.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes
}
