//! Scene-group templates of the organization: api `GET /v1.0/im/chats/sceneGroups/templates/lists`
//! (SDK `im_1_0` `list_group_templates_by_org_id`, "查组织下所有的场景群模版列表").

use serde::{Deserialize, Serialize};

use super::lenient;

/// Query of the template list (GET parameters arrive as strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTemplatesQuery {
    /// Page, from 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub page_number: Option<i64>,
    /// Page size.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub page_size: Option<i64>,
}

/// One template, as the SDK's `SceneGroupDetailModels` names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TemplateModel {
    /// Template id (what `template_id` of a create names).
    pub template_id: String,
    /// Name shown in the console.
    pub template_name: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Icon.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub icon: String,
    /// Creation time.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gmt_create: String,
}

/// Answer of the template list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListTemplatesResponse {
    /// Templates in the organization (all pages).
    pub count: i64,
    /// This page.
    pub scene_group_detail_models: Vec<TemplateModel>,
    /// Whether the call succeeded.
    pub success: bool,
}
