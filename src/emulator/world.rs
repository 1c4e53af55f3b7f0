//! The emulator's whole state: the seed, the clock offset, the directory's departures, tokens,
//! groups, messages and the counters behind the daily limits. Serializable: it is what the
//! data file holds. Operations live next to their concept (`scene_group.rs`, `chat.rs`, …).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock::{self, Millis};
use super::seed::Seed;

/// The whole state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct World {
    /// Format of the data file.
    pub format_version: u32,
    /// The organization.
    pub seed: Seed,
    /// Emulator clock offset over real time.
    pub clock_offset_seconds: i64,
    /// Departed users: userid → when they left.
    pub departed: BTreeMap<String, Millis>,
    /// Access tokens (secrets: never in `GET state`).
    pub tokens: BTreeMap<String, TokenRecord>,
    /// Groups by open conversation id.
    pub groups: BTreeMap<String, Group>,
    /// Accepted send requests, oldest first.
    pub messages: Vec<Message>,
    /// Uploaded media (metadata only).
    pub media: Vec<Media>,
    /// Counters for ids.
    pub next_task_id: i64,
    /// Work notifications per `app|user|day`: count and content fingerprints.
    pub daily: BTreeMap<String, DailyDeliveries>,
    /// `to_all_user` sends per `app|day`.
    pub to_all_daily: BTreeMap<String, u32>,
    /// Recipients delivered per `app|minute` (the 5,000-a-minute throttle).
    pub per_minute: BTreeMap<String, usize>,
    /// Custom robots people added to groups (`POST /_emulator/webhooks`).
    #[serde(default)]
    pub custom_robots: Vec<super::webhook::CustomRobot>,
    /// Group tabs by open conversation id, in order.
    #[serde(default)]
    pub tabs: BTreeMap<String, Vec<crate::model::wire::tabs::TabInfo>>,
}

/// Current data-file format.
pub const FORMAT_VERSION: u32 = 1;

/// An access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The app it was issued to.
    pub app_key: String,
    /// Expiry, by the emulator clock.
    pub expires_at: Millis,
}

/// What DingTalk offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// 场景群, from a template.
    Scene,
    /// 企业群 (`conversationTag` 2): drops departed members.
    Internal,
    /// 普通群 (`conversationTag` 0): keeps departed members.
    Standard,
}

/// A group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Group {
    /// scene | internal | standard.
    pub kind: GroupKind,
    /// Open conversation id.
    pub open_conversation_id: String,
    /// Chat id.
    pub chat_id: String,
    /// Title.
    pub title: String,
    /// Owner's userId.
    pub owner: String,
    /// Members, owner included, in joining order.
    pub members: Vec<String>,
    /// Sub-admins.
    pub admins: Vec<String>,
    /// Scene-group template.
    pub template_id: Option<String>,
    /// Creation uuid (idempotency key).
    pub uuid: Option<String>,
    /// Avatar.
    pub icon: Option<String>,
    /// Settings (snake_case names, 0/1).
    pub settings: BTreeMap<String, i64>,
    /// False once disbanded.
    pub active: bool,
    /// When created.
    pub created_at: Millis,
    /// The current join URL.
    pub group_url: String,
    /// When it was issued (valid 365 days).
    pub group_url_issued_at: Millis,
    /// Join URLs that stopped working (owner/title/settings change, or age).
    pub expired_group_urls: Vec<String>,
    /// Bots in the group.
    pub bots: Vec<GroupBot>,
    /// Installed plugins (never edited nor removed).
    pub plugins: Vec<InstalledPlugin>,
}

/// A bot in a group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GroupBot {
    /// robotCode.
    pub robot_code: String,
    /// The bot's member id in this group.
    pub chat_bot_user_id: String,
    /// The webhook token, issued on add (`webhook-token-after-join`; a secret).
    pub webhook_token: String,
    /// When added.
    pub added_at: Millis,
    /// Recent webhook sends (for 20 a minute).
    #[serde(default)]
    pub webhook_sends: Vec<Millis>,
    /// Throttled until (10 minutes after going over).
    #[serde(default)]
    pub throttled_until: Millis,
}

/// A plugin installed in a group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InstalledPlugin {
    /// coolAppCode.
    pub cool_app_code: String,
    /// Name.
    pub name: String,
    /// When installed.
    pub installed_at: Millis,
}

/// What was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A work notification (asyncsend_v2).
    WorkNotification,
    /// `/v1.0/robot/groupMessages/send`.
    Bot,
    /// The webhook `/robot/send`.
    Webhook,
}

/// One accepted send request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Message {
    /// Which channel.
    pub kind: MessageKind,
    /// When accepted.
    pub at: Millis,
    /// The sending app.
    pub app_key: Option<String>,
    /// The content as sent (`msg`, `{msgKey, msgParam}` or the webhook body).
    pub content: serde_json::Value,
    /// Who it was addressed to (userIds; a group's members for bot messages).
    pub recipients: Vec<String>,
    /// The group, for bot messages.
    pub open_conversation_id: Option<String>,
    /// The bot.
    pub robot_code: Option<String>,
    /// Bot message key.
    pub process_query_key: Option<String>,
    /// Recalled.
    pub recalled: bool,
    /// Work-notification delivery.
    pub task: Option<Task>,
}

