//! Group plugins and cool apps. No API creates, edits or deletes a plugin (`plugin-immutable`);
//! installing one into a group and listing them are what exist.

use serde::{Deserialize, Serialize};

/// api `POST /v1.0/coolApp/shortcuts/plugins/install` (SDK `install_cool_app_to_group`) and
/// `/uninstall` (refused: plugins cannot be deleted), camelCase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallPluginRequest {
    /// The group's open conversation id.
    pub conversation_id: String,
    /// The plugin (cool app) code.
    pub operate_cool_app_code: String,
    /// The userId doing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    /// The group's template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
}

/// Answer of install/uninstall.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstallPluginResponse {
    /// Whether it worked.
    pub success: bool,
    /// A result code.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub result: String,
}

/// api `POST /v1.0/coolApp/installedInConversation/query` (SDK
/// `query_installed_cool_apps_in_conversation`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledPluginsRequest {
    /// The group.
    pub open_conversation_id: String,
}

/// One installed cool app.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstalledCoolApp {
    /// Its code.
    pub cool_app_code: String,
    /// Its name (≤4 characters for a plugin).
    pub cool_app_name: String,
}

/// `result` of the installed query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstalledCoolApps {
    /// The apps.
    pub cool_apps: Vec<InstalledCoolApp>,
}

/// Answer of `POST /v1.0/coolApp/installedInConversation/query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstalledPluginsResponse {
    /// The list.
    pub result: InstalledCoolApps,
}
