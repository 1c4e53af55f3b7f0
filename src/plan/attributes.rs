//! The normalized attributes of each kind of resource: the one shape in which desired (from
//! the manifests), live (from DingTalk) and last-applied (from state) are compared, stored in
//! a plan's `before`/`after`, and read back by `apply`.
//!
//! Settings use the manifest's friendly names (`join_validation`, `mention_all`); the table
//! [`SETTINGS`] maps each to the platform's 0/1 switch, both ways.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::live::{self, LiveGroup};
use crate::model::{Bot, Group, GroupType, Notification};

/// A group as dingform compares it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupAttributes {
    /// `scene`, `internal` or `standard`.
    #[serde(rename = "type")]
    pub group_type: String,
    /// The group's name.
    pub title: String,
    /// Scene groups: the console template it is made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// userId of the owner.
    pub owner: String,
    /// userIds of the admins.
    #[serde(default)]
    pub admins: Vec<String>,
    /// userIds of every member, the owner and admins included (as DingTalk lists them).
    #[serde(default)]
    pub members: Vec<String>,
    /// Settings by friendly name; only those the manifest sets are managed.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub settings: Map<String, Value>,
    /// Robot codes of the bots in the group.
    #[serde(default)]
    pub bots: Vec<String>,
    /// Plugins by name → URL (installed once, never edited: `plugin-immutable`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins: BTreeMap<String, String>,
    /// Tabs by title → where they open: a URL string when both clients open the same page,
    /// else `{pc_url, mobile_url}` (see [`tab_value`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tabs: BTreeMap<String, Value>,
    /// The group's icon (a media id or URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// How a tab's URLs are compared and shown: one string when PC and mobile agree.
pub fn tab_value(pc_url: Option<&str>, mobile_url: Option<&str>) -> Value {
    match (pc_url, mobile_url) {
        (Some(pc), Some(mobile)) if pc == mobile => Value::from(pc),
        _ => {
            let mut urls = Map::new();
            if let Some(pc) = pc_url {
                urls.insert("pc_url".into(), Value::from(pc));
            }
            if let Some(mobile) = mobile_url {
                urls.insert("mobile_url".into(), Value::from(mobile));
            }
            Value::Object(urls)
        }
    }
}

/// The other way: (PC, mobile) URLs of a tab value.
pub fn tab_urls(value: &Value) -> (Option<String>, Option<String>) {
    match value {
        Value::String(url) => (Some(url.clone()), Some(url.clone())),
        _ => {
            let get = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
            (get("pc_url"), get("mobile_url"))
        }
    }
}

/// One group setting: its manifest name, the platform's switch, and how values map.
pub struct SettingName {
    /// Name in the manifest (`join_validation`).
    pub friendly: &'static str,
    /// The platform's switch (`validation_type`).
    pub wire: &'static str,
    /// Whether the value is `everyone`/`admins` (1 = admins) rather than a boolean.
    pub who: bool,
}

const fn flag(friendly: &'static str, wire: &'static str) -> SettingName {
    SettingName {
        friendly,
        wire,
        who: false,
    }
}

/// Every setting dingform manages, in the platform's terms (`dingtalk-api.md`, settings).
pub const SETTINGS: &[SettingName] = &[
    flag("searchable", "searchable"),
    flag("join_validation", "validation_type"),
    SettingName {
        friendly: "mention_all",
        wire: "mention_all_authority",
        who: true,
    },
    flag("show_history", "show_history_type"),
    SettingName {
        friendly: "management",
        wire: "management_type",
        who: true,
    },
    flag("mute_all", "chat_banned_type"),
    flag("only_admins_can_ding", "only_admin_can_ding"),
    flag("only_admins_can_pin", "only_admin_can_set_msg_top"),
    flag("forbid_adding_friends", "add_friend_forbidden"),
    flag("members_can_message_admins", "members_to_admin_chat"),
    flag("disable_group_email", "group_email_disabled"),
    flag(
        "members_can_create_calendar",
        "all_members_can_create_calendar",
    ),
    flag(
        "members_can_start_meetings",
        "all_members_can_create_mcs_conf",
    ),
    flag("live_stream", "group_live_switch"),
    flag("only_admins_can_add_members", "only_admin_can_add_mem"),
];

/// Friendly settings → the platform's switches.
pub fn settings_to_wire(settings: &Map<String, Value>) -> live::GroupSettings {
    let mut wire = Map::new();
    for name in SETTINGS {
        let switch = match settings.get(name.friendly) {
            Some(Value::Bool(on)) => u8::from(*on),
            Some(Value::String(who)) if name.who => u8::from(who == "admins"),
            _ => continue,
        };
        wire.insert(name.wire.to_owned(), Value::from(switch));
    }
    serde_json::from_value(Value::Object(wire)).unwrap_or_default()
}

/// The platform's switches → friendly settings (unset switches are left out).
pub fn settings_from_wire(settings: &live::GroupSettings) -> Map<String, Value> {
    let mut friendly = Map::new();
    for name in SETTINGS {
        let Some(switch) = settings.switch(name.wire) else {
            continue;
        };
        let value = if name.who {
            Value::from(if switch == 1 { "admins" } else { "everyone" })
        } else {
            Value::from(switch == 1)
        };
        friendly.insert(name.friendly.to_owned(), value);
    }
    friendly
}

