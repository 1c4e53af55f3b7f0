//! Scene groups (场景群) on both hosts: v1.0 `/v1.0/im/sceneGroup/*`, `/v1.0/im/sceneGroups/*`
//! and the "historical" oapi `/topapi/im/chat/scenegroup/*`, plus the sub-admin, disband,
//! chat-id conversion and join-URL (`/topapi/chat/qrcode/get`) endpoints.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;

use super::AppState;
use super::error::Refusal;
use super::group::{GroupChange, NewGroup, settings_of};
use super::host::{Api, ApiError, Oapi, OapiError, oapi_ok, refuse};
use super::world::{Group, GroupKind};
use crate::model::wire::SuccessBody;
use crate::model::wire::scene_group::*;

/// A copy of a group with a working join URL (a new one is issued once 365 days passed).
pub async fn group_view(state: &AppState, open_conversation_id: &str) -> Result<Group, Refusal> {
    let (group, expired) = state.store.read(|world| {
        let group = world
            .group(open_conversation_id)
            .cloned()
            .ok_or_else(|| Refusal::GroupNotFound(open_conversation_id.to_owned()))?;
        let expired = group.active && world.group_url_expired(&group);
        Ok::<_, Refusal>((group, expired))
    })?;
    if !expired {
        return Ok(group);
    }
    state
        .store
        .write(|world| {
            world.renew_group_url(open_conversation_id)?;
            Ok(world.groups[open_conversation_id].clone())
        })
        .await
}

fn union_to_user(ids: Option<Vec<String>>) -> Vec<String> {
    // unionIds are `union_<userid>` in the emulator (see `/topapi/v2/user/get`).
    ids.unwrap_or_default()
        .into_iter()
        .map(|id| id.strip_prefix("union_").map(str::to_owned).unwrap_or(id))
        .collect()
}

fn members_of(user_ids: Option<Vec<String>>, union_ids: Option<Vec<String>>) -> Vec<String> {
    let mut ids = user_ids.unwrap_or_default();
    ids.extend(union_to_user(union_ids));
    ids
}

fn detail_options(group: &Group) -> DetailManagementOptions {
    let get = |name: &str| group.settings.get(name).copied().unwrap_or(0).to_string();
    DetailManagementOptions {
        searchable: get("searchable"),
        validation_type: get("validation_type"),
        mention_all_authority: get("mention_all_authority"),
        show_history_type: get("show_history_type"),
        management_type: get("management_type"),
        chat_banned_type: get("chat_banned_type"),
        not_quit_when_emp_leave: get("not_quit_when_emp_leave"),
        only_admin_can_add_mem: get("only_admin_can_add_mem"),
    }
}

fn status_of(group: &Group) -> i64 {
    if group.active { 1 } else { 2 }
}

/// `POST /v1.0/im/sceneGroup/create`.
pub async fn create(
    State(state): State<AppState>,
    call: Api<CreateSceneGroupRequest>,
) -> Result<Json<CreateSceneGroupResponse>, ApiError> {
    let body = call.body;
    let new = NewGroup {
        kind: GroupKind::Scene,
        title: body.title,
        owner: body.owner_user_id,
        members: body.user_ids.unwrap_or_default(),
        admins: body.subadmin_ids.unwrap_or_default(),
        template_id: Some(body.template_id),
        uuid: body.uuid,
        icon: body.icon,
        settings: body
            .management_options
            .as_ref()
            .map(settings_of)
            .unwrap_or_default(),
    };
    let (open_conversation_id, chat_id) = create_group(&state, new).await?;
    Ok(Json(CreateSceneGroupResponse {
        open_conversation_id,
        chat_id,
    }))
}

async fn create_group(state: &AppState, new: NewGroup) -> Result<(String, String), Refusal> {
    state
        .store
        .write(|world| {
            let id = world.create_group(new)?;
            Ok((id.clone(), world.groups[&id].chat_id.clone()))
        })
        .await
}

