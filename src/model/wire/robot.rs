//! Bots: in groups (add/remove/list), group messages from a bot (v1.0), and the webhook
//! `/robot/send` (oapi).

use serde::{Deserialize, Serialize};

/// The `msgKey`s `/v1.0/robot/groupMessages/send` accepts.
pub const MSG_KEYS: &[&str] = &[
    "sampleText",
    "sampleMarkdown",
    "sampleImageMsg",
    "sampleLink",
    "sampleActionCard",
    "sampleActionCard2",
    "sampleActionCard3",
    "sampleActionCard4",
    "sampleActionCard5",
    "sampleActionCard6",
    "sampleAudio",
    "sampleFile",
    "sampleVideo",
];

/// The largest `msgParam` the platform takes, in bytes.
pub const MSG_PARAM_MAX_BYTES: usize = crate::model::limits::BOT_MSG_PARAM_BYTES;

/// api `POST /v1.0/im/conversations/robots` (SDK `add_robot_to_conversation`, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddRobotRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The bot (made in the Developer Console).
    pub robot_code: String,
    /// Display name override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Avatar override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// Answer of add (and remove) robot: the bot's user id in that group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatBotUserIdResponse {
    /// The bot's member id in the group.
    pub chat_bot_user_id: String,
}

/// api `POST /v1.0/im/conversations/robots/remove` (SDK `remove_robot_from_conversation`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveRobotRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The bot's member id from [`ChatBotUserIdResponse`].
    pub chat_bot_user_id: String,
}

/// api `POST /v1.0/robot/groups/robots/query` (SDK `get_bot_list_in_group`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotListInGroupRequest {
    /// The group.
    pub open_conversation_id: String,
}

/// One bot in a group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatbotInstance {
    /// The bot's code.
    pub robot_code: String,
    /// Its name.
    pub name: String,
    /// Its type (1 = internal app bot).
    pub open_robot_type: i64,
}

/// Answer of `POST /v1.0/robot/groups/robots/query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotListInGroupResponse {
    /// The bots.
    #[serde(rename = "chatbotInstanceVOList")]
    pub chatbot_instance_vo_list: Vec<ChatbotInstance>,
}

/// api `POST /v1.0/robot/groups/query` (SDK `query_bot_instance_in_group_info`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotGroupsRequest {
    /// The bot.
    pub robot_code: String,
    /// 1-based page.
    pub page_number: i64,
    /// Page size.
    pub page_size: i64,
}

/// Answer of `POST /v1.0/robot/groups/query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BotGroupsResponse {
    /// The groups the bot is in.
    pub open_conversation_ids: Vec<String>,
    /// More follow.
    pub has_more: bool,
}

/// api `POST /v1.0/robot/groupMessages/send` (SDK `org_group_send`, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgGroupSendRequest {
    /// The bot.
    pub robot_code: String,
    /// The group.
    pub open_conversation_id: String,
    /// One of [`MSG_KEYS`].
    pub msg_key: String,
    /// The message's fields as a JSON **string** (≤15,000 bytes).
    pub msg_param: String,
    /// Cool app code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cool_app_code: Option<String>,
}

/// Answer of `POST /v1.0/robot/groupMessages/send`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgGroupSendResponse {
    /// Key to query or recall the message.
    pub process_query_key: String,
}

/// api `POST /v1.0/robot/groupMessages/query` (SDK `org_group_query`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgGroupQueryRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The bot.
    pub robot_code: String,
    /// From the send answer.
    pub process_query_key: String,
    /// Page size (≤200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// Cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Answer of `POST /v1.0/robot/groupMessages/query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgGroupQueryResponse {
    /// SUCCESS, RECALLED or PROCESSING.
    pub send_status: String,
    /// Who read it.
    pub read_user_ids: Vec<String>,
    /// More follow.
    pub has_more: bool,
    /// Cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// api `POST /v1.0/robot/groupMessages/recall` (SDK `org_group_recall`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgGroupRecallRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The bot.
    pub robot_code: String,
    /// Messages to recall.
    pub process_query_keys: Vec<String>,
}

/// Answer of `POST /v1.0/robot/groupMessages/recall`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgGroupRecallResponse {
    /// Keys recalled.
    pub success_result: Vec<String>,
    /// Key → reason for the others.
    pub failed_result: std::collections::BTreeMap<String, String>,
}

/// `msgParam` of `sampleText`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleText {
    /// The text.
    pub content: String,
}

/// `msgParam` of `sampleMarkdown`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleMarkdown {
    /// Title shown in the conversation list.
    pub title: String,
    /// Markdown text.
    pub text: String,
}

/// `msgParam` of `sampleImageMsg`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleImageMsg {
    /// Image URL or media id.
    #[serde(rename = "photoURL")]
    pub photo_url: String,
}

/// `msgParam` of `sampleLink`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleLink {
    /// Body text.
    pub text: String,
    /// Title.
    pub title: String,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic_url: Option<String>,
    /// Target URL.
    pub message_url: String,
}

/// `msgParam` of `sampleActionCard`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleActionCard {
    /// Title.
    pub title: String,
    /// Markdown text.
    pub text: String,
    /// Button text.
    #[serde(rename = "singleTitle")]
    pub single_title: String,
    /// Button URL.
    #[serde(rename = "singleURL")]
    pub single_url: String,
}

/// Query of the webhook `POST /robot/send?access_token=…[&timestamp=&sign=]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookQuery {
    /// The webhook token, issued when the bot joins a group (a secret).
    pub access_token: String,
    /// Milliseconds, with `sign`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// HmacSHA256 signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<String>,
}

/// `at` of a webhook message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAt {
    /// Mobiles to @.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_mobiles: Option<Vec<String>>,
    /// userIds to @ (≤50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_user_ids: Option<Vec<String>>,
    /// @all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_at_all: Option<bool>,
}

/// Body of the webhook `POST /robot/send` (camelCase; the type's fields under its own key).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookMessage {
    /// text | link | markdown | actionCard | feedCard.
    pub msgtype: String,
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_uuid: Option<String>,
    /// Mentions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<WebhookAt>,
    /// `{content}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<serde_json::Value>,
    /// `{title, text, messageUrl, picUrl}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<serde_json::Value>,
    /// `{title, text}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<serde_json::Value>,
    /// `{title, text, singleTitle, singleURL, btnOrientation, btns[{title, actionURL}]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_card: Option<serde_json::Value>,
    /// `{links[{title, messageURL, picURL}]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_card: Option<serde_json::Value>,
}
