//! Scene groups (场景群): create from a template, update, read, members, sub-admins, disband.
//!
//! Reads combine two APIs fetched concurrently (distinct APIs have distinct rate limits, so
//! this costs no extra wall time under throttling): the api host's `sceneGroups/query`
//! (status, icon, join URL) and the oapi `scenegroup/get` (sub-admins, settings, member
//! count); members come from `sceneGroups/members/batchQuery`, page by page.

use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::lenient;
use super::retry::Idempotency;
use crate::model::live::{CreatedGroup, GroupKind, GroupSettings, GroupStatus, LiveGroup};

/// Members per add/remove request (the oapi doc says ≤100; the v1.0 SDK allows 999).
pub const MEMBER_CHUNK: usize = 100;
/// Sub-admins per request (the platform's limit).
pub const ADMIN_CHUNK: usize = 12;
/// Members per page when listing.
pub const MEMBER_PAGE: u32 = 500;

/// A scene group to create.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewSceneGroup {
    /// Title (≤30 characters).
    pub title: String,
    /// The console template id.
    pub template_id: String,
    /// The owner's userid.
    pub owner: String,
    /// Members' userids (more than [`MEMBER_CHUNK`] are added after creation, in chunks).
    pub members: Vec<String>,
    /// Sub-admins' userids.
    pub admins: Vec<String>,
    /// The idempotency key (≤64 chars): with it, a retried create returns the same group.
    /// Without it the create is not retried after an ambiguous failure.
    pub uuid: Option<String>,
    /// The icon's media id.
    pub icon: Option<String>,
    /// Switches.
    pub settings: GroupSettings,
}

/// Changes to a scene group (`None` = leave as is).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SceneGroupUpdate {
    /// New title.
    pub title: Option<String>,
    /// New owner's userid.
    pub owner: Option<String>,
    /// New icon media id.
    pub icon: Option<String>,
    /// Switches to change (unset ones are left alone).
    pub settings: GroupSettings,
}

/// Scene-group calls.
pub trait SceneGroupApi: Send + Sync {
    /// Create a scene group; returns its ids. Idempotent when `uuid` is set.
    fn create_scene_group(
        &self,
        group: &NewSceneGroup,
    ) -> impl Future<Output = Result<CreatedGroup, ApiError>> + Send;

