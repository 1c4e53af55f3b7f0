//! Internal (企业群, `conversationTag` 2, the default) and standard (普通群, 0) groups: oapi
//! `/chat/create|update|get` and v1.0 `/v1.0/im/group/create|update`,
//! `/v1.0/im/innerGroups/members/query`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::error::Refusal;
use super::group::{GroupChange, NewGroup, settings_of};
use super::host::{Api, ApiError, Oapi, OapiError, oapi_ok, refuse};
use super::scene_group::{group_view, page};
use super::world::{Group, GroupKind};
use crate::model::wire::SuccessBody;
use crate::model::wire::chat::*;

/// Longest `/chat/create` name.
const MAX_CHAT_NAME_CHARS: usize = crate::model::limits::CHAT_GROUP_TITLE_CHARS;
/// Most members one `/chat/create` call takes.
const MAX_CREATE_MEMBERS: usize = crate::model::limits::CHAT_MEMBERS_PER_REQUEST;

fn kind_of(tag: Option<i64>) -> Result<GroupKind, Refusal> {
    match tag.unwrap_or(TAG_INTERNAL) {
        TAG_INTERNAL => Ok(GroupKind::Internal),
        TAG_STANDARD => Ok(GroupKind::Standard),
        other => Err(Refusal::BadParameter(format!(
            "conversationTag must be 2 (internal) or 0 (standard), got {other}"
        ))),
    }
}

fn tag_of(group: &Group) -> i64 {
    match group.kind {
        GroupKind::Standard => TAG_STANDARD,
        _ => TAG_INTERNAL,
    }
}

async fn create_chat(state: &AppState, new: NewGroup) -> Result<CreateChatResponse, Refusal> {
    let tag = if new.kind == GroupKind::Standard {
        TAG_STANDARD
    } else {
        TAG_INTERNAL
    };
    state
        .store
        .write(|world| {
            let id = world.create_group(new)?;
            Ok(CreateChatResponse {
                chatid: world.groups[&id].chat_id.clone(),
                open_conversation_id: id,
                conversation_tag: tag,
            })
        })
        .await
}

async fn chat_to_open_id(state: &AppState, chat_id: &str) -> Result<String, Refusal> {
    state
        .store
        .read(|world| world.open_conversation_id_of(chat_id))
        .ok_or_else(|| Refusal::GroupNotFound(chat_id.to_owned()))
}

/// oapi `POST /chat/create`.
pub async fn oapi_create(
    State(state): State<AppState>,
    call: Oapi<OapiCreateChatRequest>,
) -> Result<Response, OapiError> {
    let refuse = refuse(false);
    let body = call.body;
    let chars = body.name.chars().count();
    if chars > MAX_CHAT_NAME_CHARS {
        return Err(refuse(Refusal::BadParameter(format!(
            "name is {chars} characters; /chat/create takes at most {MAX_CHAT_NAME_CHARS}"
        ))));
    }
    if body.useridlist.len() > MAX_CREATE_MEMBERS {
        return Err(refuse(Refusal::BadParameter(format!(
            "useridlist has {} users; /chat/create takes at most {MAX_CREATE_MEMBERS} per call",
            body.useridlist.len()
        ))));
    }
    let new = NewGroup {
        kind: kind_of(body.conversation_tag).map_err(refuse)?,
        title: body.name,
        owner: body.owner,
        members: body.useridlist,
        admins: Vec::new(),
        template_id: None,
        uuid: None,
        icon: body.icon,
        settings: settings_of(&body.settings),
    };
    let created = create_chat(&state, new).await.map_err(refuse)?;
    Ok(oapi_ok(created))
}

