//! The organization chart changing under dingform (issue 17): `POST /_emulator/users`, a
//! person joins the organization or moves department (the admin API), and the platform's
//! `POST /topapi/v2/department/get` (a department's name, 60003 when unknown), which the plan
//! reads to say why each person joins or leaves a group that follows a department.
//!
//! A join or move changes the organization itself (`seed.users`, what `GET state` lists as
//! `users`), so `POST reset` keeps it; `POST seed` starts over.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::directory::check_department;
use super::error::Refusal;
use super::host::{Oapi, OapiError, oapi_ok, refuse};
use super::seed::User;
use super::world::World;
use crate::model::wire::directory::{DeptGetRequest, DeptInfo};
use crate::model::wire::scene_group::OapiResult;

/// The root department: DingTalk numbers it 1 and names it after the organization.
const ROOT: i64 = 1;

/// `POST /topapi/v2/department/get`.
pub async fn department_get(
    State(state): State<AppState>,
    call: Oapi<DeptGetRequest>,
) -> Result<Response, OapiError> {
    let id = call.body.dept_id;
    let info = state
        .store
        .read(|world| {
            check_department(world, id)?;
            let seeded = world.seed.departments.iter().find(|d| d.id == id);
            Ok(DeptInfo {
                dept_id: id,
                name: seeded.map_or_else(
                    || world.seed.organization.name.clone(),
                    |department| department.name.clone(),
                ),
                parent_id: seeded.map(|department| department.parent.unwrap_or(ROOT)),
            })
        })
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiResult { result: info }))
}

/// Body of `POST /_emulator/users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// Who.
    pub userid: String,
    /// Their name (kept as it was when left out for someone already in the directory).
    #[serde(default)]
    pub name: Option<String>,
    /// The departments they are in from now on (replacing the ones they were in).
    pub departments: Vec<i64>,
}

impl World {
    /// A person joins the organization (or comes back) in `departments`, or moves there.
    pub fn join(&mut self, join: &Join) -> Result<(), Refusal> {
        if join.userid.trim().is_empty() {
            return Err(Refusal::BadParameter("userid must not be empty".into()));
        }
        for id in &join.departments {
            check_department(self, *id)?;
        }
        match self.seed.users.iter_mut().find(|u| u.userid == join.userid) {
            Some(user) => {
                if let Some(name) = &join.name {
                    user.name.clone_from(name);
                }
                user.departments.clone_from(&join.departments);
                user.active = true;
            }
            None => self.seed.users.push(User {
                userid: join.userid.clone(),
                name: join.name.clone().unwrap_or_else(|| join.userid.clone()),
                departments: join.departments.clone(),
                active: true,
            }),
        }
        // Someone who left and is hired again is in the organization again.
        self.departed.remove(&join.userid);
        Ok(())
    }
}

/// `POST /_emulator/users {"userid", "name", "departments"}`.
pub async fn join(State(state): State<AppState>, body: Bytes) -> Response {
    let join: Join = match serde_json::from_slice(&body) {
        Ok(join) => join,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!(
                    "expected {{\"userid\", \"name\", \"departments\": [ID…]}}: {error}"
                )})),
            )
                .into_response();
        }
    };
    match state.store.write(|world| world.join(&join)).await {
        Ok(()) => Json(json!({"ok": true, "userid": join.userid, "departments": join.departments}))
            .into_response(),
        Err(refusal) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": refusal.to_string()})),
        )
            .into_response(),
    }
}
