//! Group tabs (`/v1.0/im/convNavTabs/*`): the editable alternative to plugins. Adding is not
//! idempotent (a resend makes a second tab); update, delete and list are.

use std::future::Future;

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::retry::Idempotency;
use crate::model::wire::SuccessBody;
use crate::model::wire::tabs::{
    AddTabRequest, AddTabResponse, DeleteTabsRequest, ListTabsRequest, ListTabsResponse, TabInfo,
    UpdateTabRequest,
};

/// A tab's content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tab {
    /// Title.
    pub title: String,
    /// Where it opens on the PC client.
    pub pc_url: Option<String>,
    /// Where it opens on mobile.
    pub mobile_url: Option<String>,
}

/// A tab in a group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveTab {
    /// Its id.
    pub tab_id: String,
    /// What it shows.
    pub tab: Tab,
}

/// Tab calls.
pub trait TabsApi: Send + Sync {
    /// Add a tab; returns its id. Not resent after an ambiguous failure.
    fn add_tab(
        &self,
        open_conversation_id: &str,
        tab: &Tab,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;

    /// Change a tab in place.
    fn update_tab(
        &self,
        open_conversation_id: &str,
        tab_id: &str,
        tab: &Tab,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Remove tabs.
    fn delete_tabs(
        &self,
        open_conversation_id: &str,
        tab_ids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The group's tabs, in order.
    fn list_tabs(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LiveTab>, ApiError>> + Send;
}

impl TabsApi for HttpClient {
    fn add_tab(
        &self,
        open_conversation_id: &str,
        tab: &Tab,
    ) -> impl Future<Output = Result<String, ApiError>> + Send {
        let body = AddTabRequest {
            open_conversation_id: open_conversation_id.to_owned(),
            title: tab.title.clone(),
            pc_url: tab.pc_url.clone(),
            mobile_url: tab.mobile_url.clone(),
            user_editable: None,
        };
        let call =
            Call::post("/v1.0/im/convNavTabs/add", body).idempotency(Idempotency::NotIdempotent);
        async move { Ok(self.call::<AddTabResponse>(call).await?.result.tab_id) }
    }

    fn update_tab(
        &self,
        open_conversation_id: &str,
        tab_id: &str,
        tab: &Tab,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = UpdateTabRequest {
            open_conversation_id: open_conversation_id.to_owned(),
            tab_id: tab_id.to_owned(),
            title: Some(tab.title.clone()),
            pc_url: tab.pc_url.clone(),
            mobile_url: tab.mobile_url.clone(),
            user_editable: None,
        };
        let call = Call::post("/v1.0/im/convNavTabs/update", body);
        async move { self.call::<SuccessBody>(call).await.map(drop) }
    }

    fn delete_tabs(
        &self,
        open_conversation_id: &str,
        tab_ids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = DeleteTabsRequest {
            open_conversation_id: open_conversation_id.to_owned(),
            tab_ids: tab_ids.to_vec(),
        };
        let call = Call::post("/v1.0/im/convNavTabs/delete", body);
        async move { self.call::<SuccessBody>(call).await.map(drop) }
    }

    fn list_tabs(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LiveTab>, ApiError>> + Send {
        let body = ListTabsRequest {
            open_conversation_id: open_conversation_id.to_owned(),
        };
        let call = Call::post("/v1.0/im/convNavTabs/list", body);
        async move {
            let answer: ListTabsResponse = self.call(call).await?;
            Ok(answer
                .result
                .conv_nav_tab_infos
                .into_iter()
                .map(|info: TabInfo| LiveTab {
                    tab_id: info.tab_id,
                    tab: Tab {
                        title: info.title,
                        pc_url: info.pc_url,
                        mobile_url: info.mobile_url,
                    },
                })
                .collect())
        }
    }
}
