//! [`DingTalkApi`], everything plan, apply, import and notify need from DingTalk.
//!
//! It is the union of one trait per concept (scene groups, ordinary groups, bots and plugins,
//! messages, media, directory), each defined and implemented next to its calls. Code generic
//! over `A: DingTalkApi` can call every method; code holding a concrete [`HttpClient`]
//! imports the traits it uses (or `use dingform::provider::*`).
//!
//! Methods return `impl Future + Send`, not `async fn`, so that callers can spawn them.
//!
//! [`HttpClient`]: super::HttpClient

pub use super::chat::{CHAT_MEMBER_CHUNK, ChatApi, GroupUpdate, NewGroup};
pub use super::directory::DirectoryApi;
pub use super::message::{BotMessage, MessageApi, WorkNotification};
pub use super::robot::{PluginInstall, RobotApi};
pub use super::scene_group::{
    ADMIN_CHUNK, MEMBER_CHUNK, MEMBER_PAGE, NewSceneGroup, SceneGroupApi, SceneGroupUpdate,
};
pub use super::tabs::TabsApi;
pub use super::template::TemplateApi;

/// What plan, apply, import and notify need from DingTalk.
pub trait DingTalkApi:
    SceneGroupApi + ChatApi + RobotApi + MessageApi + DirectoryApi + TemplateApi + TabsApi + Send + Sync
{
}

impl<T> DingTalkApi for T where
    T: SceneGroupApi
        + ChatApi
        + RobotApi
        + MessageApi
        + DirectoryApi
        + TemplateApi
        + TabsApi
        + Send
        + Sync
{
}
