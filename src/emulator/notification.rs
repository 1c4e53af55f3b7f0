//! Work notifications (oapi `/topapi/message/corpconversation/*`) and their limits
//! (`PLATFORM-RULES.md`):
//!
//! - `recipients-per-request`: more than 5,000 userids (1,000 for a third-party app) → 41029;
//!   the members of `dept_id_list` (sub-departments included) count with the userids, so a
//!   request whose departments bring more people than that is refused too (41029);
//! - `oa-status-bar-recipients`: an OA message with a status bar to more than 5 userids, or to
//!   departments or all users → 41052;
//! - `to-all-user-daily`: the fourth `to_all_user` of a day → 41045;
//! - `same-content-daily`: the same content to the same user twice in a day: the request
//!   succeeds, the user is not delivered (listed forbidden, code 143106);
//! - `per-user-daily-internal` / `-third-party`: past 500 (100) a day per user → forbidden
//!   (143105);
//! - `recipients-per-minute`: past 5,000 deliveries a minute per app, recipients are delivered
//!   in later minutes (progress shows the task still sending);
//! - `delivery-result-window`: progress, result, status-bar update and recall only within 24 h
//!   by the emulator clock (400002 after);
//! - `delivery-result-lists`: invalid, forbidden and failed users listed faithfully, failed
//!   ones injected by the `delivery_failure_rate` fault.
//!
//! Days are calendar days in China Standard Time.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::AppState;
use super::clock::{self, Millis};
use super::error::Refusal;
use super::host::{Oapi, OapiError, oapi_ok, refuse};
use super::seed::AppKind;
use super::world::{Delivery, Forbidden, Message, MessageKind, Task, World};
use crate::model::wire::error::Empty;
use crate::model::wire::notification::*;

/// Largest `msg`, in bytes.
const MAX_MSG_BYTES: usize = crate::model::limits::WORK_NOTIFICATION_MSG_BYTES;
/// Most departments per request.
const MAX_DEPTS: usize = crate::model::limits::DEPARTMENTS_PER_REQUEST;
/// `to_all_user` sends a day.
const TO_ALL_PER_DAY: u32 = crate::model::limits::TO_ALL_USER_PER_DAY as u32;
/// Deliveries a minute per app.
const PER_MINUTE: usize = crate::model::limits::RECIPIENTS_PER_MINUTE;
/// How long progress, results, status bars and recall stay available.
const RESULT_WINDOW_MS: Millis =
    crate::model::limits::DELIVERY_RESULT_WINDOW_HOURS as Millis * 3_600_000;

fn check_msg(msg: &WorkMessage) -> Result<(), Refusal> {
    let present = match msg.msgtype.as_str() {
        "text" => msg.text.is_some(),
        "image" => msg.image.is_some(),
        "voice" => msg.voice.is_some(),
        "file" => msg.file.is_some(),
        "link" => msg.link.is_some(),
        "markdown" => msg.markdown.is_some(),
        "oa" => msg.oa.is_some(),
        "action_card" => msg.action_card.is_some(),
        other => {
            return Err(Refusal::BadParameter(format!(
                "msg.msgtype `{other}` is not supported"
            )));
        }
    };
    if !present {
        return Err(Refusal::MissingParameter(format!("msg.{}", msg.msgtype)));
    }
    let size = serde_json::to_string(msg)
        .map(|text| text.len())
        .unwrap_or(0);
    if size > MAX_MSG_BYTES {
        return Err(Refusal::BadParameter(format!(
            "msg is {size} bytes; at most {MAX_MSG_BYTES}"
        )));
    }
    Ok(())
}