/// oapi `POST /chat/update`.
pub async fn oapi_update(
    State(state): State<AppState>,
    call: Oapi<OapiUpdateChatRequest>,
) -> Result<Response, OapiError> {
    let refuse = refuse(false);
    let body = call.body;
    let id = chat_to_open_id(&state, &body.chatid)
        .await
        .map_err(refuse)?;
    let change = GroupChange {
        title: body.name,
        owner: body.owner,
        icon: body.icon,
        settings: settings_of(&body.settings),
        add: body.add_useridlist.unwrap_or_default(),
        remove: body.del_useridlist.unwrap_or_default(),
    };
    state
        .store
        .write(|world| world.update_group(&id, change))
        .await
        .map_err(refuse)?;
    Ok(oapi_ok(crate::model::wire::error::Empty {}))
}

/// oapi `GET /chat/get?chatid=`.
pub async fn oapi_get(
    State(state): State<AppState>,
    call: Oapi<GetChatQuery>,
) -> Result<Response, OapiError> {
    let refuse = refuse(false);
    let id = chat_to_open_id(&state, &call.body.chatid)
        .await
        .map_err(refuse)?;
    let group = group_view(&state, &id).await.map_err(refuse)?;
    let setting = |name: &str| group.settings.get(name).copied().unwrap_or(0);
    Ok(oapi_ok(GetChatResponse {
        chat_info: ChatInfo {
            chatid: group.chat_id.clone(),
            name: group.title.clone(),
            owner: group.owner.clone(),
            useridlist: group.members.clone(),
            conversation_tag: tag_of(&group),
            status: if group.active { 0 } else { 2 },
            open_conversation_id: group.open_conversation_id.clone(),
            icon: group.icon.clone().unwrap_or_default(),
            searchable: setting("searchable"),
            validation_type: setting("validation_type"),
            mention_all_authority: setting("mention_all_authority"),
            management_type: setting("management_type"),
            chat_banned_type: setting("chat_banned_type"),
            show_history_type: setting("show_history_type"),
        },
    }))
}

/// `POST /v1.0/im/group/create`.
pub async fn create(
    State(state): State<AppState>,
    call: Api<CreateGroupRequest>,
) -> Result<Json<CreateChatResponse>, ApiError> {
    let body = call.body;
    let new = NewGroup {
        kind: kind_of(body.conversation_tag)?,
        title: body.name,
        owner: body.owner,
        members: body.useridlist,
        admins: Vec::new(),
        template_id: None,
        uuid: None,
        icon: body.icon,
        settings: body
            .management_options
            .as_ref()
            .map(settings_of)
            .unwrap_or_default(),
    };
    Ok(Json(create_chat(&state, new).await?))
}

/// `POST /v1.0/im/group/update`.
pub async fn update(
    State(state): State<AppState>,
    call: Api<UpdateGroupRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    let id = chat_to_open_id(&state, &body.chatid).await?;
    let change = GroupChange {
        title: body.name,
        owner: body.owner,
        icon: body.icon,
        settings: body
            .management_options
            .as_ref()
            .map(settings_of)
            .unwrap_or_default(),
        add: body.add_useridlist.unwrap_or_default(),
        remove: body.del_useridlist.unwrap_or_default(),
    };
    state
        .store
        .write(|world| world.update_group(&id, change))
        .await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/innerGroups/members/query`.
pub async fn inner_members(
    State(state): State<AppState>,
    call: Api<InnerGroupMembersRequest>,
) -> Result<Json<InnerGroupMembersResponse>, ApiError> {
    let body = call.body;
    let start = match body.next_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token
            .parse()
            .map_err(|_| Refusal::BadParameter(format!("nextToken `{token}` is not valid")))?,
    };
    let group = state
        .store
        .read(|world| world.active_group(&body.open_conversation_id).cloned())?;
    let size = body.max_results.clamp(1, 1000) as usize;
    let (user_ids, has_more) = page(&group.members, start, size);
    let next = start + user_ids.len();
    Ok(Json(InnerGroupMembersResponse {
        user_ids,
        has_more,
        next_token: has_more.then(|| next.to_string()),
    }))
}
