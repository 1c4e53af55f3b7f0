//! Bots in groups (add, remove, list, a bot's groups) and group plugins (cool apps). No API
//! creates a bot or a plugin: both are made in the Developer Console.

use std::future::Future;

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use crate::model::live::{LiveBot, LivePlugin};
use crate::model::wire::plugin::{
    InstallPluginRequest, InstallPluginResponse, InstalledPluginsRequest, InstalledPluginsResponse,
};
use crate::model::wire::robot::{
    AddRobotRequest, BotGroupsRequest, BotGroupsResponse, BotListInGroupRequest,
    BotListInGroupResponse, ChatBotUserIdResponse, RemoveRobotRequest,
};

/// Groups per page when listing a bot's groups.
const BOT_GROUPS_PAGE: i64 = 100;

/// A plugin (cool-app shortcut) to install in a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginInstall {
    /// The group's open conversation id.
    pub open_conversation_id: String,
    /// The cool app's code.
    pub cool_app_code: String,
    /// Who installs it (a userid).
    pub operator: String,
    /// The scene-group template it belongs to.
    pub template_id: String,
}

/// Bot and plugin calls.
pub trait RobotApi: Send + Sync {
    /// Add a bot to a group; returns its `chatBotUserId` in that group.
    fn add_bot(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;

    /// Remove a bot (by its `chatBotUserId`) from a group.
    fn remove_bot(
        &self,
        open_conversation_id: &str,
        chat_bot_user_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Bots in a group.
    fn list_bots(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LiveBot>, ApiError>> + Send;

    /// Open conversation ids of the groups a bot is in (every page).
    fn bot_groups(
        &self,
        robot_code: &str,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;

    /// Install a plugin in a group.
    fn install_plugin(
        &self,
        install: &PluginInstall,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Cool apps installed in a group.
    fn list_plugins(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LivePlugin>, ApiError>> + Send;
}

impl RobotApi for HttpClient {
    fn add_bot(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send {
        let body = AddRobotRequest {
            open_conversation_id: open_conversation_id.to_string(),
            robot_code: robot_code.to_string(),
            name: None,
            icon: None,
        };
        // Adding a bot that is already there converges: safe to resend.
        let call = Call::post("/v1.0/im/conversations/robots", body);
        async move {
            Ok(self
                .call::<ChatBotUserIdResponse>(call)
                .await?
                .chat_bot_user_id)
        }
    }

    fn remove_bot(
        &self,
        open_conversation_id: &str,
        chat_bot_user_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = RemoveRobotRequest {
            open_conversation_id: open_conversation_id.to_string(),
            chat_bot_user_id: chat_bot_user_id.to_string(),
        };
        let call = Call::post("/v1.0/im/conversations/robots/remove", body);
        async move { self.call_value(&call).await.map(drop) }
    }

    fn list_bots(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LiveBot>, ApiError>> + Send {
        let body = BotListInGroupRequest {
            open_conversation_id: open_conversation_id.to_string(),
        };
        let call = Call::post("/v1.0/robot/groups/robots/query", body);
        async move {
            let answer: BotListInGroupResponse = self.call(call).await?;
            let mut bots: Vec<LiveBot> = answer
                .chatbot_instance_vo_list
                .into_iter()
                .map(|bot| LiveBot {
                    robot_code: bot.robot_code,
                    name: bot.name,
                    open_robot_type: Some(bot.open_robot_type),
                })
                .collect();
            bots.sort_by(|a, b| a.robot_code.cmp(&b.robot_code));
            Ok(bots)
        }
    }

    async fn bot_groups(&self, robot_code: &str) -> Result<Vec<String>, ApiError> {
        let mut groups = Vec::new();
        for page_number in 1.. {
            let body = BotGroupsRequest {
                robot_code: robot_code.to_string(),
                page_number,
                page_size: BOT_GROUPS_PAGE,
            };
            let page: BotGroupsResponse = self
                .call(Call::post("/v1.0/robot/groups/query", body))
                .await?;
            let count = page.open_conversation_ids.len();
            groups.extend(page.open_conversation_ids);
            if !page.has_more || count == 0 {
                break;
            }
        }
        groups.sort();
        groups.dedup();
        Ok(groups)
    }

    fn install_plugin(
        &self,
        install: &PluginInstall,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = InstallPluginRequest {
            conversation_id: install.open_conversation_id.clone(),
            operate_cool_app_code: install.cool_app_code.clone(),
            operator_id: Some(install.operator.clone()),
            template_id: Some(install.template_id.clone()),
        };
        let call = Call::post("/v1.0/coolApp/shortcuts/plugins/install", body);
        async move { self.call::<InstallPluginResponse>(call).await.map(drop) }
    }

    fn list_plugins(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LivePlugin>, ApiError>> + Send {
        let body = InstalledPluginsRequest {
            open_conversation_id: open_conversation_id.to_string(),
        };
        let call = Call::post("/v1.0/coolApp/installedInConversation/query", body);
        async move {
            let answer: InstalledPluginsResponse = self.call(call).await?;
            let mut plugins: Vec<LivePlugin> = answer
                .result
                .cool_apps
                .into_iter()
                .map(|app| LivePlugin {
                    cool_app_code: app.cool_app_code,
                    name: Some(app.cool_app_name).filter(|name| !name.is_empty()),
                })
                .collect();
            plugins.sort_by(|a, b| a.cool_app_code.cmp(&b.cool_app_code));
            Ok(plugins)
        }
    }
}
