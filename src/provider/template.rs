//! The organization's scene-group templates (`unknown-template`): api
//! `GET /v1.0/im/chats/sceneGroups/templates/lists`, every page. Templates are made in the
//! Developer Console; no API creates one.

use std::future::Future;

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use crate::model::wire::template::ListTemplatesResponse;

/// Templates per page.
const TEMPLATE_PAGE: i64 = 100;

/// Template calls.
pub trait TemplateApi: Send + Sync {
    /// Ids of every scene-group template of the organization.
    fn list_templates(&self) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;
}

impl TemplateApi for HttpClient {
    async fn list_templates(&self) -> Result<Vec<String>, ApiError> {
        let mut ids = Vec::new();
        for page in 1.. {
            let call = Call::get("/v1.0/im/chats/sceneGroups/templates/lists")
                .query("pageNumber", page)
                .query("pageSize", TEMPLATE_PAGE);
            let answer: ListTemplatesResponse = self.call(call).await?;
            let got = answer.scene_group_detail_models.len();
            ids.extend(
                answer
                    .scene_group_detail_models
                    .into_iter()
                    .map(|model| model.template_id),
            );
            if got < TEMPLATE_PAGE as usize || ids.len() as i64 >= answer.count {
                break;
            }
        }
        Ok(ids)
    }
}
