//! The admin API under `/_emulator/` (JSON, no auth, never faulted):
//!
//! | call | does |
//! |---|---|
//! | `GET state` | everything: organization, directory (with departures), groups (an array; `title`, `owner`, `members`, `uuid`, `open_conversation_id`, `chat_id`, join URLs, bots, plugins), `messages` (one per accepted send request, with content and recipients), clock, faults; never app secrets, access tokens or webhook tokens |
//! | `POST reset` | back to the current seed: no groups, no messages, clock offset 0 |
//! | `POST seed` | replace the seed (same shape as the seed file, JSON or YAML) and reset |
//! | `POST clock {"advance_seconds": N}` | move the emulator clock forward |
//! | `POST faults {"error_rate", "latency_ms", "qps_limit", "drop_rate", "delivery_failure_rate"}` | replace the fault set |
//! | `GET qps` | what `qps_limit` counted per app per API since the fault set was posted: `{"apis": [{"app", "api", "admitted", "refused", "first_window", "windows": [calls let through per one-second window]}], "window_phase_ms"}`, the last how far into its current one-second window the emulator is (its windows begin at every whole second since it started) |
//! | `POST users/{userid}/leave` | the user leaves the organization now |
//! | `POST users {"userid", "name", "departments"}` | a person joins the organization (or comes back) or moves department (`org_chart.rs`) |
//! | `GET webhook?open_conversation_id=…&robot_code=…` | the bot's webhook token in that group, as the console shows it once the bot joined (`webhook-token-after-join`): `{"access_token", "path"}`; 404 before |
//! | `GET join_url?url=…` | whether a join URL still works (`{"valid", "open_conversation_id", "reason"}`) |

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::clock;
use super::faults::FaultSet;
use super::seed::Seed;
use super::world::World;

fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

/// The admin view of the world.
pub fn state_view(world: &World, faults: &FaultSet) -> Value {
    let seed = &world.seed;
    let apps: Vec<Value> = seed
        .apps
        .iter()
        .map(|app| json!({"app_key": app.app_key, "agent_id": app.agent_id, "kind": app.kind}))
        .collect();
    let users: Vec<Value> = seed
        .users
        .iter()
        .map(|user| {
            let left = world.departed.get(&user.userid);
            json!({
                "userid": user.userid,
                "name": user.name,
                "departments": user.departments,
                "active": left.is_none(),
                "left_at": left.map(|at| clock::rfc3339(*at)),
            })
        })
        .collect();
    let groups: Vec<Value> = world
        .groups
        .values()
        .map(|group| {
            let mut value = serde_json::to_value(group).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                // Webhook tokens are secrets: the state says a bot has one; the console-like
                // `GET webhook` hands it out on request.
                if let Some(Value::Array(bots)) = map.get_mut("bots") {
                    for bot in bots.iter_mut().filter_map(Value::as_object_mut) {
                        bot.remove("webhook_sends");
                        bot.remove("throttled_until");
                        let issued = bot.remove("webhook_token").is_some();
                        bot.insert("webhook_token_issued".to_owned(), json!(issued));
                    }
                }
                map.insert(
                    "status".to_owned(),
                    json!(if group.active { "active" } else { "disbanded" }),
                );
                map.insert(
                    "group_url_expired".to_owned(),
                    json!(world.group_url_expired(group)),
                );
            }
            value
        })
        .collect();
    let now = world.now();
    json!({
        "organization": seed.organization,
        "apps": apps,
        "departments": seed.departments,
        "users": users,
        "bots": seed.bots,
        "scene_group_templates": seed.scene_group_templates,
        "plugins": seed.plugins,
        "clock": {
            "now": clock::rfc3339(now),
            "now_ms": now,
            "offset_seconds": world.clock_offset_seconds,
        },
        "faults": faults,
        "groups": groups,
        "messages": world.messages,
        "media": world.media,
    })
}

/// `GET /_emulator/state`.
pub async fn state(State(state): State<AppState>) -> Json<Value> {
    let faults = state.faults.get();
    Json(state.store.read(|world| state_view(world, &faults)))
}

async fn replace_world(state: &AppState, seed: Option<Seed>) -> Response {
    let result = state
        .store
        .write(|world| {
            let seed = seed.unwrap_or_else(|| world.seed.clone());
            *world = World::new(seed, clock::now_ms(0));
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(refusal) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": refusal.to_string()})),
        )
            .into_response(),
    }
}

/// `POST /_emulator/reset`.
pub async fn reset(State(state): State<AppState>) -> Response {
    replace_world(&state, None).await
}

/// `POST /_emulator/seed`.
pub async fn seed(State(state): State<AppState>, body: Bytes) -> Response {
    let parsed = match serde_json::from_slice::<Seed>(&body) {
        Ok(seed) => seed.check("POST /_emulator/seed").map(|()| seed),
        Err(json_error) => match std::str::from_utf8(&body) {
            Ok(text) if !text.trim_start().starts_with('{') => {
                Seed::from_yaml("POST /_emulator/seed", text)
            }
            _ => return bad_request(format!("the seed is not valid: {json_error}")),
        },
    };
    match parsed {
        Ok(seed) => replace_world(&state, Some(seed)).await,
        Err(error) => bad_request(error.to_string()),
    }
}

