//! The Developer Console changing under dingform: `POST /_emulator/bots {"robot_code", "name"}`,
//! a person creates a bot or renames one in the console (no API does either). A rename shows at
//! once wherever the platform lists the bot (`/v1.0/robot/groups/robots/query`), which is what
//! the plan reads to see that a `bot-rename-test-group` step is done.
//!
//! It changes the organization itself (`seed.bots`), so `POST reset` keeps it; `POST seed`
//! starts over.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::seed::Bot;

/// `POST /_emulator/bots {"robot_code", "name"}`.
pub async fn save_bot(State(state): State<AppState>, body: Bytes) -> Response {
    let bot: Bot = match serde_json::from_slice(&body) {
        Ok(bot) => bot,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("expected {{\"robot_code\", \"name\"}}: {error}")})),
            )
                .into_response();
        }
    };
    if bot.robot_code.trim().is_empty() || bot.name.trim().is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "robot_code and name must not be empty"})),
        )
            .into_response();
    }
    let saved = bot.clone();
    let written = state
        .store
        .write(move |world| {
            match world
                .seed
                .bots
                .iter_mut()
                .find(|known| known.robot_code == bot.robot_code)
            {
                Some(known) => known.name = bot.name,
                None => world.seed.bots.push(bot),
            }
            Ok::<_, super::error::Refusal>(())
        })
        .await;
    match written {
        Ok(()) => Json(json!({"ok": true, "robot_code": saved.robot_code, "name": saved.name}))
            .into_response(),
        Err(refusal) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": refusal.to_string()})),
        )
            .into_response(),
    }
}