impl GroupAttributes {
    /// What the manifest asks for; `robot_codes` resolves bot names, `default_template` is
    /// `defaults.template` of the workspace.
    pub fn desired(
        group: &Group,
        default_template: Option<&str>,
        robot_code: &dyn Fn(&str) -> Option<String>,
    ) -> GroupAttributes {
        let settings = match serde_json::to_value(&group.settings) {
            Ok(Value::Object(settings)) => settings,
            _ => Map::new(),
        };
        GroupAttributes {
            group_type: group.group_type.value.as_str().to_owned(),
            title: group.title.value.clone(),
            template: group
                .effective_template(default_template)
                .map(str::to_owned),
            owner: group.owner.value.clone(),
            admins: sorted(group.admins.iter().map(|a| a.value.clone()).collect()),
            members: sorted(group.all_members().into_iter().map(str::to_owned).collect()),
            settings,
            bots: sorted(
                group
                    .bots
                    .iter()
                    .filter_map(|b| robot_code(&b.value))
                    .collect(),
            ),
            plugins: group
                .plugins
                .iter()
                .map(|p| (p.name.value.clone(), p.url.value.clone()))
                .collect(),
            tabs: group
                .tabs
                .iter()
                .map(|tab| {
                    let (pc, mobile) = tab.urls();
                    (tab.title.value.clone(), tab_value(pc, mobile))
                })
                .collect(),
            icon: group.icon.as_ref().map(|i| i.value.clone()),
        }
    }

    /// What DingTalk says; `bots` and `plugins` come from their own reads. The group's
    /// strings move into the attributes: a group's 50 member ids copied were a fifth of the
    /// plan's allocations (issue 15).
    pub fn live(
        group: LiveGroup,
        bots: &[live::LiveBot],
        plugins: BTreeMap<String, String>,
    ) -> Self {
        GroupAttributes {
            group_type: match group.kind {
                live::GroupKind::Scene => GroupType::Scene,
                live::GroupKind::Internal => GroupType::Internal,
                live::GroupKind::Standard => GroupType::Standard,
            }
            .as_str()
            .to_owned(),
            title: group.title,
            template: group.template_id,
            owner: group.owner,
            admins: sorted(group.admins),
            members: sorted(group.members),
            settings: settings_from_wire(&group.settings),
            bots: sorted(bots.iter().map(|b| b.robot_code.clone()).collect()),
            plugins,
            tabs: BTreeMap::new(),
            icon: group.icon,
        }
    }

    /// The platform's kind of group.
    pub fn kind(&self) -> live::GroupKind {
        match self.group_type.as_str() {
            "internal" => live::GroupKind::Internal,
            "standard" => live::GroupKind::Standard,
            _ => live::GroupKind::Scene,
        }
    }
}

/// A bot as dingform compares it (bots are made in the console; dingform only refers to them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BotAttributes {
    /// The console's robot code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub robot_code: Option<String>,
    /// The bot's display name.
    pub name: String,
    /// Avatar image (path or URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

impl BotAttributes {
    /// What the manifest declares.
    pub fn desired(bot: &Bot) -> BotAttributes {
        BotAttributes {
            robot_code: bot.robot_code.as_ref().map(|c| c.value.clone()),
            name: bot.name.value.clone(),
            avatar: bot.avatar.as_ref().map(|a| a.value.clone()),
        }
    }
}

/// A scheduled notification as registered in state for the runner (`dingform notify`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationAttributes {
    /// Cron expression.
    pub schedule: String,
    /// IANA time zone.
    pub timezone: String,
    /// Delivery, as written in the manifest (`{bot, group}` or `{work_notification}`).
    pub via: Value,
    /// The message, as written in the manifest.
    pub message: Value,
    /// Grace window for late sends, as written (`15m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace: Option<String>,
}

impl NotificationAttributes {
    /// What the manifest declares.
    pub fn desired(notification: &Notification) -> NotificationAttributes {
        NotificationAttributes {
            schedule: notification.schedule.value.clone(),
            timezone: notification.timezone_name().to_owned(),
            via: serde_json::to_value(&notification.via).unwrap_or(Value::Null),
            message: serde_json::to_value(&notification.message).unwrap_or(Value::Null),
            grace: notification.grace.as_ref().map(|g| g.value.clone()),
        }
    }
}

/// `items` sorted, without repeats, in an allocation of their exact size (a plan holds every
/// managed group's lists at once).
fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort_unstable();
    items.dedup();
    items.shrink_to_fit();
    items
}

/// A serializable value as a JSON object (attributes always are).
pub fn to_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{SETTINGS, settings_from_wire};
    use crate::model::live::GroupSettings;

    /// Every managed setting's wire name is one the platform's settings carry and `switch`
    /// reads: a switch of 1 comes back as `true` or `admins`, 0 as `false` or `everyone`.
    #[test]
    fn every_managed_switch_reads_back_by_its_friendly_name() {
        for on in [0u8, 1] {
            for name in SETTINGS {
                let settings: GroupSettings =
                    serde_json::from_value(json!({ name.wire: on })).unwrap();
                let friendly = settings_from_wire(&settings);
                let expected = match (name.who, on) {
                    (true, 1) => Value::from("admins"),
                    (true, _) => Value::from("everyone"),
                    (false, on) => Value::from(on == 1),
                };
                assert_eq!(friendly.len(), 1, "{}", name.wire);
                assert_eq!(
                    friendly.get(name.friendly),
                    Some(&expected),
                    "{}",
                    name.wire
                );
            }
        }
    }
}
