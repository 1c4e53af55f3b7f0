//! Scene groups, the oapi forms (`/topapi/im/chat/scenegroup/*`, `/topapi/chat/*`): v1.0
//! names, settings flat, id lists as comma strings; plus the generic `{"result": …}` and
//! `{"success": …}` payloads.

use serde::{Deserialize, Serialize};

use super::lenient;
use super::scene_group::{DetailManagementOptions, ManagementOptions};

/// oapi `POST /topapi/im/chat/scenegroup/create`: v1.0 names, settings flat, lists comma strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OapiCreateSceneGroupRequest {
    /// Title.
    pub title: String,
    /// Template id.
    pub template_id: String,
    /// Owner's userId.
    pub owner_user_id: String,
    /// Members, comma string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<super::CommaList>,
    /// Sub-admins, comma string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subadmin_ids: Option<super::CommaList>,
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Flat settings.
    #[serde(flatten)]
    pub settings: ManagementOptions,
}

/// oapi `POST /topapi/im/chat/scenegroup/update`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OapiUpdateSceneGroupRequest {
    /// The group.
    pub open_conversation_id: String,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_user_id: Option<String>,
    /// New avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Flat settings.
    #[serde(flatten)]
    pub settings: ManagementOptions,
}

/// The ids a scene-group create answers with (oapi `result`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OapiSceneGroupIds {
    /// Open conversation id.
    pub open_conversation_id: String,
    /// Chat id.
    pub chat_id: String,
}

/// oapi `/topapi/im/chat/scenegroup/get`, `/member/add`, `/member/delete`, `/member/get` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OapiSceneGroupRequest {
    /// The group.
    pub open_conversation_id: String,
    /// Members to add or remove (comma string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<super::CommaList>,
    /// Page cursor for member/get (`"0"` first).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub cursor: Option<i64>,
    /// Page size for member/get.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub size: Option<i64>,
}

/// `result` of oapi `/topapi/im/chat/scenegroup/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OapiSceneGroupInfo {
    /// Title.
    pub title: String,
    /// Template id.
    pub template_id: String,
    /// Owner's userId.
    pub owner_staff_id: String,
    /// Sub-admin userIds.
    pub sub_admin_staff_ids: Vec<String>,
    /// Member count.
    pub member_amount: i64,
    /// Join URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_url: String,
    /// Open conversation id.
    pub open_conversation_id: String,
    /// Settings as strings.
    pub management_options: DetailManagementOptions,
}

/// `result` of oapi `/topapi/im/chat/scenegroup/member/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OapiSceneGroupMembers {
    /// This page.
    pub member_user_ids: Vec<String>,
    /// More follow.
    pub has_more: bool,
    /// Next cursor.
    pub next_cursor: i64,
}

/// An oapi payload `{"result": T}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OapiResult<T> {
    /// The result.
    pub result: T,
}

/// An oapi payload `{"success": bool}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OapiSuccess {
    /// Whether it worked.
    pub success: bool,
}

/// oapi `POST /topapi/chat/subadmin/update`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OapiSubAdminRequest {
    /// The group's chat id.
    pub chatid: String,
    /// userIds, comma string (≤12).
    pub userids: super::CommaList,
    /// 2 add, 3 remove.
    #[serde(deserialize_with = "lenient::int")]
    pub role: i64,
}

/// oapi `POST /topapi/chat/qrcode/get`: `chatid` or `openConversationId`, and `userid`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrCodeRequest {
    /// The group's chat id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatid: Option<String>,
    /// Or its open conversation id.
    #[serde(
        default,
        rename = "openConversationId",
        skip_serializing_if = "Option::is_none"
    )]
    pub open_conversation_id: Option<String>,
    /// A member who shares the link.
    pub userid: String,
}