/// A work-notification task's delivery.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Task {
    /// task_id.
    pub task_id: i64,
    /// agent_id.
    pub agent_id: i64,
    /// Recipients accepted for delivery, each with the time it is delivered (later than the
    /// send when the 5,000-a-minute throttle defers it).
    pub deliveries: Vec<Delivery>,
    /// Unknown or departed userIds.
    pub invalid_user_ids: Vec<String>,
    /// Unknown department ids.
    pub invalid_dept_ids: Vec<i64>,
    /// Over a limit: per user, with the platform's code.
    pub forbidden: Vec<Forbidden>,
    /// Delivery failed (injected by the `delivery_failure_rate` fault): resend.
    pub failed_user_ids: Vec<String>,
    /// OA status bar now shown.
    pub status_bar: Option<serde_json::Value>,
}

/// A delivery.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Delivery {
    /// userId.
    pub userid: String,
    /// When delivered.
    pub at: Millis,
}

/// A recipient over a limit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Forbidden {
    /// userId.
    pub userid: String,
    /// 143105 daily limit, 143106 same content today.
    pub code: String,
    /// Messages already sent to them today.
    pub count: i64,
}

/// Work notifications to one user in one day.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DailyDeliveries {
    /// Delivered count.
    pub count: u32,
    /// Fingerprints of the content delivered.
    pub contents: Vec<String>,
}

/// Uploaded media.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Media {
    /// media_id.
    pub media_id: String,
    /// image | voice | video | file.
    pub media_type: String,
    /// File name as uploaded.
    pub file_name: String,
    /// Bytes.
    pub size: usize,
    /// Pixel size of images.
    pub dimensions: Option<(usize, usize)>,
    /// When.
    pub created_at: Millis,
}

impl World {
    /// A fresh world for a seed: users the seed marks inactive are departed as of now.
    pub fn new(seed: Seed, now: Millis) -> Self {
        let departed = seed
            .users
            .iter()
            .filter(|user| !user.active)
            .map(|user| (user.userid.clone(), now))
            .collect();
        let groups = seed
            .groups
            .iter()
            .map(|seeded| {
                let members = std::iter::once(seeded.owner.clone())
                    .chain(seeded.members.iter().cloned())
                    .chain(seeded.admins.iter().cloned())
                    .fold(Vec::new(), |mut members: Vec<String>, id| {
                        if !members.contains(&id) {
                            members.push(id);
                        }
                        members
                    });
                let group = Group {
                    kind: seeded.kind,
                    open_conversation_id: seeded.open_conversation_id.clone(),
                    chat_id: seeded.chat_id.clone(),
                    title: seeded.title.clone(),
                    owner: seeded.owner.clone(),
                    members,
                    admins: seeded.admins.clone(),
                    template_id: seeded.template_id.clone(),
                    uuid: None,
                    icon: None,
                    settings: BTreeMap::new(),
                    active: true,
                    created_at: now,
                    group_url: super::group::new_group_url(),
                    group_url_issued_at: now,
                    expired_group_urls: Vec::new(),
                    bots: Vec::new(),
                    plugins: Vec::new(),
                };
                (seeded.open_conversation_id.clone(), group)
            })
            .collect();
        Self {
            format_version: FORMAT_VERSION,
            seed,
            clock_offset_seconds: 0,
            departed,
            tokens: BTreeMap::new(),
            groups,
            messages: Vec::new(),
            media: Vec::new(),
            next_task_id: 1_000_001,
            daily: BTreeMap::new(),
            to_all_daily: BTreeMap::new(),
            per_minute: BTreeMap::new(),
            custom_robots: Vec::new(),
            tabs: BTreeMap::new(),
        }
    }

    /// The emulator time now.
    pub fn now(&self) -> Millis {
        clock::now_ms(self.clock_offset_seconds)
    }

    /// Whether a userid is a current member of the organization.
    pub fn is_active_user(&self, userid: &str) -> bool {
        self.seed.users.iter().any(|user| user.userid == userid)
            && !self.departed.contains_key(userid)
    }

    /// The group with this open conversation id.
    pub fn group(&self, open_conversation_id: &str) -> Option<&Group> {
        self.groups.get(open_conversation_id)
    }

    /// The open conversation id of a chat id.
    pub fn open_conversation_id_of(&self, chat_id: &str) -> Option<String> {
        self.groups
            .values()
            .find(|group| group.chat_id == chat_id)
            .map(|group| group.open_conversation_id.clone())
    }
}

/// A random id of `len` alphanumeric characters.
pub fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A secret token (access or webhook): 32 hex characters.
pub fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
