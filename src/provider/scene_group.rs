//! Scene groups (场景群): create from a template, update, read, members, sub-admins, disband.
//!
//! A read combines two APIs fetched concurrently (distinct APIs have distinct rate limits, so
//! this costs no extra wall time under throttling): `sceneGroups/queryDetail` (title, owner,
//! status, join URL, sub-admins, settings, member count) and
//! `sceneGroups/members/batchQuery` (members, page by page).

use std::future::Future;

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::retry::Idempotency;
use super::settings;
use crate::model::live::{CreatedGroup, GroupKind, GroupSettings, GroupStatus, LiveGroup};
use crate::model::wire::SuccessBody;
use crate::model::wire::scene_group::{
    BatchQueryGroupMemberRequest, BatchQueryGroupMemberResponse, CreateSceneGroupRequest,
    CreateSceneGroupResponse, DisbandSceneGroupRequest, GetSceneGroupDetailRequest,
    GetSceneGroupDetailResponse, ROLE_ADMIN, ROLE_MEMBER, SceneGroupMembersRequest,
    UpdateSceneGroupRequest, UpdateSubAdminRequest,
};

/// Members per add/remove request (the oapi doc says ≤100; the v1.0 SDK allows 999).
pub const MEMBER_CHUNK: usize = crate::model::limits::SCENE_GROUP_MEMBERS_PER_REQUEST;
/// Sub-admins per request (the platform's limit).
pub const ADMIN_CHUNK: usize = crate::model::limits::ADMINS_PER_REQUEST;
/// Members per page when listing.
pub const MEMBER_PAGE: i64 = 500;

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

    /// Read a scene group, members included. A disbanded group reads as
    /// [`GroupStatus::Disbanded`] (with no members); one that never existed is a
    /// [`ErrorKind::NotFound`](super::ErrorKind::NotFound) error.
    fn get_scene_group(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<LiveGroup, ApiError>> + Send;

    /// The join URL alone (one read of the detail, no member pages); `None` when the
    /// platform gives none.
    fn scene_group_url(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Option<String>, ApiError>> + Send;

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

/// One `members_call` per [`MEMBER_CHUNK`] of `userids`, in order.
fn members_calls(api: &'static str, open_conversation_id: &str, userids: &[String]) -> Vec<Call> {
    userids
        .chunks(MEMBER_CHUNK)
        .map(|chunk| members_call(api, open_conversation_id, chunk))
        .collect()
}

fn members_call(api: &'static str, open_conversation_id: &str, userids: &[String]) -> Call {
    let body = SceneGroupMembersRequest {
        open_conversation_id: open_conversation_id.to_string(),
        user_ids: Some(userids.to_vec()),
        union_ids: None,
    };
    Call::post(api, body)
}

/// Send `calls` one after the other (chunks of one change), stopping at the first failure.
pub(crate) async fn send_in_order(client: &HttpClient, calls: &[Call]) -> Result<(), ApiError> {
    for call in calls {
        client.call_value(call).await?;
    }
    Ok(())
}

fn non_empty(text: String) -> Option<String> {
    Some(text).filter(|text| !text.is_empty())
}

impl SceneGroupApi for HttpClient {
    async fn create_scene_group(&self, group: &NewSceneGroup) -> Result<CreatedGroup, ApiError> {
        let (first, rest) = group
            .members
            .split_at(group.members.len().min(MEMBER_CHUNK));
        let ids = |ids: &[String]| (!ids.is_empty()).then(|| ids.to_vec());
        let body = CreateSceneGroupRequest {
            title: group.title.clone(),
            template_id: group.template_id.clone(),
            owner_user_id: group.owner.clone(),
            user_ids: ids(first),
            subadmin_ids: ids(&group.admins),
            uuid: group.uuid.clone(),
            icon: group.icon.clone(),
            management_options: settings::management_options(&group.settings),
        };
        // The platform dedupes creates by `uuid`: only then is a resend safe.
        let idempotency = if group.uuid.is_some() {
            Idempotency::Keyed
        } else {
            Idempotency::NotIdempotent
        };
        let answer: CreateSceneGroupResponse = self
            .call(Call::post("/v1.0/im/sceneGroup/create", body).idempotency(idempotency))
            .await?;
        if !rest.is_empty() {
            self.add_scene_group_members(&answer.open_conversation_id, rest)
                .await?;
        }
        Ok(CreatedGroup {
            open_conversation_id: answer.open_conversation_id,
            chat_id: non_empty(answer.chat_id),
        })
    }

    fn update_scene_group(
        &self,
        open_conversation_id: &str,
        update: &SceneGroupUpdate,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = UpdateSceneGroupRequest {
            open_conversation_id: open_conversation_id.to_string(),
            title: update.title.clone(),
            icon: update.icon.clone(),
            owner_user_id: update.owner.clone(),
            owner_union_id: None,
            management_options: settings::management_options(&update.settings),
        };
        let call = Call::post("/v1.0/im/sceneGroup/update", body);
        async move { self.call::<SuccessBody>(call).await.map(drop) }
    }

    async fn get_scene_group(&self, open_conversation_id: &str) -> Result<LiveGroup, ApiError> {
        let request = GetSceneGroupDetailRequest {
            open_conversation_id: open_conversation_id.to_string(),
            cool_app_code: None,
        };
        let detail = self.call::<GetSceneGroupDetailResponse>(Call::post(
            "/v1.0/im/sceneGroups/queryDetail",
            request,
        ));
        let members = self.scene_group_members(open_conversation_id);
        let (detail, members) = tokio::join!(detail, members);
        let detail = detail?;
        let status = GroupStatus::from_code(detail.status);
        // A disbanded group still answers its detail but not its members: it reads as
        // disbanded (so that plan can re-create it), not as an error.
        let members = match status {
            GroupStatus::Disbanded => members.unwrap_or_default(),
            GroupStatus::Active => members?,
        };
        let mut admins = detail.sub_admin_staff_ids;
        admins.sort();
        Ok(LiveGroup {
            open_conversation_id: open_conversation_id.to_string(),
            chat_id: None,
            kind: GroupKind::Scene,
            title: detail.title,
            owner: detail.owner_user_id,
            admins,
            members,
            member_count: u64::try_from(detail.member_amount).ok(),
            settings: settings::from_detail(&detail.management_options),
            template_id: non_empty(detail.template_id),
            icon: non_empty(detail.icon),
            group_url: non_empty(detail.group_url),
            status,
        })
    }

    async fn scene_group_url(
        &self,
        open_conversation_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let request = GetSceneGroupDetailRequest {
            open_conversation_id: open_conversation_id.to_string(),
            cool_app_code: None,
        };
        let detail: GetSceneGroupDetailResponse = self
            .call(Call::post("/v1.0/im/sceneGroups/queryDetail", request))
            .await?;
        Ok(non_empty(detail.group_url))
    }

    async fn scene_group_members(
        &self,
        open_conversation_id: &str,
    ) -> Result<Vec<String>, ApiError> {
        let mut members = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let body = BatchQueryGroupMemberRequest {
                open_conversation_id: open_conversation_id.to_string(),
                max_results: MEMBER_PAGE,
                next_token: next_token.clone(),
                cool_app_code: None,
            };
            let page: BatchQueryGroupMemberResponse = self
                .call(Call::post("/v1.0/im/sceneGroups/members/batchQuery", body))
                .await?;
            members.extend(page.member_user_ids);
            match page
                .next_token
                .filter(|token| page.has_more && !token.is_empty())
            {
                // A cursor that does not move would loop forever.
                Some(token) if next_token.as_ref() != Some(&token) => next_token = Some(token),
                _ => break,
            }
        }
        members.sort();
        members.dedup();
        Ok(members)
    }

    fn add_scene_group_members(
        &self,
        open_conversation_id: &str,
        userids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let calls = members_calls(
            "/v1.0/im/sceneGroup/member/add",
            open_conversation_id,
            userids,
        );
        async move { send_in_order(self, &calls).await }
    }

    fn remove_scene_group_members(
        &self,
        open_conversation_id: &str,
        userids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let calls = members_calls(
            "/v1.0/im/sceneGroup/member/delete",
            open_conversation_id,
            userids,
        );
        async move { send_in_order(self, &calls).await }
    }

    fn set_scene_group_admins(
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
                Call::put("/v1.0/im/sceneGroups/subAdmins", body)
            })
            .collect();
        async move { send_in_order(self, &calls).await }
    }

    fn disband_scene_group(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = DisbandSceneGroupRequest {
            open_conversation_id: open_conversation_id.to_string(),
        };
        let call = Call::post("/v1.0/im/chat/scenegroup/disband", body);
        async move { self.call::<SuccessBody>(call).await.map(drop) }
    }
}
