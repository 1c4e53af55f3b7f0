//! Group tabs: `POST /v1.0/im/convNavTabs/add|update|delete|list`. A tab needs a title and at
//! least one URL; updating or deleting a tab the group does not have is refused; a disbanded
//! group takes no calls. (The platform's count and length limits for tabs are not documented;
//! none is enforced here.)

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::error::Refusal;
use super::host::{Api, ApiError};
use super::world::random_id;
use crate::model::wire::SuccessBody;
use crate::model::wire::tabs::{
    AddTabRequest, AddTabResponse, DeleteTabsRequest, ListTabsRequest, ListTabsResponse,
    TabIdResult, TabInfo, TabList, UpdateTabRequest,
};

fn has_url(pc: &Option<String>, mobile: &Option<String>) -> bool {
    [pc, mobile]
        .iter()
        .any(|url| url.as_deref().is_some_and(|u| !u.trim().is_empty()))
}

/// `POST /v1.0/im/convNavTabs/add`.
pub async fn add(
    State(state): State<AppState>,
    call: Api<AddTabRequest>,
) -> Result<Json<AddTabResponse>, ApiError> {
    let body = call.body;
    if body.title.trim().is_empty() {
        return Err(ApiError(Refusal::MissingParameter("title".into())));
    }
    if !has_url(&body.pc_url, &body.mobile_url) {
        return Err(ApiError(Refusal::MissingParameter(
            "pcUrl or mobileUrl".into(),
        )));
    }
    let tab_id = state
        .store
        .write(|world| {
            world.active_group(&body.open_conversation_id)?;
            let tab_id = random_id(20);
            world
                .tabs
                .entry(body.open_conversation_id.clone())
                .or_default()
                .push(TabInfo {
                    tab_id: tab_id.clone(),
                    title: body.title.clone(),
                    pc_url: body.pc_url.clone(),
                    mobile_url: body.mobile_url.clone(),
                    tab_type: Some("url".into()),
                    user_editable: body.user_editable,
                });
            Ok(tab_id)
        })
        .await?;
    Ok(Json(AddTabResponse {
        result: TabIdResult { tab_id },
        success: true,
    }))
}

/// `POST /v1.0/im/convNavTabs/update`: only the fields given change.
pub async fn update(
    State(state): State<AppState>,
    call: Api<UpdateTabRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    state
        .store
        .write(|world| {
            world.active_group(&body.open_conversation_id)?;
            let tab = world
                .tabs
                .get_mut(&body.open_conversation_id)
                .and_then(|tabs| tabs.iter_mut().find(|tab| tab.tab_id == body.tab_id))
                .ok_or_else(|| {
                    Refusal::BadParameter(format!("tabId `{}` not found", body.tab_id))
                })?;
            if let Some(title) = &body.title {
                if title.trim().is_empty() {
                    return Err(Refusal::BadParameter("title is empty".into()));
                }
                tab.title = title.clone();
            }
            if body.pc_url.is_some() {
                tab.pc_url = body.pc_url.clone();
            }
            if body.mobile_url.is_some() {
                tab.mobile_url = body.mobile_url.clone();
            }
            if body.user_editable.is_some() {
                tab.user_editable = body.user_editable;
            }
            Ok(())
        })
        .await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/convNavTabs/delete`: every id must be the group's.
pub async fn delete(
    State(state): State<AppState>,
    call: Api<DeleteTabsRequest>,
) -> Result<Json<SuccessBody>, ApiError> {
    let body = call.body;
    if body.tab_ids.is_empty() {
        return Err(ApiError(Refusal::MissingParameter("tabIds".into())));
    }
    state
        .store
        .write(|world| {
            world.active_group(&body.open_conversation_id)?;
            let tabs = world
                .tabs
                .entry(body.open_conversation_id.clone())
                .or_default();
            if let Some(unknown) = body
                .tab_ids
                .iter()
                .find(|id| !tabs.iter().any(|tab| &tab.tab_id == *id))
            {
                return Err(Refusal::BadParameter(format!(
                    "tabId `{unknown}` not found"
                )));
            }
            tabs.retain(|tab| !body.tab_ids.contains(&tab.tab_id));
            Ok(())
        })
        .await?;
    Ok(Json(SuccessBody { success: true }))
}

/// `POST /v1.0/im/convNavTabs/list`.
pub async fn list(
    State(state): State<AppState>,
    call: Api<ListTabsRequest>,
) -> Result<Json<ListTabsResponse>, ApiError> {
    let body = call.body;
    let tabs = state.store.read(|world| {
        world.active_group(&body.open_conversation_id)?;
        Ok::<_, Refusal>(
            world
                .tabs
                .get(&body.open_conversation_id)
                .cloned()
                .unwrap_or_default(),
        )
    })?;
    Ok(Json(ListTabsResponse {
        result: TabList {
            conv_nav_tab_infos: tabs,
        },
        success: true,
    }))
}