/// Body of `POST /_emulator/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvance {
    /// Seconds to move forward (not backward: the platform's clock does not go back).
    pub advance_seconds: i64,
}

/// `POST /_emulator/clock`.
pub async fn advance_clock(State(state): State<AppState>, body: Bytes) -> Response {
    let advance: ClockAdvance = match serde_json::from_slice(&body) {
        Ok(advance) => advance,
        Err(error) => return bad_request(format!("expected {{\"advance_seconds\": N}}: {error}")),
    };
    // A hundred years is plenty and keeps every time computation far from overflow.
    const MAX_OFFSET_SECONDS: i64 = 100 * 365 * 86_400;
    if advance.advance_seconds < 0 {
        return bad_request("advance_seconds must not be negative");
    }
    let offset = state.store.read(|world| world.clock_offset_seconds);
    if advance.advance_seconds > MAX_OFFSET_SECONDS - offset {
        return bad_request("the emulator clock moves at most 100 years ahead");
    }
    let now = state
        .store
        .write(|world| {
            world.clock_offset_seconds += advance.advance_seconds;
            Ok(world.now())
        })
        .await;
    match now {
        Ok(now) => Json(json!({"now": clock::rfc3339(now), "now_ms": now})).into_response(),
        Err(refusal) => bad_request(refusal.to_string()),
    }
}

/// `POST /_emulator/faults`.
pub async fn faults(State(state): State<AppState>, body: Bytes) -> Response {
    let set: FaultSet = match serde_json::from_slice(&body) {
        Ok(set) => set,
        Err(error) => return bad_request(format!("invalid fault set: {error}")),
    };
    if let Err(message) = set.check() {
        return bad_request(message);
    }
    state.faults.replace(set.clone());
    Json(json!({ "faults": set })).into_response()
}

/// `GET /_emulator/qps`: what `qps_limit` counted since the fault set was posted.
pub async fn qps(State(state): State<AppState>) -> Response {
    Json(json!({
        "apis": state.faults.qps_counts(),
        "window_phase_ms": state.faults.window_phase().as_secs_f64() * 1000.0,
    }))
    .into_response()
}

/// `POST /_emulator/users/{userid}/leave`.
pub async fn leave(State(state): State<AppState>, Path(userid): Path<String>) -> Response {
    match state.store.write(|world| world.depart(&userid)).await {
        Ok(()) => Json(json!({"ok": true, "userid": userid})).into_response(),
        Err(refusal) => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": refusal.to_string()})),
        )
            .into_response(),
    }
}

/// Query of `GET /_emulator/join_url`.
#[derive(Debug, Deserialize)]
pub struct JoinUrlQuery {
    /// The URL to check.
    pub url: String,
}

/// `GET /_emulator/join_url?url=…`.
pub async fn join_url(
    State(state): State<AppState>,
    Query(query): Query<JoinUrlQuery>,
) -> Json<Value> {
    Json(state.store.read(|world| {
        for group in world.groups.values() {
            if group.group_url == query.url {
                let expired = world.group_url_expired(group);
                let valid = group.active && !expired;
                let reason = if !group.active {
                    Some("the group is disbanded".to_owned())
                } else if expired {
                    Some(format!(
                        "older than {} days",
                        crate::model::limits::GROUP_URL_DAYS
                    ))
                } else {
                    None
                };
                return json!({"valid": valid, "open_conversation_id": group.open_conversation_id, "reason": reason});
            }
            if group.expired_group_urls.contains(&query.url) {
                return json!({"valid": false, "open_conversation_id": group.open_conversation_id, "reason": "replaced after an owner, title or settings change, or expired"});
            }
        }
        json!({"valid": false, "open_conversation_id": null, "reason": "unknown URL"})
    }))
}

/// Query of `GET /_emulator/webhook`.
#[derive(Debug, Deserialize)]
pub struct WebhookQuery {
    /// The group.
    pub open_conversation_id: String,
    /// The bot.
    pub robot_code: String,
}

/// `GET /_emulator/webhook?open_conversation_id=…&robot_code=…`.
pub async fn webhook(State(state): State<AppState>, Query(query): Query<WebhookQuery>) -> Response {
    let token = state.store.read(|world| {
        world
            .group(&query.open_conversation_id)
            .and_then(|group| {
                group
                    .bots
                    .iter()
                    .find(|bot| bot.robot_code == query.robot_code)
            })
            .map(|bot| bot.webhook_token.clone())
    });
    match token {
        Some(token) => Json(json!({
            "access_token": token,
            "path": format!("/robot/send?access_token={token}"),
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!(
                "bot `{}` is not in group `{}`: its webhook token is issued when it joins",
                query.robot_code, query.open_conversation_id
            )})),
        )
            .into_response(),
    }
}
