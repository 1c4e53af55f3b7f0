//! Ordinary groups: internal (企业群, `conversationTag` 2) and standard (普通群, 0), through the
//! oapi `/chat/*` calls (no extra grants needed) and the api host's sub-admin call.

use std::future::Future;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::lenient;
use super::retry::Idempotency;
use super::scene_group::{ADMIN_CHUNK, settings_from_map};
use crate::model::live::{CreatedGroup, GroupKind, GroupSettings, GroupStatus, LiveGroup};

/// Members per `/chat/create` or `/chat/update` request (the platform's limit).
pub const CHAT_MEMBER_CHUNK: usize = 40;

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

/// camelCase switches, as `/chat/create` and `/chat/update` name them.
fn camel_settings(settings: &GroupSettings) -> Map<String, Value> {
    let Ok(Value::Object(snake)) = serde_json::to_value(settings) else {
        return Map::new();
    };
    snake
        .into_iter()
        .map(|(key, value)| {
            let mut camel = String::with_capacity(key.len());
            let mut upper = false;
            for c in key.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    camel.extend(c.to_uppercase());
                    upper = false;
                } else {
                    camel.push(c);
                }
            }
            (camel, value)
        })
        .collect()
}

// TODO(wire): move to model::wire.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateAnswer {
    chatid: String,
    #[serde(default)]
    open_conversation_id: Option<String>,
}

#[derive(Deserialize)]
struct GetAnswer {
    chat_info: ChatInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChatInfo {
    #[serde(default)]
    name: String,
    #[serde(default)]
    owner: String,
    #[serde(default, deserialize_with = "lenient::string_list")]
    useridlist: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    conversation_tag: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    status: Option<i64>,
    #[serde(default)]
    open_conversation_id: Option<String>,
    #[serde(default)]
    icon: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

fn snake_case(key: &str) -> String {
    let mut snake = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

impl ChatApi for HttpClient {
    fn create_group(
        &self,
        group: &NewGroup,
    ) -> impl Future<Output = Result<CreatedGroup, ApiError>> + Send {
        let (first, rest) = group
            .members
            .split_at(group.members.len().min(CHAT_MEMBER_CHUNK));
        let mut body = camel_settings(&group.settings);
        body.insert("name".into(), json!(group.title));
        body.insert("owner".into(), json!(group.owner));
        body.insert("useridlist".into(), json!(first));
        if let Some(tag) = group.kind.conversation_tag() {
            body.insert("conversationTag".into(), json!(tag));
        }
        let call = Call::post("/chat/create", body).idempotency(Idempotency::NotIdempotent);
        let rest = rest.to_vec();
        async move {
            let answer: CreateAnswer = self.call(call).await?;
            if !rest.is_empty() {
                let update = GroupUpdate {
                    add_members: rest,
                    ..GroupUpdate::default()
                };
                self.update_group(&answer.chatid, &update).await?;
            }
            Ok(CreatedGroup {
                open_conversation_id: answer.open_conversation_id.unwrap_or_default(),
                chat_id: Some(answer.chatid),
            })
        }
    }

    fn get_group(&self, chat_id: &str) -> impl Future<Output = Result<LiveGroup, ApiError>> + Send {
        let chat_id = chat_id.to_string();
        async move {
            let answer: GetAnswer = self
                .call(Call::get("/chat/get").query("chatid", &chat_id))
                .await?;
            let info = answer.chat_info;
            let open_conversation_id = match info.open_conversation_id.filter(|id| !id.is_empty()) {
                Some(id) => id,
                None => self.open_conversation_id(&chat_id).await?,
            };
            let snake: Map<String, Value> = info
                .rest
                .iter()
                .map(|(k, v)| (snake_case(k), v.clone()))
                .collect();
            let mut members = info.useridlist;
            members.sort();
            members.dedup();
            Ok(LiveGroup {
                open_conversation_id,
                chat_id: Some(chat_id),
                kind: info
                    .conversation_tag
                    .and_then(GroupKind::from_conversation_tag)
                    .unwrap_or(GroupKind::Internal),
                title: info.name,
                owner: info.owner,
                admins: Vec::new(),
                member_count: Some(members.len() as u64),
                members,
                settings: settings_from_map(&snake),
                template_id: None,
                icon: info.icon.filter(|icon| !icon.is_empty()),
                group_url: None,
                status: GroupStatus::from_code(info.status.unwrap_or(1)),
            })
        }
    }

    fn update_group(
        &self,
        chat_id: &str,
        update: &GroupUpdate,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let mut calls = Vec::new();
        let mut first = camel_settings(&update.settings);
        first.insert("chatid".into(), json!(chat_id));
        for (key, value) in [
            ("name", &update.title),
            ("owner", &update.owner),
            ("icon", &update.icon),
        ] {
            if let Some(value) = value {
                first.insert(key.into(), json!(value));
            }
        }
        // Adds and removes go in separate requests, never overlapping (49004), in chunks.
        if first.len() > 1 {
            calls.push(Call::post("/chat/update", first));
        }
        for chunk in update.add_members.chunks(CHAT_MEMBER_CHUNK) {
            calls.push(Call::post(
                "/chat/update",
                json!({ "chatid": chat_id, "add_useridlist": chunk }),
            ));
        }
        for chunk in update.remove_members.chunks(CHAT_MEMBER_CHUNK) {
            calls.push(Call::post(
                "/chat/update",
                json!({ "chatid": chat_id, "del_useridlist": chunk }),
            ));
        }
        async move {
            for call in &calls {
                self.call_value(call).await?;
            }
            Ok(())
        }
    }

    fn set_group_admins(
        &self,
        open_conversation_id: &str,
        userids: &[String],
        admin: bool,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let role = if admin { 2 } else { 3 };
        let calls: Vec<Call> = userids
            .chunks(ADMIN_CHUNK)
            .map(|chunk| {
                Call::post(
                    "/v1.0/im/subAdministrators",
                    json!({ "openConversationId": open_conversation_id, "userIds": chunk, "role": role }),
                )
            })
            .collect();
        async move {
            for call in &calls {
                self.call_value(call).await?;
            }
            Ok(())
        }
    }

    fn open_conversation_id(
        &self,
        chat_id: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            open_conversation_id: String,
        }
        let encoded =
            percent_encoding::utf8_percent_encode(chat_id, percent_encoding::NON_ALPHANUMERIC);
        let call = Call::post(
            "/v1.0/im/chat/{chatId}/convertToOpenConversationId",
            json!({}),
        )
        .path(format!(
            "/v1.0/im/chat/{encoded}/convertToOpenConversationId"
        ));
        async move { Ok(self.call::<Answer>(call).await?.open_conversation_id) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_travel_in_camel_case_and_come_back() {
        let settings = GroupSettings {
            validation_type: Some(1),
            chat_banned_type: Some(0),
            ..Default::default()
        };
        let camel = camel_settings(&settings);
        assert_eq!(
            Value::Object(camel.clone()),
            json!({ "validationType": 1, "chatBannedType": 0 })
        );
        let snake: Map<String, Value> = camel
            .iter()
            .map(|(k, v)| (snake_case(k), v.clone()))
            .collect();
        assert_eq!(settings_from_map(&snake), settings);
    }
}
