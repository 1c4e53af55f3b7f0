//! Scene groups (场景群): created from a console template. Casing follows each SDK model:
//! create/update/member add-delete/queryDetail are snake_case; query, batchQuery, subAdmins,
//! disband and the alternative create are camelCase.

use serde::{Deserialize, Serialize};

use super::lenient;

/// Group settings as 0/1 ints (`management_options` of the v1.0 scene-group create/update;
/// flat in the oapi forms). Every field is optional: unset ones are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementOptions {
    /// 1 = the group can be found by search.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub searchable: Option<i64>,
    /// 1 = joining needs approval.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub validation_type: Option<i64>,
    /// 1 = only the owner may @all.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub mention_all_authority: Option<i64>,
    /// 1 = new members see the history.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub show_history_type: Option<i64>,
    /// 1 = only the owner manages the group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub management_type: Option<i64>,
    /// 1 = everyone muted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub chat_banned_type: Option<i64>,
    /// 1 = only admins may DING.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub only_admin_can_ding: Option<i64>,
    /// 1 = only admins may pin messages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub only_admin_can_set_msg_top: Option<i64>,
    /// 1 = members may not add each other as friends.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub add_friend_forbidden: Option<i64>,
    /// 1 = members may chat privately with admins.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub members_to_admin_chat: Option<i64>,
    /// 1 = group email off.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub group_email_disabled: Option<i64>,
    /// 1 = every member may create calendar events.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub all_members_can_create_calendar: Option<i64>,
    /// 1 = every member may start a conference.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub all_members_can_create_mcs_conf: Option<i64>,
    /// 1 = group live streaming on (platform default 1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub group_live_switch: Option<i64>,
    /// 1 = members stay when they leave the organization (v1.0 only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub not_quit_when_emp_leave: Option<i64>,
    /// 1 = only admins add members (v1.0 only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub only_admin_can_add_mem: Option<i64>,
    /// Update only.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub plugin_customize_verify: Option<i64>,
}

/// api `POST /v1.0/im/sceneGroup/create` (SDK `create_scene_group`, snake_case).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSceneGroupRequest {
    /// Group title (≤30 characters).
    pub title: String,
    /// A scene-group template id from the Developer Console.
    pub template_id: String,
    /// Owner's userId.
    pub owner_user_id: String,
    /// Member userIds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// Sub-admin userIds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subadmin_ids: Option<Vec<String>>,
    /// Idempotency key (≤64 chars): a create whose uuid was seen returns the first group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Avatar media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_options: Option<ManagementOptions>,
}

/// Answer of `POST /v1.0/im/sceneGroup/create` (snake_case).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateSceneGroupResponse {
    /// The group's open conversation id.
    pub open_conversation_id: String,
    /// The group's chat id.
    pub chat_id: String,
}

/// api `POST /v1.0/im/sceneGroups` (SDK `create_scene_group_conversation`, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSceneGroupConversationRequest {
    /// Group title.
    pub group_name: String,
    /// Owner's userId.
    pub group_owner_id: String,
    /// Template id.
    pub template_id: String,
    /// Member userIds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id_list: Option<Vec<String>>,
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Avatar media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Settings (camelCase keys on this endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_options: Option<CamelManagementOptions>,
}

/// Answer of `POST /v1.0/im/sceneGroups`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateSceneGroupConversationResponse {
    /// The group's open conversation id.
    pub open_conversation_id: String,
}

/// The camelCase settings of `/v1.0/im/sceneGroups` and `/v1.0/im/group/create|update`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CamelManagementOptions {
    /// 1 = searchable.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub searchable: Option<i64>,
    /// 1 = joining needs approval.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub validation_type: Option<i64>,
    /// 1 = only the owner may @all.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub mention_all_authority: Option<i64>,
    /// 1 = only the owner manages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub management_type: Option<i64>,
    /// 1 = everyone muted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub chat_banned_type: Option<i64>,
    /// 1 = new members see the history.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub show_history_type: Option<i64>,
}

/// api `POST /v1.0/im/sceneGroup/update` (SDK `update_scene_group`, snake_case) → [`super::SuccessBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSceneGroupRequest {
    /// The group.
    pub open_conversation_id: String,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// New owner's userId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_user_id: Option<String>,
    /// New owner's unionId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_union_id: Option<String>,
    /// Changed settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_options: Option<ManagementOptions>,
}

