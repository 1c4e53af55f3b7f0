//! [`Group`]: a DingTalk chat group as a manifest declares it, and the settings DingTalk
//! exposes for groups (`dingtalk-api.md`, "Scene groups").

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::span::Spanned;

/// A chat group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The group's name as members see it (DingTalk allows at most 30 characters).
    pub title: Spanned<String>,
    /// What kind of group DingTalk makes.
    #[serde(rename = "type")]
    pub group_type: Spanned<GroupType>,
    /// Scene-group template id (scene groups only); falls back to `defaults.template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Spanned<String>>,
    /// The owner's userId.
    pub owner: Spanned<String>,
    /// Administrators' userIds (DingTalk allows at most 12 per call).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admins: Vec<Spanned<String>>,
    /// Members' userIds (the owner and admins are members too, whether listed or not).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Spanned<String>>,
    /// Members that follow the org chart: everyone in these departments, resolved from the
    /// live directory at every plan, joins `members` (issue 17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_from: Option<super::members_from::MembersFrom>,
    /// Whether `members` is the whole list (`exact`) or a minimum (`additive`).
    #[serde(default)]
    pub members_policy: Policy,
    /// Whether `admins` is the whole list (`exact`) or a minimum (`additive`).
    #[serde(default)]
    pub admins_policy: Policy,
    /// Group settings; those left out are left as DingTalk has them.
    #[serde(default)]
    pub settings: GroupSettings,
    /// Bots (names under `bots:`) that belong in the group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bots: Vec<Spanned<String>>,
    /// Plugins (快捷入口) to install. Once installed they cannot be edited or removed
    /// (`plugin-immutable`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<Plugin>,
    /// Tabs (会话导航栏) at the top of the group: unlike plugins they can be edited and
    /// removed. Titles are unique per group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tabs: Vec<Tab>,
    /// Remove members automatically when they leave the organization. Only internal groups
    /// do this; asking it of a standard group is the `standard-group-departed` error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_departed_members: Option<Spanned<bool>>,
    /// Group avatar: a media id from `/media/upload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Spanned<String>>,
    /// Refuse any plan that would disband this group.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prevent_destroy: bool,
}

impl Group {
    /// The template a scene group is created from: its own, else the workspace default.
    pub fn effective_template<'a>(&'a self, default: Option<&'a str>) -> Option<&'a str> {
        match self.group_type.value {
            GroupType::Scene => self.template.as_ref().map(|t| t.value.as_str()).or(default),
            GroupType::Internal | GroupType::Standard => None,
        }
    }

    /// Every member that will be in the group: owner, admins, members, without repeats, in
    /// that order.
    pub fn all_members(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        std::iter::once(&self.owner)
            .chain(&self.admins)
            .chain(&self.members)
            .map(|user| user.value.as_str())
            .filter(|user| seen.insert(*user))
            .collect()
    }
}

/// What kind of group DingTalk makes (`conversationTag` / scene-group API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupType {
    /// A scene group (场景群), made from a console template; bots and plugins come with it.
    Scene,
    /// An internal group (企业群, `conversationTag` 2): members leaving the organization are
    /// removed automatically.
    Internal,
    /// A standard group (普通群, `conversationTag` 0): no binding to the organization.
    Standard,
}

impl GroupType {
    /// `scene`, `internal` or `standard`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scene => "scene",
            Self::Internal => "internal",
            Self::Standard => "standard",
        }
    }
}

/// Whether a list in the manifest is the whole truth or a minimum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Users not listed are removed.
    #[default]
    Exact,
    /// Users not listed are left alone.
    Additive,
}

/// Who may do something in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// Every member.
    Everyone,
    /// The owner and admins only.
    Admins,
}

/// A plugin (快捷入口) to install in a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plugin {
    /// Its name (the platform allows at most 4 characters).
    pub name: Spanned<String>,
    /// The page it opens.
    pub url: Spanned<String>,
}

