//! Bots in groups (add, remove, list, a bot's groups) and group plugins (cool apps). No API
//! creates a bot or a plugin: both are made in the Developer Console.

use std::future::Future;

use serde::Deserialize;
use serde_json::{Value, json};

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::lenient;
use crate::model::live::{LiveBot, LivePlugin};

/// Groups per page when listing a bot's groups.
const BOT_GROUPS_PAGE: u32 = 100;

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

// TODO(wire): move to model::wire.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BotInstance {
    #[serde(default)]
    robot_code: String,
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    open_robot_type: Option<i64>,
}

impl RobotApi for HttpClient {
    fn add_bot(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
    ) -> impl Future<Output = Result<String, ApiError>> + Send {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            chat_bot_user_id: String,
        }
        // Adding a bot that is already there converges: safe to resend.
        let call = Call::post(
            "/v1.0/im/conversations/robots",
            json!({ "openConversationId": open_conversation_id, "robotCode": robot_code }),
        );
        async move { Ok(self.call::<Answer>(call).await?.chat_bot_user_id) }
    }

    fn remove_bot(
        &self,
        open_conversation_id: &str,
        chat_bot_user_id: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let call = Call::post(
            "/v1.0/im/conversations/robots/remove",
            json!({ "openConversationId": open_conversation_id, "chatBotUserId": chat_bot_user_id }),
        );
        async move { self.call_value(&call).await.map(drop) }
    }

    fn list_bots(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LiveBot>, ApiError>> + Send {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            #[serde(default, rename = "chatbotInstanceVOList")]
            chatbot_instance_vo_list: Vec<BotInstance>,
        }
        let call = Call::post(
            "/v1.0/robot/groups/robots/query",
            json!({ "openConversationId": open_conversation_id }),
        );
        async move {
            let answer: Answer = self.call(call).await?;
            let mut bots: Vec<LiveBot> = answer
                .chatbot_instance_vo_list
                .into_iter()
                .map(|bot| LiveBot {
                    robot_code: bot.robot_code,
                    name: bot.name,
                    open_robot_type: bot.open_robot_type,
                })
                .collect();
            bots.sort_by(|a, b| a.robot_code.cmp(&b.robot_code));
            Ok(bots)
        }
    }

    fn bot_groups(
        &self,
        robot_code: &str,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default, deserialize_with = "lenient::string_list")]
            open_conversation_ids: Vec<String>,
        }
        let robot_code = robot_code.to_string();
        async move {
            let mut groups = Vec::new();
            for page_number in 1.. {
                let call = Call::post(
                    "/v1.0/robot/groups/query",
                    json!({ "robotCode": robot_code, "pageNumber": page_number, "pageSize": BOT_GROUPS_PAGE }),
                );
                let page: Page = self.call(call).await?;
                let count = page.open_conversation_ids.len();
                groups.extend(page.open_conversation_ids);
                if count < BOT_GROUPS_PAGE as usize {
                    break;
                }
            }
            groups.sort();
            groups.dedup();
            Ok(groups)
        }
    }

    fn install_plugin(
        &self,
        install: &PluginInstall,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let call = Call::post(
            "/v1.0/coolApp/shortcuts/plugins/install",
            json!({
                "conversationId": install.open_conversation_id,
                "operateCoolAppCode": install.cool_app_code,
                "operatorId": install.operator,
                "templateId": install.template_id,
            }),
        );
        async move { self.call_value(&call).await.map(drop) }
    }

    fn list_plugins(
        &self,
        open_conversation_id: &str,
    ) -> impl Future<Output = Result<Vec<LivePlugin>, ApiError>> + Send {
        let call = Call::post(
            "/v1.0/coolApp/installedInConversation/query",
            json!({ "openConversationId": open_conversation_id }),
        );
        async move {
            let answer = self.call_value(&call).await?;
            let apps = answer
                .pointer("/result/coolApps")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut plugins: Vec<LivePlugin> = apps
                .iter()
                .filter_map(|app| {
                    let code = app
                        .get("coolAppCode")
                        .or_else(|| app.get("code"))?
                        .as_str()?;
                    Some(LivePlugin {
                        cool_app_code: code.to_string(),
                        name: app.get("name").and_then(Value::as_str).map(String::from),
                    })
                })
                .collect();
            plugins.sort_by(|a, b| a.cool_app_code.cmp(&b.cool_app_code));
            Ok(plugins)
        }
    }
}
