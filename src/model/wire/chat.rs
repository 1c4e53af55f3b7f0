//! Ordinary and internal groups: oapi `/chat/*` (lists are JSON arrays) and v1.0
//! `/v1.0/im/group/*`. `conversationTag` 2 = internal group (企业群, default), 0 = standard
//! group (普通群).

use serde::{Deserialize, Serialize};

use super::lenient;
use super::scene_group::CamelManagementOptions;

/// `conversationTag` of an internal group (企业群).
pub const TAG_INTERNAL: i64 = 2;
/// `conversationTag` of a standard group (普通群).
pub const TAG_STANDARD: i64 = 0;

/// oapi `POST /chat/create`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OapiCreateChatRequest {
    /// Name (1–20 characters on this endpoint).
    pub name: String,
    /// Owner's userId.
    pub owner: String,
    /// Members (JSON array; ≤40 per call).
    #[serde(deserialize_with = "lenient::list")]
    pub useridlist: Vec<String>,
    /// 2 internal (default), 0 standard.
    #[serde(
        rename = "conversationTag",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub conversation_tag: Option<i64>,
    /// Avatar media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Settings, camelCase and flat.
    #[serde(flatten)]
    pub settings: CamelManagementOptions,
}

/// Payload of oapi `POST /chat/create` (and the v1.0 `/v1.0/im/group/create` answer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateChatResponse {
    /// Chat id.
    pub chatid: String,
    /// Open conversation id.
    #[serde(rename = "openConversationId")]
    pub open_conversation_id: String,
    /// 2 internal, 0 standard.
    #[serde(rename = "conversationTag")]
    pub conversation_tag: i64,
}

/// oapi `POST /chat/update` → status only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OapiUpdateChatRequest {
    /// The group.
    pub chatid: String,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Members to add.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_list"
    )]
    pub add_useridlist: Option<Vec<String>>,
    /// Members to remove (overlap with `add_useridlist` is 49004).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_list"
    )]
    pub del_useridlist: Option<Vec<String>>,
    /// New avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Changed settings, camelCase and flat.
    #[serde(flatten)]
    pub settings: CamelManagementOptions,
}

/// Query of oapi `GET /chat/get?chatid=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetChatQuery {
    /// The group.
    pub chatid: String,
}

/// `chat_info` of oapi `GET /chat/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatInfo {
    /// Chat id.
    pub chatid: String,
    /// Name.
    pub name: String,
    /// Owner's userId.
    pub owner: String,
    /// Members.
    pub useridlist: Vec<String>,
    /// 2 internal, 0 standard.
    #[serde(rename = "conversationTag")]
    pub conversation_tag: i64,
    /// 0 normal, 2 disbanded.
    pub status: i64,
    /// Open conversation id.
    #[serde(rename = "openConversationId")]
    pub open_conversation_id: String,
    /// Avatar.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub icon: String,
    /// 1 searchable.
    pub searchable: i64,
    /// 1 join needs approval.
    #[serde(rename = "validationType")]
    pub validation_type: i64,
    /// 1 only owner @all.
    #[serde(rename = "mentionAllAuthority")]
    pub mention_all_authority: i64,
    /// 1 only owner manages.
    #[serde(rename = "managementType")]
    pub management_type: i64,
    /// 1 all muted.
    #[serde(rename = "chatBannedType")]
    pub chat_banned_type: i64,
    /// 1 history visible.
    #[serde(rename = "showHistoryType")]
    pub show_history_type: i64,
}

/// Payload of oapi `GET /chat/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetChatResponse {
    /// The group.
    pub chat_info: ChatInfo,
}

/// api `POST /v1.0/im/group/create` (SDK `create_group`, camelCase with lower-case lists).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateGroupRequest {
    /// Name.
    pub name: String,
    /// Owner's userId.
    pub owner: String,
    /// Members.
    pub useridlist: Vec<String>,
    /// 2 internal (default), 0 standard.
    #[serde(
        rename = "conversationTag",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub conversation_tag: Option<i64>,
    /// Avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Settings.
    #[serde(
        rename = "managementOptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub management_options: Option<CamelManagementOptions>,
}

/// api `POST /v1.0/im/group/update` (SDK `update_group`) → [`super::SuccessBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateGroupRequest {
    /// The group.
    pub chatid: String,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Members to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_useridlist: Option<Vec<String>>,
    /// Members to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub del_useridlist: Option<Vec<String>>,
    /// New avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Changed settings.
    #[serde(
        rename = "managementOptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub management_options: Option<CamelManagementOptions>,
}

/// api `POST /v1.0/im/innerGroups/members/query` (SDK `get_inner_group_members`, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InnerGroupMembersRequest {
    /// The group.
    pub open_conversation_id: String,
    /// Page size.
    pub max_results: i64,
    /// Cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// The calling user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Answer of `POST /v1.0/im/innerGroups/members/query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InnerGroupMembersResponse {
    /// This page's userIds.
    pub user_ids: Vec<String>,
    /// More follow.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