/// A tab (会话导航栏) in a group: `url` for both clients, or `pc_url` / `mobile_url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tab {
    /// Its title, unique in the group.
    pub title: Spanned<String>,
    /// The page it opens, on the PC client and on mobile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
    /// The page it opens on the PC client (instead of `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_url: Option<Spanned<String>>,
    /// The page it opens on mobile (instead of `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_url: Option<Spanned<String>>,
}

impl Tab {
    /// Where it opens: (PC, mobile); `url` stands for both.
    pub fn urls(&self) -> (Option<&str>, Option<&str>) {
        let url = self.url.as_ref().map(|u| u.value.as_str());
        (
            self.pc_url.as_ref().map(|u| u.value.as_str()).or(url),
            self.mobile_url.as_ref().map(|u| u.value.as_str()).or(url),
        )
    }
}

/// Group settings, in friendly names; each maps to one DingTalk management option (0/1).
/// A setting left out is not managed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSettings {
    /// Others can find the group by search (`searchable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searchable: Option<Spanned<bool>>,
    /// Joining needs approval (`validation_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_validation: Option<Spanned<bool>>,
    /// Who may @all (`mention_all_authority`: admins = 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention_all: Option<Spanned<Who>>,
    /// New members see the chat history (`show_history_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_history: Option<Spanned<bool>>,
    /// Who may manage the group (`management_type`: admins = 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management: Option<Spanned<Who>>,
    /// Everyone but the owner and admins is muted (`chat_banned_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute_all: Option<Spanned<bool>>,
    /// Only admins may send DING messages (`only_admin_can_ding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_admins_can_ding: Option<Spanned<bool>>,
    /// Only admins may pin messages (`only_admin_can_set_msg_top`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_admins_can_pin: Option<Spanned<bool>>,
    /// Members may not add each other as friends (`add_friend_forbidden`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbid_adding_friends: Option<Spanned<bool>>,
    /// Members may chat privately with admins (`members_to_admin_chat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_can_message_admins: Option<Spanned<bool>>,
    /// Turn off the group mailbox (`group_email_disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_group_email: Option<Spanned<bool>>,
    /// Every member may create group calendar events (`all_members_can_create_calendar`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_can_create_calendar: Option<Spanned<bool>>,
    /// Every member may start a video meeting (`all_members_can_create_mcs_conf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_can_start_meetings: Option<Spanned<bool>>,
    /// Group live streaming allowed (`group_live_switch`, DingTalk's default on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_stream: Option<Spanned<bool>>,
    /// Only admins may add members (`only_admin_can_add_mem`, api host only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_admins_can_add_members: Option<Spanned<bool>>,
}

impl GroupSettings {
    /// The DingTalk management options these settings send: wire name → 0/1, only for the
    /// settings the manifest states.
    pub fn management_options(&self) -> BTreeMap<&'static str, u8> {
        let flag = |value: &Option<Spanned<bool>>| value.as_ref().map(|v| u8::from(v.value));
        let who =
            |value: &Option<Spanned<Who>>| value.as_ref().map(|v| u8::from(v.value == Who::Admins));
        [
            ("searchable", flag(&self.searchable)),
            ("validation_type", flag(&self.join_validation)),
            ("mention_all_authority", who(&self.mention_all)),
            ("show_history_type", flag(&self.show_history)),
            ("management_type", who(&self.management)),
            ("chat_banned_type", flag(&self.mute_all)),
            ("only_admin_can_ding", flag(&self.only_admins_can_ding)),
            (
                "only_admin_can_set_msg_top",
                flag(&self.only_admins_can_pin),
            ),
            ("add_friend_forbidden", flag(&self.forbid_adding_friends)),
            (
                "members_to_admin_chat",
                flag(&self.members_can_message_admins),
            ),
            ("group_email_disabled", flag(&self.disable_group_email)),
            (
                "all_members_can_create_calendar",
                flag(&self.members_can_create_calendar),
            ),
            (
                "all_members_can_create_mcs_conf",
                flag(&self.members_can_start_meetings),
            ),
            ("group_live_switch", flag(&self.live_stream)),
            (
                "only_admin_can_add_mem",
                flag(&self.only_admins_can_add_members),
            ),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect()
    }
}