    /// Change title, owner, icon or settings.
    fn update_scene_group(
        &self,
        open_conversation_id: &str,
        update: &SceneGroupUpdate,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Read a scene group, members included.
    fn get_scene_group(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<LiveGroup, ApiError>> + Send;

    /// All members' userids, sorted (every page).
    fn scene_group_members(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;

    /// Add members, in chunks of [`MEMBER_CHUNK`].
    fn add_scene_group_members(
        &self,
        open_conversation_id: &str,
        userids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Remove members, in chunks of [`MEMBER_CHUNK`].
    fn remove_scene_group_members(
        &self,
        open_conversation_id: &str,
        userids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Make members sub-admins (`admin: true`) or plain members again, in chunks of
    /// [`ADMIN_CHUNK`].
    fn set_scene_group_admins(
        &self,
        open_conversation_id: &str,
        userids: &[String],
        admin: bool,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Disband the group.
    fn disband_scene_group(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

// TODO(wire): move the request/response bodies below to model::wire.
#[derive(Serialize)]
struct CreateBody<'a> {
    title: &'a str,
    template_id: &'a str,
    owner_user_id: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    user_ids: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    subadmin_ids: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    #[serde(skip_serializing_if = "GroupSettings::is_empty")]
    management_options: &'a GroupSettings,
}

#[derive(Deserialize)]
struct CreateAnswer {
    open_conversation_id: String,
    #[serde(default)]
    chat_id: Option<String>,
}

#[derive(Serialize)]
struct UpdateBody<'a> {
    open_conversation_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    #[serde(skip_serializing_if = "GroupSettings::is_empty")]
    management_options: &'a GroupSettings,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryAnswer {
    #[serde(default)]
    template_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    owner_user_id: Option<String>,
    #[serde(default)]
    icon: Option<String>,
    #[serde(default)]
    group_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    status: Option<i64>,
}

#[derive(Deserialize)]
struct DetailAnswer {
    #[serde(default)]
    result: Detail,
}

#[derive(Default, Deserialize)]
struct Detail {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    template_id: Option<String>,
    #[serde(default)]
    owner_staff_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    sub_admin_staff_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    member_amount: Option<i64>,
    #[serde(default)]
    group_url: Option<String>,
    #[serde(default)]
    management_options: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MembersPage {
    #[serde(default, deserialize_with = "lenient::string_list")]
    member_user_ids: Vec<String>,
    #[serde(default)]
    has_more: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    next_token: Option<String>,
}

/// Settings from a map whose switches may be numbers, strings or booleans.
pub(crate) fn settings_from_map(map: &Map<String, Value>) -> GroupSettings {
    let normalized: Map<String, Value> = map
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), Value::from(lenient::switch(value)?))))
        .collect();
    serde_json::from_value(Value::Object(normalized)).unwrap_or_default()
}

fn members_call(open_conversation_id: &str, userids: &[String], api: &'static str) -> Call {
    Call::post(
        api,
        serde_json::json!({ "open_conversation_id": open_conversation_id, "user_ids": userids }),
    )
}

impl SceneGroupApi for HttpClient {
    async fn create_scene_group(&self, group: &NewSceneGroup) -> Result<CreatedGroup, ApiError> {
        {
            let (first, rest) = group
                .members
                .split_at(group.members.len().min(MEMBER_CHUNK));
            let body = CreateBody {
                title: &group.title,
                template_id: &group.template_id,
                owner_user_id: &group.owner,
                user_ids: first,
                subadmin_ids: &group.admins,
                uuid: group.uuid.as_deref(),
                icon: group.icon.as_deref(),
                management_options: &group.settings,
            };
            // The platform dedupes creates by `uuid`: only then is a resend safe.
            let idempotency = if group.uuid.is_some() {
                Idempotency::Keyed
            } else {
                Idempotency::NotIdempotent
            };
            let answer: CreateAnswer = self
                .call(Call::post("/v1.0/im/sceneGroup/create", body).idempotency(idempotency))
                .await?;
            if !rest.is_empty() {
                self.add_scene_group_members(&answer.open_conversation_id, rest)
                    .await?;
            }
            Ok(CreatedGroup {
                open_conversation_id: answer.open_conversation_id,
                chat_id: answer.chat_id.filter(|id| !id.is_empty()),
            })
        }
    }

    fn update_scene_group(
        &self,
        open_conversation_id: &str,
        update: &SceneGroupUpdate,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = UpdateBody {
            open_conversation_id,
            title: update.title.as_deref(),
            owner_user_id: update.owner.as_deref(),
            icon: update.icon.as_deref(),
            management_options: &update.settings,
        };
        let call = Call::post("/v1.0/im/sceneGroup/update", body);
        async move { self.call_value(&call).await.map(drop) }
    }

    fn get_scene_group(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<LiveGroup, ApiError>> + Send {
        let id = open_conversation_id.to_string();
        async move {
            let query = self.call::<QueryAnswer>(Call::post(
                "/v1.0/im/sceneGroups/query",
                serde_json::json!({ "openConversationId": id }),
            ));
            let detail = self.call::<DetailAnswer>(Call::post(
                "/topapi/im/chat/scenegroup/get",
                serde_json::json!({ "open_conversation_id": id }),
            ));
            let members = self.scene_group_members(&id);
            let (query, detail, members) = tokio::try_join!(query, detail, members)?;
            let detail = detail.result;
            let mut admins = detail.sub_admin_staff_ids;
            admins.sort();
            Ok(LiveGroup {
                open_conversation_id: id,
                chat_id: None,
                kind: GroupKind::Scene,
                title: query.title.or(detail.title).unwrap_or_default(),
                owner: query
                    .owner_user_id
                    .or(detail.owner_staff_id)
                    .unwrap_or_default(),
                admins,
                members,
                member_count: detail.member_amount.map(|n| n.max(0) as u64),
                settings: settings_from_map(&detail.management_options),
                template_id: query.template_id.or(detail.template_id),
                icon: query.icon.filter(|icon| !icon.is_empty()),
                group_url: query
                    .group_url
                    .or(detail.group_url)
                    .filter(|url| !url.is_empty()),
                status: GroupStatus::from_code(query.status.unwrap_or(1)),
            })
        }
    }

    fn scene_group_members(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send {
        let id = open_conversation_id.to_string();
        async move {
            let mut members = Vec::new();
            let mut next_token: Option<String> = None;
            loop {
                let mut body =
                    serde_json::json!({ "openConversationId": id, "maxResults": MEMBER_PAGE });
                if let Some(token) = &next_token {
                    body["nextToken"] = Value::from(token.clone());
                }
                let page: MembersPage = self
                    .call(Call::post("/v1.0/im/sceneGroups/members/batchQuery", body))
                    .await?;
                members.extend(page.member_user_ids);
                match page.next_token.filter(|t| page.has_more && !t.is_empty()) {
                    // A cursor that does not move would loop forever.
                    Some(token) if next_token.as_ref() != Some(&token) => next_token = Some(token),
                    _ => break,
                }
            }
            members.sort();
            members.dedup();
            Ok(members)
        }
    }

    fn add_scene_group_members(
        &self,
        open_conversation_id: &str,
        userids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let calls: Vec<Call> = userids
            .chunks(MEMBER_CHUNK)
            .map(|chunk| {
                members_call(
                    open_conversation_id,
                    chunk,
                    "/v1.0/im/sceneGroup/member/add",
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

    fn remove_scene_group_members(
        &self,
        open_conversation_id: &str,
        userids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let calls: Vec<Call> = userids
            .chunks(MEMBER_CHUNK)
            .map(|chunk| {
                members_call(
                    open_conversation_id,
                    chunk,
                    "/v1.0/im/sceneGroup/member/delete",
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

    fn set_scene_group_admins(
        &self,
        open_conversation_id: &str,
        userids: &[String],
        admin: bool,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        // role 2 = sub-admin, 3 = plain member.
        let role = if admin { 2 } else { 3 };
        let calls: Vec<Call> = userids
            .chunks(ADMIN_CHUNK)
            .map(|chunk| {
                Call::put(
                    "/v1.0/im/sceneGroups/subAdmins",
                    serde_json::json!({ "openConversationId": open_conversation_id, "role": role, "userIds": chunk }),
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

    fn disband_scene_group(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let call = Call::post(
            "/v1.0/im/chat/scenegroup/disband",
            serde_json::json!({ "openConversationId": open_conversation_id }),
        );
        async move { self.call_value(&call).await.map(drop) }
    }
}
