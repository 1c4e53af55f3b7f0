//! Work notifications (工作通知, oapi `/topapi/message/corpconversation/*`). Scalars may arrive
//! as strings, id lists as comma strings, `msg` as a JSON string (form-encoded bodies).

use serde::{Deserialize, Serialize};

use super::{CommaList, lenient};

/// Recipients one request may reach (41029 above).
pub const MAX_USERS_PER_REQUEST: usize = crate::model::limits::RECIPIENTS_PER_REQUEST;
/// Recipients an OA message with a status bar may reach.
pub const MAX_STATUS_BAR_USERS: usize = crate::model::limits::STATUS_BAR_RECIPIENTS;

/// oapi `POST /topapi/message/corpconversation/asyncsend_v2`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AsyncSendRequest {
    /// The app's agent id.
    #[serde(deserialize_with = "lenient::int")]
    pub agent_id: i64,
    /// userIds, comma string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userid_list: Option<CommaList>,
    /// Department ids, comma string (sub-departments included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept_id_list: Option<CommaList>,
    /// Send to everyone (3 a day).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_bool"
    )]
    pub to_all_user: Option<bool>,
    /// The message (≤2,048 bytes).
    #[serde(deserialize_with = "lenient::json_or_string")]
    pub msg: WorkMessage,
}

/// A work-notification message: `msgtype` and the fields under the key of that type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkMessage {
    /// text | image | voice | file | link | markdown | oa | action_card.
    pub msgtype: String,
    /// `{content}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<serde_json::Value>,
    /// `{media_id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<serde_json::Value>,
    /// `{media_id, duration}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<serde_json::Value>,
    /// `{media_id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<serde_json::Value>,
    /// `{messageUrl, picUrl, title, text}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<serde_json::Value>,
    /// `{title, text}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<serde_json::Value>,
    /// OA message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oa: Option<OaMessage>,
    /// `{title, markdown, single_title + single_url | btn_orientation + btn_json_list}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_card: Option<serde_json::Value>,
}

/// `oa` of a work notification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OaMessage {
    /// Mobile link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_url: Option<String>,
    /// PC link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_message_url: Option<String>,
    /// `{bgcolor, text}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<serde_json::Value>,
    /// The status bar: ≤5 userids per request, no departments, not to all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_bar: Option<StatusBar>,
    /// `{title, form[{key, value}], rich{num, unit}, content, image, file_count, author}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

/// An OA status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusBar {
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_value: Option<String>,
    /// Background colour (`0xFFF65E5E`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_bg: Option<String>,
}

/// Payload of asyncsend_v2.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AsyncSendResponse {
    /// The task (for progress, result, status bar, recall within 24 h).
    pub task_id: i64,
}

/// oapi `…/getsendprogress` and `…/getsendresult` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRequest {
    /// The app's agent id.
    #[serde(deserialize_with = "lenient::int")]
    pub agent_id: i64,
    /// The task.
    #[serde(deserialize_with = "lenient::int")]
    pub task_id: i64,
}

/// `progress` of getsendprogress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendProgress {
    /// 0–100.
    pub progress_in_percent: i64,
    /// 0 not started, 1 sending, 2 done.
    pub status: i64,
}

/// Payload of getsendprogress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendProgressResponse {
    /// The progress.
    pub progress: SendProgress,
}

/// One entry of `forbidden_list`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForbiddenEntry {
    /// Why (143105 daily limit, 143106 same content).
    pub code: String,
    /// How many sent already.
    pub count: i64,
    /// Who.
    pub userid: String,
}

/// `send_result` of getsendresult.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendResult {
    /// Unknown or departed userIds.
    pub invalid_user_id_list: Vec<String>,
    /// Over a limit.
    pub forbidden_user_id_list: Vec<String>,
    /// Delivery failed: resend.
    pub failed_user_id_list: Vec<String>,
    /// Read.
    pub read_user_id_list: Vec<String>,
    /// Delivered, unread.
    pub unread_user_id_list: Vec<String>,
    /// Unknown department ids.
    pub invalid_dept_id_list: Vec<i64>,
    /// Per-user detail of the forbidden ones.
    pub forbidden_list: Vec<ForbiddenEntry>,
}

/// Payload of getsendresult.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendResultResponse {
    /// The result.
    pub send_result: SendResult,
}

/// oapi `…/status_bar/update` → status only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusBarUpdateRequest {
    /// The app's agent id.
    #[serde(deserialize_with = "lenient::int")]
    pub agent_id: i64,
    /// The task.
    #[serde(deserialize_with = "lenient::int")]
    pub task_id: i64,
    /// New status text.
    pub status_value: String,
    /// New colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_bg: Option<String>,
}

/// oapi `…/recall` → status only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallRequest {
    /// The app's agent id.
    #[serde(deserialize_with = "lenient::int")]
    pub agent_id: i64,
    /// The task.
    #[serde(deserialize_with = "lenient::int")]
    pub msg_task_id: i64,
}
