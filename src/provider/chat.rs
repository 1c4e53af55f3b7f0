//! Ordinary groups: internal (企业群, `conversationTag` 2) and standard (普通群, 0), through the
//! oapi `/chat/*` calls (no extra grants needed) and the api host's sub-admin call.

use std::future::Future;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::retry::Idempotency;
use super::scene_group::{ADMIN_CHUNK, send_in_order};
use super::settings;
use crate::model::live::{CreatedGroup, GroupKind, GroupSettings, GroupStatus, LiveGroup};
use crate::model::wire::chat::{
    CreateChatResponse, GetChatResponse, OapiCreateChatRequest, OapiUpdateChatRequest,
};
use crate::model::wire::scene_group::{
    ConvertChatIdResponse, ROLE_ADMIN, ROLE_MEMBER, UpdateSubAdminRequest,
};

/// Members per `/chat/create` or `/chat/update` request (the platform's limit).
pub const CHAT_MEMBER_CHUNK: usize = crate::model::limits::CHAT_MEMBERS_PER_REQUEST;

/// An ordinary group to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGroup {
    /// Internal or standard (not scene).
    pub kind: GroupKind,
    /// Name (1–20 characters).
    pub title: String,
    /// The owner's userid.
    pub owner: String,
    /// Members' userids (more than [`CHAT_MEMBER_CHUNK`] are added after creation).
    pub members: Vec<String>,
    /// Switches (camelCase on this API; converted by the client).
    pub settings: GroupSettings,
}

/// Changes to an ordinary group (`None`/empty = leave as is).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupUpdate {
    /// New name.
    pub title: Option<String>,
    /// New owner.
    pub owner: Option<String>,
    /// New icon media id.
    pub icon: Option<String>,
    /// Members to add.
    pub add_members: Vec<String>,
    /// Members to remove.
    pub remove_members: Vec<String>,
    /// Switches to change.
    pub settings: GroupSettings,
}

/// Ordinary-group calls.
pub trait ChatApi: Send + Sync {
    /// Create an internal or standard group. Not idempotent (the API has no key): it is not
    /// resent after an ambiguous failure.
    fn create_group(
        &self,
        group: &NewGroup,
    ) -> impl Future<Output = Result<CreatedGroup, ApiError>> + Send;

    /// Read an ordinary group by chat id, members included.
    fn get_group(&self, chat_id: &str) -> impl Future<Output = Result<LiveGroup, ApiError>> + Send;

    /// Change name, owner, icon, settings and membership (membership in chunks).
    fn update_group(
        &self,
        chat_id: &str,
        update: &GroupUpdate,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Make members sub-admins (`admin: true`) or plain members again.
    fn set_group_admins(
        &self,
        open_conversation_id: &str,
        userids: &[String],
        admin: bool,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The open conversation id of a chat id.
    fn open_conversation_id(
        &self,
        chat_id: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;
}

fn non_empty(text: String) -> Option<String> {
    Some(text).filter(|text| !text.is_empty())
}

impl ChatApi for HttpClient {
    async fn create_group(&self, group: &NewGroup) -> Result<CreatedGroup, ApiError> {
        let (first, rest) = group
            .members
            .split_at(group.members.len().min(CHAT_MEMBER_CHUNK));
        let body = OapiCreateChatRequest {
            name: group.title.clone(),
            owner: group.owner.clone(),
            useridlist: first.to_vec(),
            conversation_tag: group.kind.conversation_tag().map(i64::from),
            icon: None,
            settings: settings::camel(&group.settings),
        };
        // No idempotency key exists for this API: never resent after an ambiguous failure.
        let call = Call::post("/chat/create", body).idempotency(Idempotency::NotIdempotent);
        let answer: CreateChatResponse = self.call(call).await?;
        if !rest.is_empty() {
            let update = GroupUpdate {
                add_members: rest.to_vec(),
                ..GroupUpdate::default()
            };
            self.update_group(&answer.chatid, &update).await?;
        }
        Ok(CreatedGroup {
            open_conversation_id: answer.open_conversation_id,
            chat_id: Some(answer.chatid),
        })
    }

    async fn get_group(&self, chat_id: &str) -> Result<LiveGroup, ApiError> {
        let answer: GetChatResponse = self
            .call(Call::get("/chat/get").query("chatid", chat_id))
            .await?;
        let info = answer.chat_info;
        let open_conversation_id = match non_empty(info.open_conversation_id.clone()) {
            Some(id) => id,
            None => self.open_conversation_id(chat_id).await?,
        };
        let mut members = info.useridlist.clone();
        members.sort();
        members.dedup();
        Ok(LiveGroup {
            open_conversation_id,
            chat_id: Some(chat_id.to_string()),
            kind: GroupKind::from_conversation_tag(info.conversation_tag)
                .unwrap_or(GroupKind::Internal),
            settings: settings::from_chat_info(&info),
            title: info.name,
            owner: info.owner,
            admins: Vec::new(),
            member_count: Some(members.len() as u64),
            members,
            template_id: None,
            icon: non_empty(info.icon),
            group_url: None,
            status: GroupStatus::from_code(info.status),
        })
    }

    fn update_group(
        &self,
        chat_id: &str,
        update: &GroupUpdate,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let base = OapiUpdateChatRequest {
            chatid: chat_id.to_string(),
            ..Default::default()
        };
        let mut calls = Vec::new();
        let fields = OapiUpdateChatRequest {
            name: update.title.clone(),
            owner: update.owner.clone(),
            icon: update.icon.clone(),
            settings: settings::camel(&update.settings),
            ..base.clone()
        };
        if fields != base {
            calls.push(Call::post("/chat/update", fields));
        }
        // Adds and removes go in separate requests (an overlap is refused, 49004), in chunks.
        for chunk in update.add_members.chunks(CHAT_MEMBER_CHUNK) {
            let body = OapiUpdateChatRequest {
                add_useridlist: Some(chunk.to_vec()),
                ..base.clone()
            };
            calls.push(Call::post("/chat/update", body));
        }
        for chunk in update.remove_members.chunks(CHAT_MEMBER_CHUNK) {
            let body = OapiUpdateChatRequest {
                del_useridlist: Some(chunk.to_vec()),
                ..base.clone()
            };
            calls.push(Call::post("/chat/update", body));
        }
        async move { send_in_order(self, &calls).await }
    }

    fn set_group_admins(
        &self,
        open_conversation_id: &str,
        userids: &[String],
        admin: bool,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let role = if admin { ROLE_ADMIN } else { ROLE_MEMBER };
        let calls: Vec<Call> = userids
            .chunks(ADMIN_CHUNK)
            .map(|chunk| {
                let body = UpdateSubAdminRequest {
                    open_conversation_id: open_conversation_id.to_string(),
                    role,
                    user_ids: Some(chunk.to_vec()),
                };
                Call::post("/v1.0/im/subAdministrators", body)
            })
            .collect();
        async move { send_in_order(self, &calls).await }
    }

    fn open_conversation_id(
        &self,
        chat_id: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send {
        let encoded = utf8_percent_encode(chat_id, NON_ALPHANUMERIC);
        let call = Call::post(
            "/v1.0/im/chat/{chatId}/convertToOpenConversationId",
            serde_json::json!({}),
        )
        .path(format!(
            "/v1.0/im/chat/{encoded}/convertToOpenConversationId"
        ));
        async move {
            Ok(self
                .call::<ConvertChatIdResponse>(call)
                .await?
                .open_conversation_id)
        }
    }
}
