//! Custom robots, the kind a person adds to a group in the DingTalk client (no API creates
//! one): `POST /_emulator/webhooks {open_conversation_id, secret}` → `{access_token}` stands
//! for that person, and `/robot/send` with that token posts to the group. With a secret the
//! robot signs: a request without `timestamp` and `sign`, with a wrong `sign`, or with a
//! `timestamp` more than an hour off the emulator clock is refused with 310000
//! (`webhook-signature`). 20 messages a minute, then 10 minutes of 410100 (`webhook-rate`).
//! A `msgUuid` seen before is answered ok and not posted again.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::clock::Millis;
use super::error::Refusal;
use super::world::{Message, MessageKind, World, random_token};
use crate::model::limits::{WEBHOOK_PER_MINUTE, WEBHOOK_THROTTLE_MINUTES};
use crate::model::webhook::{WEBHOOK_TIMESTAMP_WINDOW_MS, webhook_signature};
use crate::model::wire::robot::WebhookMessage;

/// How many `msgUuid`s a robot remembers.
const REMEMBERED_UUIDS: usize = 10_000;

/// A custom robot in a group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustomRobot {
    /// Its webhook token (a secret: never in `GET state`).
    pub access_token: String,
    /// The group it posts to.
    pub open_conversation_id: String,
    /// Its signing secret (a secret), when signing is on.
    pub secret: Option<String>,
    /// When it was added.
    pub added_at: Millis,
    /// Recent sends (for 20 a minute).
    #[serde(default)]
    pub sends: Vec<Millis>,
    /// Throttled until.
    #[serde(default)]
    pub throttled_until: Millis,
    /// `msgUuid`s already posted.
    #[serde(default)]
    pub msg_uuids: Vec<String>,
}

/// Body of `POST /_emulator/webhooks`.
#[derive(Debug, Deserialize)]
pub struct AddRobot {
    /// The group.
    pub open_conversation_id: String,
    /// The signing secret; none: the robot does not sign.
    #[serde(default)]
    pub secret: Option<String>,
}

/// `POST /_emulator/webhooks`: a person adds a custom robot to a group.
pub async fn add(State(state): State<AppState>, Json(body): Json<AddRobot>) -> Response {
    let result = state
        .store
        .write(|world| {
            let group = world
                .group(&body.open_conversation_id)
                .ok_or_else(|| Refusal::GroupNotFound(body.open_conversation_id.clone()))?;
            if !group.active {
                return Err(Refusal::GroupDisbanded);
            }
            let token = format!("{}{}", random_token(), random_token());
            let now = world.now();
            world.custom_robots.push(CustomRobot {
                access_token: token.clone(),
                open_conversation_id: body.open_conversation_id.clone(),
                secret: body.secret.clone().filter(|s| !s.is_empty()),
                added_at: now,
                sends: Vec::new(),
                throttled_until: 0,
                msg_uuids: Vec::new(),
            });
            Ok(token)
        })
        .await;
    match result {
        Ok(token) => Json(json!({
            "access_token": token,
            "path": format!("/robot/send?access_token={token}"),
        }))
        .into_response(),
        Err(refusal) => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": refusal.to_string()})),
        )
            .into_response(),
    }
}

/// Whether `token` is a custom robot's.
pub fn is_custom_robot(world: &World, token: &str) -> bool {
    world
        .custom_robots
        .iter()
        .any(|robot| robot.access_token == token)
}

/// `/robot/send` for a custom robot: checks the signature and the rate, then posts.
pub fn send(
    world: &mut World,
    token: &str,
    query: &[(String, String)],
    message: &WebhookMessage,
    content: Value,
) -> Result<(), Refusal> {
    let now = world.now();
    let index = world
        .custom_robots
        .iter()
        .position(|robot| robot.access_token == token)
        .ok_or(Refusal::WebhookTokenUnknown)?;
    let robot = &world.custom_robots[index];
    if let Some(secret) = &robot.secret {
        let param = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let (Some(timestamp), Some(sign)) = (param("timestamp"), param("sign")) else {
            return Err(Refusal::WebhookSignature(
                "this robot signs: timestamp and sign are required".into(),
            ));
        };
        let timestamp: i64 = timestamp
            .parse()
            .map_err(|_| Refusal::WebhookSignature("timestamp is not milliseconds".into()))?;
        if (now - timestamp).abs() > WEBHOOK_TIMESTAMP_WINDOW_MS {
            return Err(Refusal::WebhookSignature(
                "timestamp is more than an hour off the server's clock".into(),
            ));
        }
        if sign != webhook_signature(secret, timestamp) {
            return Err(Refusal::WebhookSignature("sign does not match".into()));
        }
    }
    let group = world
        .group(&robot.open_conversation_id)
        .ok_or(Refusal::WebhookTokenUnknown)?;
    if !group.active {
        return Err(Refusal::GroupDisbanded);
    }
    let recipients = group.members.clone();
    let open_conversation_id = group.open_conversation_id.clone();
    let robot = &mut world.custom_robots[index];
    if let Some(uuid) = &message.msg_uuid
        && robot.msg_uuids.contains(uuid)
    {
        return Ok(());
    }
    admit_send(&mut robot.sends, &mut robot.throttled_until, now)?;
    if let Some(uuid) = &message.msg_uuid {
        robot.msg_uuids.push(uuid.clone());
        if robot.msg_uuids.len() > REMEMBERED_UUIDS {
            robot.msg_uuids.remove(0);
        }
    }
    world.messages.push(Message {
        kind: MessageKind::Webhook,
        at: now,
        app_key: None,
        content,
        recipients,
        open_conversation_id: Some(open_conversation_id),
        robot_code: None,
        process_query_key: None,
        recalled: false,
        task: None,
    });
    Ok(())
}

/// `webhook-rate`: admit one webhook send at `now` (a custom robot's, or a group bot's), given
/// the robot's sends of the last minute and until when it is throttled. The send that would be
/// one more than [`WEBHOOK_PER_MINUTE`] in a minute is refused (410100) and throttles the robot
/// for [`WEBHOOK_THROTTLE_MINUTES`].
pub(super) fn admit_send(
    sends: &mut Vec<Millis>,
    throttled_until: &mut Millis,
    now: Millis,
) -> Result<(), Refusal> {
    const MINUTE_MS: Millis = 60_000;
    if *throttled_until > now {
        return Err(Refusal::SendTooFast);
    }
    sends.retain(|at| now - at < MINUTE_MS);
    if sends.len() >= WEBHOOK_PER_MINUTE {
        *throttled_until = now + WEBHOOK_THROTTLE_MINUTES as Millis * MINUTE_MS;
        return Err(Refusal::SendTooFast);
    }
    sends.push(now);
    Ok(())
}