/// `POST /v1.0/im/sceneGroups` (the camelCase create).
pub async fn create_conversation(
    State(state): State<AppState>,
    call: Api<CreateSceneGroupConversationRequest>,
) -> Result<Json<CreateSceneGroupConversationResponse>, ApiError> {
    let body = call.body;
    let new = NewGroup {
        kind: GroupKind::Scene,
        title: body.group_name,
        owner: body.group_owner_id,
        members: body.user_id_list.unwrap_or_default(),
        admins: Vec::new(),
        template_id: Some(body.template_id),
        uuid: body.uuid,
        icon: body.icon,
        settings: body
            .management_options
            .as_ref()
            .map(settings_of)
            .unwrap_or_default(),
    };
    let (open_conversation_id, _) = create_group(&state, new).await?;
    Ok(Json(CreateSceneGroupConversationResponse {
        open_conversation_id,
    }))
}

/// `POST /v1.0/im/sceneGroup/update`.
pub async fn update(
    State(state): State<AppState>,
    call: Api<UpdateSceneGroupRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    let owner = body
        .owner_user_id
        .or_else(|| union_to_user(body.owner_union_id.map(|id| vec![id])).pop());
    let change = GroupChange {
        title: body.title,
        owner,
        icon: body.icon,
        settings: body
            .management_options
            .as_ref()
            .map(settings_of)
            .unwrap_or_default(),
        ..GroupChange::default()
    };
    let id = body.open_conversation_id;
    state
        .store
        .write(|world| world.update_group(&id, change))
        .await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/sceneGroups/query`.
pub async fn query(
    State(state): State<AppState>,
    call: Api<GetSceneGroupInfoRequest>,
) -> Result<Json<GetSceneGroupInfoResponse>, ApiError> {
    let group = group_view(&state, &call.body.open_conversation_id).await?;
    Ok(Json(GetSceneGroupInfoResponse {
        success: true,
        status: status_of(&group),
        open_conversation_id: group.open_conversation_id,
        template_id: group.template_id.unwrap_or_default(),
        title: group.title,
        owner_user_id: group.owner,
        icon: group.icon.unwrap_or_default(),
        group_url: group.group_url,
    }))
}

/// `POST /v1.0/im/sceneGroups/queryDetail`.
pub async fn query_detail(
    State(state): State<AppState>,
    call: Api<GetSceneGroupDetailRequest>,
) -> Result<Json<GetSceneGroupDetailResponse>, ApiError> {
    let group = group_view(&state, &call.body.open_conversation_id).await?;
    Ok(Json(GetSceneGroupDetailResponse {
        success: true,
        status: status_of(&group),
        member_amount: group.members.len() as i64,
        sub_admin_staff_ids: group.admins.clone(),
        management_options: detail_options(&group),
        open_conversation_id: group.open_conversation_id,
        template_id: group.template_id.unwrap_or_default(),
        title: group.title,
        owner_user_id: group.owner,
        icon: group.icon.unwrap_or_default(),
        group_url: group.group_url,
    }))
}

async fn change_members(
    state: &AppState,
    open_conversation_id: String,
    ids: Vec<String>,
    add: bool,
) -> Result<(), Refusal> {
    if ids.is_empty() {
        return Err(Refusal::MissingParameter("user_ids".to_owned()));
    }
    let change = if add {
        GroupChange {
            add: ids,
            ..GroupChange::default()
        }
    } else {
        GroupChange {
            remove: ids,
            ..GroupChange::default()
        }
    };
    state
        .store
        .write(|world| world.update_group(&open_conversation_id, change))
        .await
}

/// `POST /v1.0/im/sceneGroup/member/add`.
pub async fn member_add(
    State(state): State<AppState>,
    call: Api<SceneGroupMembersRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    let ids = members_of(body.user_ids, body.union_ids);
    change_members(&state, body.open_conversation_id, ids, true).await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/sceneGroup/member/delete`.
pub async fn member_delete(
    State(state): State<AppState>,
    call: Api<SceneGroupMembersRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    let ids = members_of(body.user_ids, body.union_ids);
    change_members(&state, body.open_conversation_id, ids, false).await?;
    Ok(Json(SuccessBody { success: true }))
}

/// One page of a member list from offset `start`.
pub fn page(members: &[String], start: usize, size: usize) -> (Vec<String>, bool) {
    let end = start.saturating_add(size).min(members.len());
    let start = start.min(members.len());
    (members[start..end].to_vec(), end < members.len())
}

/// `POST /v1.0/im/sceneGroups/members/batchQuery`.
pub async fn members_batch_query(
    State(state): State<AppState>,
    call: Api<BatchQueryGroupMemberRequest>,
) -> Result<Json<BatchQueryGroupMemberResponse>, ApiError> {
    let body = call.body;
    if !(1..=1000).contains(&body.max_results) {
        return Err(Refusal::BadParameter("maxResults must be 1 to 1000".to_owned()).into());
    }
    let start = match body.next_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token
            .parse()
            .map_err(|_| Refusal::BadParameter(format!("nextToken `{token}` is not valid")))?,
    };
    let group = state
        .store
        .read(|world| world.active_group(&body.open_conversation_id).cloned())?;
    let (member_user_ids, has_more) = page(&group.members, start, body.max_results as usize);
    let next = start + member_user_ids.len();
    Ok(Json(BatchQueryGroupMemberResponse {
        success: true,
        member_user_ids,
        has_more,
        next_token: has_more.then(|| next.to_string()),
    }))
}