/// api `POST /v1.0/im/sceneGroups/query` (SDK `get_scene_group_info`, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetSceneGroupInfoRequest {
    /// The group.
    pub open_conversation_id: String,
    /// Cool app code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cool_app_code: Option<String>,
}

/// Answer of `POST /v1.0/im/sceneGroups/query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetSceneGroupInfoResponse {
    /// Always true on HTTP 200.
    pub success: bool,
    /// The group.
    pub open_conversation_id: String,
    /// Its template.
    pub template_id: String,
    /// Title.
    pub title: String,
    /// Owner's userId.
    pub owner_user_id: String,
    /// Avatar.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub icon: String,
    /// Join URL (valid 365 days; reissued when owner, title or settings change).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_url: String,
    /// 1 ok, 2 disbanded.
    pub status: i64,
}

/// api `POST /v1.0/im/sceneGroups/queryDetail` (SDK `get_scene_group_detail_info`, snake_case).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetSceneGroupDetailRequest {
    /// The group.
    pub open_conversation_id: String,
    /// Cool app code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cool_app_code: Option<String>,
}

/// Settings in the queryDetail answer (strings on the wire, `"0"`/`"1"`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetailManagementOptions {
    /// Searchable.
    pub searchable: String,
    /// Join approval.
    pub validation_type: String,
    /// Who may @all.
    pub mention_all_authority: String,
    /// History visible to newcomers.
    pub show_history_type: String,
    /// Who manages.
    pub management_type: String,
    /// Muted.
    pub chat_banned_type: String,
    /// Members stay when they leave.
    pub not_quit_when_emp_leave: String,
    /// Only admins add members.
    pub only_admin_can_add_mem: String,
}

/// Answer of `POST /v1.0/im/sceneGroups/queryDetail` (snake_case).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetSceneGroupDetailResponse {
    /// Always true on HTTP 200.
    pub success: bool,
    /// The group.
    pub open_conversation_id: String,
    /// Its template.
    pub template_id: String,
    /// Title.
    pub title: String,
    /// Owner's userId.
    pub owner_user_id: String,
    /// Avatar.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub icon: String,
    /// Join URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_url: String,
    /// 1 ok, 2 disbanded.
    pub status: i64,
    /// Member count.
    pub member_amount: i64,
    /// Sub-admin userIds.
    pub sub_admin_staff_ids: Vec<String>,
    /// Settings.
    pub management_options: DetailManagementOptions,
}

/// api `POST /v1.0/im/sceneGroup/member/add` and `/member/delete` (snake_case) → [`super::SuccessBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SceneGroupMembersRequest {
    /// The group.
    pub open_conversation_id: String,
    /// userIds to add or remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// unionIds to add or remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_ids: Option<Vec<String>>,
}

/// api `POST /v1.0/im/sceneGroups/members/batchQuery` (SDK `batch_query_group_member`, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchQueryGroupMemberRequest {
    /// The group.
    pub open_conversation_id: String,
    /// Page size.
    pub max_results: i64,
    /// Cursor from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Cool app code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cool_app_code: Option<String>,
}

/// Answer of `POST /v1.0/im/sceneGroups/members/batchQuery`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchQueryGroupMemberResponse {
    /// Always true on HTTP 200.
    pub success: bool,
    /// This page's userIds.
    pub member_user_ids: Vec<String>,
    /// More pages follow.
    pub has_more: bool,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Sub-admin role: 2 = make admin, 3 = make plain member.
pub const ROLE_ADMIN: i64 = 2;
/// Sub-admin role: make plain member.
pub const ROLE_MEMBER: i64 = 3;

/// api `PUT /v1.0/im/sceneGroups/subAdmins` (SDK `update_group_sub_admin`) and
/// `POST /v1.0/im/subAdministrators` (SDK `chat_sub_admin_update`), camelCase → [`super::SuccessBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSubAdminRequest {
    /// The group.
    pub open_conversation_id: String,
    /// [`ROLE_ADMIN`] or [`ROLE_MEMBER`].
    pub role: i64,
    /// userIds (≤12 admins per group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
}

/// api `POST /v1.0/im/chat/scenegroup/disband` (SDK `dsband_open_scene_group`) → [`super::SuccessBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisbandSceneGroupRequest {
    /// The group.
    pub open_conversation_id: String,
}

/// api `POST /v1.0/im/chat/{chat_id}/convertToOpenConversationId` answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConvertChatIdResponse {
    /// The group's open conversation id.
    pub open_conversation_id: String,
}

// The oapi ("historical") forms live in their own file; they are re-exported here so
// `wire::scene_group::*` names every scene-group type.
pub use super::scene_group_oapi::*;