fn fingerprint(msg: &WorkMessage) -> String {
    // serde_json maps are sorted, so equal content gives equal text.
    let canonical = serde_json::to_value(msg)
        .map(|value| value.to_string())
        .unwrap_or_default();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

impl World {
    fn users_in_departments(&self, roots: &[i64]) -> Vec<String> {
        let mut departments: BTreeSet<i64> = roots.iter().copied().collect();
        loop {
            let before = departments.len();
            for department in &self.seed.departments {
                if department
                    .parent
                    .is_some_and(|parent| departments.contains(&parent))
                {
                    departments.insert(department.id);
                }
            }
            if departments.len() == before {
                break;
            }
        }
        self.seed
            .users
            .iter()
            .filter(|user| user.departments.iter().any(|id| departments.contains(id)))
            .filter(|user| self.is_active_user(&user.userid))
            .map(|user| user.userid.clone())
            .collect()
    }

    /// Accept a work notification; returns its task id.
    fn send_work_notification(
        &mut self,
        app_key: &str,
        request: AsyncSendRequest,
        failure_rate: f64,
    ) -> Result<i64, Refusal> {
        let app = self
            .seed
            .app(app_key)
            .cloned()
            .ok_or(Refusal::TokenInvalid)?;
        if request.agent_id != app.agent_id {
            return Err(Refusal::BadAgent(request.agent_id));
        }
        check_msg(&request.msg)?;
        if let Some(media_id) = request
            .msg
            .image
            .as_ref()
            .and_then(|image| image.get("media_id"))
            .and_then(|id| id.as_str())
        {
            self.check_media(media_id)?;
        }
        let users = request.userid_list.map(|ids| ids.0).unwrap_or_default();
        let departments = request
            .dept_id_list
            .map(|ids| ids.0)
            .unwrap_or_default()
            .iter()
            .map(|id| {
                id.parse::<i64>().map_err(|_| {
                    Refusal::BadParameter(format!("dept_id_list: `{id}` is not a number"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let to_all = request.to_all_user.unwrap_or(false);
        let limit = match app.kind {
            AppKind::Internal => MAX_USERS_PER_REQUEST,
            AppKind::ThirdParty => 1_000,
        };
        if users.len() > limit {
            return Err(Refusal::TooManyRecipients {
                count: users.len(),
                limit,
            });
        }
        if departments.len() > MAX_DEPTS {
            return Err(Refusal::BadParameter(format!(
                "dept_id_list has {} departments; at most {MAX_DEPTS}",
                departments.len()
            )));
        }
        let has_status_bar = request
            .msg
            .oa
            .as_ref()
            .is_some_and(|oa| oa.status_bar.is_some());
        if has_status_bar
            && (users.len() > MAX_STATUS_BAR_USERS || !departments.is_empty() || to_all)
        {
            return Err(Refusal::StatusBarRecipients);
        }
        if users.is_empty() && departments.is_empty() && !to_all {
            return Err(Refusal::MissingParameter("userid_list".to_owned()));
        }
        let known: Vec<i64> = departments
            .iter()
            .copied()
            .filter(|id| self.seed.departments.iter().any(|known| known.id == *id))
            .collect();
        let members = self.users_in_departments(&known);
        if !departments.is_empty() {
            // The departments' people count as recipients of this request, with the userids.
            let reached: BTreeSet<&str> = users
                .iter()
                .map(String::as_str)
                .chain(members.iter().map(String::as_str))
                .collect();
            if reached.len() > limit {
                return Err(Refusal::DepartmentRecipients {
                    count: reached.len(),
                    limit,
                });
            }
        }
        let now = self.now();
        let day = clock::day_of(now);
        let to_all_key = format!("{app_key}|{day}");
        if to_all && self.to_all_daily.get(&to_all_key).copied().unwrap_or(0) >= TO_ALL_PER_DAY {
            return Err(Refusal::ToAllUserDaily);
        }

        // Checked: from here on the request is accepted.
        if to_all {
            *self.to_all_daily.entry(to_all_key).or_insert(0) += 1;
        }
        let mut task = Task {
            task_id: self.next_task_id,
            agent_id: request.agent_id,
            ..Task::default()
        };
        self.next_task_id += 1;
        let mut recipients: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for user in &users {
            if self.is_active_user(user) {
                if seen.insert(user.clone()) {
                    recipients.push(user.clone());
                }
            } else if !task.invalid_user_ids.contains(user) {
                task.invalid_user_ids.push(user.clone());
            }
        }
        task.invalid_dept_ids = departments
            .iter()
            .copied()
            .filter(|id| !known.contains(id))
            .collect();
        let mut extra = members;
        if to_all {
            extra.extend(
                self.seed
                    .users
                    .iter()
                    .filter(|user| self.is_active_user(&user.userid))
                    .map(|user| user.userid.clone()),
            );
        }
        for user in extra {
            if seen.insert(user.clone()) {
                recipients.push(user);
            }
        }

        let fingerprint = fingerprint(&request.msg);
        let daily_limit = match app.kind {
            AppKind::Internal => 500,
            AppKind::ThirdParty => 100,
        };
        let this_minute = now / 60_000;
        self.per_minute.retain(|key, _| {
            key.rsplit_once('|')
                .and_then(|(_, minute)| minute.parse::<i64>().ok())
                .is_some_and(|minute| minute >= this_minute - 1)
        });
        let mut minute = this_minute;
        for user in &recipients {
            let entry = self
                .daily
                .entry(format!("{app_key}|{user}|{day}"))
                .or_default();
            if entry.contents.contains(&fingerprint) {
                task.forbidden.push(Forbidden {
                    userid: user.clone(),
                    code: "143106".to_owned(),
                    count: i64::from(entry.count),
                });
                continue;
            }
            if entry.count >= daily_limit {
                task.forbidden.push(Forbidden {
                    userid: user.clone(),
                    code: "143105".to_owned(),
                    count: i64::from(entry.count),
                });
                continue;
            }
            if failure_rate > 0.0 && rand::random::<f64>() < failure_rate {
                task.failed_user_ids.push(user.clone());
                continue;
            }
            entry.count += 1;
            entry.contents.push(fingerprint.clone());
            // The 5,000-a-minute throttle: later recipients wait for a later minute.
            loop {
                let used = self
                    .per_minute
                    .entry(format!("{app_key}|{minute}"))
                    .or_insert(0);
                if *used < PER_MINUTE {
                    *used += 1;
                    break;
                }
                minute += 1;
            }
            let at = if minute == this_minute {
                now
            } else {
                minute * 60_000
            };
            task.deliveries.push(Delivery {
                userid: user.clone(),
                at,
            });
        }
        let task_id = task.task_id;
        let mut content = serde_json::to_value(&request.msg).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut content {
            map.retain(|_, value| !value.is_null());
        }
        self.messages.push(Message {
            kind: MessageKind::WorkNotification,
            at: now,
            app_key: Some(app_key.to_owned()),
            content,
            recipients,
            open_conversation_id: None,
            robot_code: None,
            process_query_key: None,
            recalled: false,
            task: Some(task),
        });
        Ok(task_id)
    }

    fn task_index(&self, app_key: &str, agent_id: i64, task_id: i64) -> Result<usize, Refusal> {
        let agent = self.seed.app(app_key).map(|app| app.agent_id);
        if agent != Some(agent_id) {
            return Err(Refusal::BadAgent(agent_id));
        }
        let now = self.now();
        self.messages
            .iter()
            .position(|message| {
                message.app_key.as_deref() == Some(app_key)
                    && message
                        .task
                        .as_ref()
                        .is_some_and(|task| task.task_id == task_id)
                    && now - message.at <= RESULT_WINDOW_MS
            })
            .ok_or(Refusal::TaskNotFound(task_id))
    }

    /// The task of a work notification [`task_index`](Self::task_index) finds.
    fn task(&self, app_key: &str, agent_id: i64, task_id: i64) -> Result<&Task, Refusal> {
        let index = self.task_index(app_key, agent_id, task_id)?;
        Ok(self.messages[index]
            .task
            .as_ref()
            .expect("found by its task"))
    }
}

/// `POST /topapi/message/corpconversation/asyncsend_v2`.
pub async fn send(
    State(state): State<AppState>,
    call: Oapi<AsyncSendRequest>,
) -> Result<Response, OapiError> {
    let failure_rate = state.faults.get().delivery_failure_rate;
    let app_key = call.app_key;
    let body = call.body;
    let task_id = state
        .store
        .write(|world| world.send_work_notification(&app_key, body, failure_rate))
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(AsyncSendResponse { task_id }))
}

/// `POST /topapi/message/corpconversation/getsendprogress`.
pub async fn progress(
    State(state): State<AppState>,
    call: Oapi<TaskRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    let progress = state
        .store
        .read(|world| {
            let task = world.task(&call.app_key, body.agent_id, body.task_id)?;
            let now = world.now();
            let total = task.deliveries.len();
            let done = task
                .deliveries
                .iter()
                .filter(|delivery| delivery.at <= now)
                .count();
            let percent = (done * 100).checked_div(total).unwrap_or(100) as i64;
            Ok(SendProgress {
                progress_in_percent: percent,
                status: if done == total { 2 } else { 1 },
            })
        })
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(SendProgressResponse { progress }))
}

/// `POST /topapi/message/corpconversation/getsendresult`.
pub async fn result(
    State(state): State<AppState>,
    call: Oapi<TaskRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    let send_result = state
        .store
        .read(|world| {
            let task = world.task(&call.app_key, body.agent_id, body.task_id)?;
            let now = world.now();
            Ok(SendResult {
                invalid_user_id_list: task.invalid_user_ids.clone(),
                forbidden_user_id_list: task
                    .forbidden
                    .iter()
                    .map(|entry| entry.userid.clone())
                    .collect(),
                failed_user_id_list: task.failed_user_ids.clone(),
                read_user_id_list: Vec::new(),
                unread_user_id_list: task
                    .deliveries
                    .iter()
                    .filter(|delivery| delivery.at <= now)
                    .map(|delivery| delivery.userid.clone())
                    .collect(),
                invalid_dept_id_list: task.invalid_dept_ids.clone(),
                forbidden_list: task
                    .forbidden
                    .iter()
                    .map(|entry| ForbiddenEntry {
                        code: entry.code.clone(),
                        count: entry.count,
                        userid: entry.userid.clone(),
                    })
                    .collect(),
            })
        })
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(SendResultResponse { send_result }))
}

/// `POST /topapi/message/corpconversation/status_bar/update`.
pub async fn status_bar(
    State(state): State<AppState>,
    call: Oapi<StatusBarUpdateRequest>,
) -> Result<Response, OapiError> {
    let app_key = call.app_key;
    let body = call.body;
    state
        .store
        .write(|world| {
            let index = world.task_index(&app_key, body.agent_id, body.task_id)?;
            let message = &mut world.messages[index];
            let has_status_bar = message
                .content
                .pointer("/oa/status_bar")
                .is_some_and(|value| !value.is_null());
            if !has_status_bar {
                return Err(Refusal::BadParameter(format!(
                    "task {} is not an OA message with a status bar",
                    body.task_id
                )));
            }
            let task = message.task.as_mut().expect("found by its task");
            task.status_bar = Some(serde_json::json!({
                "status_value": body.status_value,
                "status_bg": body.status_bg,
            }));
            Ok(())
        })
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(Empty {}))
}

/// `POST /topapi/message/corpconversation/recall`.
pub async fn recall(
    State(state): State<AppState>,
    call: Oapi<RecallRequest>,
) -> Result<Response, OapiError> {
    let app_key = call.app_key;
    let body = call.body;
    state
        .store
        .write(|world| {
            let index = world.task_index(&app_key, body.agent_id, body.msg_task_id)?;
            world.messages[index].recalled = true;
            Ok(())
        })
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(Empty {}))
}