/// `PUT /v1.0/im/sceneGroups/subAdmins` and `POST /v1.0/im/subAdministrators`.
pub async fn sub_admins(
    State(state): State<AppState>,
    call: Api<UpdateSubAdminRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    let users = body.user_ids.unwrap_or_default();
    state
        .store
        .write(|world| world.set_admins(&body.open_conversation_id, body.role, &users))
        .await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/chat/scenegroup/disband`.
pub async fn disband(
    State(state): State<AppState>,
    call: Api<DisbandSceneGroupRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let id = call.body.open_conversation_id;
    state.store.write(|world| world.disband(&id)).await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/chat/{chat_id}/convertToOpenConversationId`.
pub async fn convert_chat_id(
    State(state): State<AppState>,
    Path(chat_id): Path<String>,
    _call: Api<serde_json::Value>,
) -> Result<Json<ConvertChatIdResponse>, ApiError> {
    let open_conversation_id = state
        .store
        .read(|world| world.open_conversation_id_of(&chat_id))
        .ok_or(Refusal::GroupNotFound(chat_id))?;
    Ok(Json(ConvertChatIdResponse {
        open_conversation_id,
    }))
}

/// oapi `POST /topapi/im/chat/scenegroup/create`.
pub async fn oapi_create(
    State(state): State<AppState>,
    call: Oapi<OapiCreateSceneGroupRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    let new = NewGroup {
        kind: GroupKind::Scene,
        title: body.title,
        owner: body.owner_user_id,
        members: body.user_ids.map(|ids| ids.0).unwrap_or_default(),
        admins: body.subadmin_ids.map(|ids| ids.0).unwrap_or_default(),
        template_id: Some(body.template_id),
        uuid: body.uuid,
        icon: body.icon,
        settings: settings_of(&body.settings),
    };
    let (open_conversation_id, chat_id) = create_group(&state, new)
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiResult {
        result: OapiSceneGroupIds {
            open_conversation_id,
            chat_id,
        },
    }))
}

/// oapi `POST /topapi/im/chat/scenegroup/update`.
pub async fn oapi_update(
    State(state): State<AppState>,
    call: Oapi<OapiUpdateSceneGroupRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    let change = GroupChange {
        title: body.title,
        owner: body.owner_user_id,
        icon: body.icon,
        settings: settings_of(&body.settings),
        ..GroupChange::default()
    };
    let id = body.open_conversation_id;
    state
        .store
        .write(|world| world.update_group(&id, change))
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiSuccess { success: true }))
}

