//! The organization's scene-group templates, from the seed: api
//! `GET /v1.0/im/chats/sceneGroups/templates/lists?pageNumber=&pageSize=` (SDK `im_1_0`
//! `list_group_templates_by_org_id`). Templates are made in the Developer Console; a create
//! naming one that is not listed here is refused with `groupTemplate.notFound` / 665036
//! (`unknown-template`).

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::error::Refusal;
use super::host::{Api, ApiError};
use crate::model::wire::template::{ListTemplatesQuery, ListTemplatesResponse, TemplateModel};

/// Largest page the emulator serves.
const MAX_PAGE: i64 = 100;

/// `GET /v1.0/im/chats/sceneGroups/templates/lists`.
pub async fn list(
    State(state): State<AppState>,
    call: Api<ListTemplatesQuery>,
) -> Result<Json<ListTemplatesResponse>, ApiError> {
    let page = call.body.page_number.unwrap_or(1);
    let size = call.body.page_size.unwrap_or(20);
    if page < 1 {
        return Err(Refusal::BadParameter("pageNumber starts at 1".to_owned()).into());
    }
    if !(1..=MAX_PAGE).contains(&size) {
        return Err(Refusal::BadParameter(format!("pageSize must be 1 to {MAX_PAGE}")).into());
    }
    let templates = state
        .store
        .read(|world| world.seed.scene_group_templates.clone());
    let models = templates
        .iter()
        .skip(((page - 1) * size) as usize)
        .take(size as usize)
        .map(|template| TemplateModel {
            template_id: template.id.clone(),
            template_name: template.name.clone(),
            ..TemplateModel::default()
        })
        .collect();
    Ok(Json(ListTemplatesResponse {
        count: templates.len() as i64,
        scene_group_detail_models: models,
        success: true,
    }))
}
