//! Group plugins (`plugin-immutable`): installing one into a group and listing them work;
//! every other call under `/v1.0/coolApp/shortcuts/plugins/` (uninstall, edits) is refused,
//! as plugins can be neither edited nor deleted.

use axum::Json;
use axum::extract::{Path, State};

use super::AppState;
use super::error::Refusal;
use super::host::{Api, ApiError};
use super::world::InstalledPlugin;
use crate::model::wire::plugin::*;

/// `POST /v1.0/coolApp/shortcuts/plugins/install` (installing one already there is a no-op).
pub async fn install(
    State(state): State<AppState>,
    call: Api<InstallPluginRequest>,
) -> Result<Json<InstallPluginResponse>, ApiError> {
    let body = call.body;
    if body.operate_cool_app_code.trim().is_empty() {
        return Err(Refusal::MissingParameter("operateCoolAppCode".to_owned()).into());
    }
    state
        .store
        .write(|world| {
            let now = world.now();
            let name = world
                .seed
                .plugins
                .iter()
                .find(|plugin| plugin.cool_app_code == body.operate_cool_app_code)
                .map(|plugin| plugin.name.clone())
                .unwrap_or_else(|| body.operate_cool_app_code.clone());
            world.active_group(&body.conversation_id)?;
            let group = world
                .groups
                .get_mut(&body.conversation_id)
                .expect("checked just above");
            if !group
                .plugins
                .iter()
                .any(|plugin| plugin.cool_app_code == body.operate_cool_app_code)
            {
                group.plugins.push(InstalledPlugin {
                    cool_app_code: body.operate_cool_app_code.clone(),
                    name,
                    installed_at: now,
                });
            }
            Ok(())
        })
        .await?;
    Ok(Json(InstallPluginResponse {
        success: true,
        result: "success".to_owned(),
    }))
}

/// Any other `/v1.0/coolApp/shortcuts/plugins/{operation}` (uninstall, order, edits): refused.
/// The shortcut `query` is not emulated (use `installedInConversation/query`).
pub async fn refuse_change(
    Path(operation): Path<String>,
    _call: Api<serde_json::Value>,
) -> Result<Json<InstallPluginResponse>, ApiError> {
    if operation == "query" {
        return Err(Refusal::NoSuchApi(format!(
            "POST /v1.0/coolApp/shortcuts/plugins/{operation}"
        ))
        .into());
    }
    Err(Refusal::PluginImmutable.into())
}

/// `POST /v1.0/coolApp/installedInConversation/query`.
pub async fn installed(
    State(state): State<AppState>,
    call: Api<InstalledPluginsRequest>,
) -> Result<Json<InstalledPluginsResponse>, ApiError> {
    let cool_apps = state.store.read(|world| {
        let group = world.active_group(&call.body.open_conversation_id)?;
        Ok::<_, Refusal>(
            group
                .plugins
                .iter()
                .map(|plugin| InstalledCoolApp {
                    cool_app_code: plugin.cool_app_code.clone(),
                    cool_app_name: plugin.name.clone(),
                })
                .collect(),
        )
    })?;
    Ok(Json(InstalledPluginsResponse {
        result: InstalledCoolApps { cool_apps },
    }))
}