/// oapi `POST /topapi/im/chat/scenegroup/get`.
pub async fn oapi_get(
    State(state): State<AppState>,
    call: Oapi<OapiSceneGroupRequest>,
) -> Result<Response, OapiError> {
    let group = group_view(&state, &call.body.open_conversation_id)
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiResult {
        result: OapiSceneGroupInfo {
            member_amount: group.members.len() as i64,
            sub_admin_staff_ids: group.admins.clone(),
            management_options: detail_options(&group),
            title: group.title,
            template_id: group.template_id.unwrap_or_default(),
            owner_staff_id: group.owner,
            group_url: group.group_url,
            open_conversation_id: group.open_conversation_id,
        },
    }))
}

/// oapi `POST /topapi/im/chat/scenegroup/member/add`.
pub async fn oapi_member_add(
    State(state): State<AppState>,
    call: Oapi<OapiSceneGroupRequest>,
) -> Result<Response, OapiError> {
    oapi_change_members(&state, call, true).await
}

/// oapi `POST /topapi/im/chat/scenegroup/member/delete`.
pub async fn oapi_member_delete(
    State(state): State<AppState>,
    call: Oapi<OapiSceneGroupRequest>,
) -> Result<Response, OapiError> {
    oapi_change_members(&state, call, false).await
}

async fn oapi_change_members(
    state: &AppState,
    call: Oapi<OapiSceneGroupRequest>,
    add: bool,
) -> Result<Response, OapiError> {
    let ids = call.body.user_ids.map(|ids| ids.0).unwrap_or_default();
    change_members(state, call.body.open_conversation_id, ids, add)
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiSuccess { success: true }))
}

/// oapi `POST /topapi/im/chat/scenegroup/member/get`.
pub async fn oapi_member_get(
    State(state): State<AppState>,
    call: Oapi<OapiSceneGroupRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    let group = state
        .store
        .read(|world| world.active_group(&body.open_conversation_id).cloned())
        .map_err(refuse(call.topapi))?;
    let start = body.cursor.unwrap_or(0).max(0) as usize;
    let size = body.size.unwrap_or(100).clamp(1, 1000) as usize;
    let (member_user_ids, has_more) = page(&group.members, start, size);
    let next_cursor = (start + member_user_ids.len()) as i64;
    Ok(oapi_ok(OapiResult {
        result: OapiSceneGroupMembers {
            member_user_ids,
            has_more,
            next_cursor,
        },
    }))
}

/// oapi `POST /topapi/chat/subadmin/update` (by chat id; role 2 add, 3 remove).
pub async fn oapi_sub_admin(
    State(state): State<AppState>,
    call: Oapi<OapiSubAdminRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    state
        .store
        .write(|world| {
            let id = world
                .open_conversation_id_of(&body.chatid)
                .ok_or_else(|| Refusal::GroupNotFound(body.chatid.clone()))?;
            world.set_admins(&id, body.role, &body.userids.0)
        })
        .await
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiSuccess { success: true }))
}

/// oapi `POST /topapi/chat/qrcode/get`: the join link, for a member (60124 otherwise).
pub async fn oapi_qrcode(
    State(state): State<AppState>,
    call: Oapi<QrCodeRequest>,
) -> Result<Response, OapiError> {
    let refuse = refuse(call.topapi);
    let body = call.body;
    let id = match (body.open_conversation_id, body.chatid) {
        (Some(id), _) => id,
        (None, Some(chat_id)) => state
            .store
            .read(|world| world.open_conversation_id_of(&chat_id))
            .ok_or(Refusal::GroupNotFound(chat_id))
            .map_err(&refuse)?,
        (None, None) => {
            return Err(refuse(Refusal::MissingParameter("chatid".to_owned())));
        }
    };
    let group = group_view(&state, &id).await.map_err(&refuse)?;
    if !group.active {
        return Err(refuse(Refusal::GroupDisbanded));
    }
    if !group.members.contains(&body.userid) {
        return Err(refuse(Refusal::UserNotInGroup(body.userid)));
    }
    Ok(oapi_ok(OapiResult {
        result: group.group_url,
    }))
}
