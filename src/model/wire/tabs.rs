//! Group tabs (会话导航栏): api `POST /v1.0/im/convNavTabs/add|update|delete|list`
//! (`alibabacloud-dingtalk` `im_1_0`: `add_conv_nav_tab`, `update_conv_nav_tab`,
//! `delete_conv_nav_tab`, `list_conv_nav_tab`). Unlike plugins, tabs can be edited and
//! removed.

use serde::{Deserialize, Serialize};

/// Body of `convNavTabs/add`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddTabRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The tab's title.
    pub title: String,
    /// Where it opens on the PC client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_url: Option<String>,
    /// Where it opens on mobile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_url: Option<String>,
    /// Whether members may edit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_editable: Option<bool>,
}

/// `result` of `convNavTabs/add`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TabIdResult {
    /// The new tab's id.
    pub tab_id: String,
}

/// Answer of `convNavTabs/add`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddTabResponse {
    /// The tab.
    pub result: TabIdResult,
    /// Whether it worked.
    pub success: bool,
}

/// Body of `convNavTabs/update`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTabRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The tab.
    pub tab_id: String,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New PC URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_url: Option<String>,
    /// New mobile URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_url: Option<String>,
    /// Whether members may edit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_editable: Option<bool>,
}

/// Body of `convNavTabs/delete`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTabsRequest {
    /// The group.
    pub open_conversation_id: String,
    /// The tabs.
    pub tab_ids: Vec<String>,
}

/// Body of `convNavTabs/list`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTabsRequest {
    /// The group.
    pub open_conversation_id: String,
}

/// One tab as `convNavTabs/list` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TabInfo {
    /// Its id.
    pub tab_id: String,
    /// Title.
    pub title: String,
    /// PC URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pc_url: Option<String>,
    /// Mobile URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_url: Option<String>,
    /// Kind of tab.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub tab_type: Option<String>,
    /// Whether members may edit it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_editable: Option<bool>,
}

/// `result` of `convNavTabs/list`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TabList {
    /// The tabs, in order.
    pub conv_nav_tab_infos: Vec<TabInfo>,
}

/// Answer of `convNavTabs/list`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListTabsResponse {
    /// The tabs.
    pub result: TabList,
    /// Whether it worked.
    pub success: bool,
}
