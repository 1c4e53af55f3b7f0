//! Resources as read back from DingTalk (what `plan` compares the manifests with).
//!
//! These are the provider's answers, independent of which host or wire shape produced them:
//! ids are strings, settings are the platform's 0/1 switches, lists are sorted where the
//! platform gives no order so that two reads of the same group compare equal.

use serde::{Deserialize, Serialize};

/// What kind of chat group this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A scene group (场景群) created from a Developer Console template.
    Scene,
    /// An internal group (企业群, `conversationTag` 2).
    Internal,
    /// A standard group (普通群, `conversationTag` 0; needs allow-listing).
    Standard,
}

impl GroupKind {
    /// The `conversationTag` the platform uses for an ordinary group of this kind (scene groups
    /// have none).
    pub fn conversation_tag(self) -> Option<u8> {
        match self {
            GroupKind::Scene => None,
            GroupKind::Internal => Some(2),
            GroupKind::Standard => Some(0),
        }
    }

    /// The kind of an ordinary group from its `conversationTag` (2 internal, 0 standard).
    pub fn from_conversation_tag(tag: i64) -> Option<GroupKind> {
        match tag {
            2 => Some(GroupKind::Internal),
            0 => Some(GroupKind::Standard),
            _ => None,
        }
    }
}

/// Whether a group still exists on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    /// The group is usable (platform status 1).
    Active,
    /// The group was disbanded (platform status 2).
    Disbanded,
}

impl GroupStatus {
    /// Map the platform's numeric status (1 ok, 2 disbanded); anything else counts as active.
    pub fn from_code(code: i64) -> GroupStatus {
        if code == 2 {
            GroupStatus::Disbanded
        } else {
            GroupStatus::Active
        }
    }
}

/// A group's switches, as the platform names them (each 0 or 1; `None` = not reported or
/// not to be changed). On the api host these travel inside `management_options`; on the oapi
/// host they are flat (and often strings, which the client converts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupSettings {
    /// 1 = the group can be found by searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub searchable: Option<u8>,
    /// 1 = joining needs approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_type: Option<u8>,
    /// 1 = only the owner may @all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mention_all_authority: Option<u8>,
    /// 1 = new members see the history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_history_type: Option<u8>,
    /// 1 = only the owner manages the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_type: Option<u8>,
    /// 1 = everyone is muted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_banned_type: Option<u8>,
    /// 1 = only admins may DING.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_admin_can_ding: Option<u8>,
    /// 1 = only admins may pin messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_admin_can_set_msg_top: Option<u8>,
    /// 1 = members cannot add each other as friends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_friend_forbidden: Option<u8>,
    /// 1 = members may message the admins privately.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_to_admin_chat: Option<u8>,
    /// 1 = the group mailbox is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_email_disabled: Option<u8>,
    /// 1 = all members may create calendar events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_members_can_create_calendar: Option<u8>,
    /// 1 = all members may start video conferences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_members_can_create_mcs_conf: Option<u8>,
    /// 1 = group live streams are on (the platform's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_live_switch: Option<u8>,
    /// 1 = members stay when they leave the organization (api host only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_quit_when_emp_leave: Option<u8>,
    /// 1 = only admins may add members (api host only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_admin_can_add_mem: Option<u8>,
}

impl GroupSettings {
    /// True when no switch is set.
    pub fn is_empty(&self) -> bool {
        *self == GroupSettings::default()
    }

    /// The switch of this wire name (`validation_type`), if it is set: what serializing the
    /// settings would give under that key, without building the map (a plan reads 2,000
    /// groups' settings; issue 15).
    pub fn switch(&self, wire: &str) -> Option<u8> {
        match wire {
            "searchable" => self.searchable,
            "validation_type" => self.validation_type,
            "mention_all_authority" => self.mention_all_authority,
            "show_history_type" => self.show_history_type,
            "management_type" => self.management_type,
            "chat_banned_type" => self.chat_banned_type,
            "only_admin_can_ding" => self.only_admin_can_ding,
            "only_admin_can_set_msg_top" => self.only_admin_can_set_msg_top,
            "add_friend_forbidden" => self.add_friend_forbidden,
            "members_to_admin_chat" => self.members_to_admin_chat,
            "group_email_disabled" => self.group_email_disabled,
            "all_members_can_create_calendar" => self.all_members_can_create_calendar,
            "all_members_can_create_mcs_conf" => self.all_members_can_create_mcs_conf,
            "group_live_switch" => self.group_live_switch,
            "not_quit_when_emp_leave" => self.not_quit_when_emp_leave,
            "only_admin_can_add_mem" => self.only_admin_can_add_mem,
            _ => None,
        }
    }
}

/// A chat group as DingTalk reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveGroup {
    /// The open conversation id (`cid…`), the id every v1.0 API takes.
    pub open_conversation_id: String,
    /// The legacy chat id (`chat…`), when known (returned at creation; `/chat/*` APIs take it).
    pub chat_id: Option<String>,
    /// Scene, internal or standard.
    pub kind: GroupKind,
    /// The group's name.
    pub title: String,
    /// The owner's userid.
    pub owner: String,
    /// Sub-admins' userids, sorted.
    pub admins: Vec<String>,
    /// Members' userids, sorted (includes the owner and admins), when they were read.
    pub members: Vec<String>,
    /// The member count the platform reports, when it reports one.
    pub member_count: Option<u64>,
    /// The group's switches.
    pub settings: GroupSettings,
    /// The scene-group template, for scene groups.
    pub template_id: Option<String>,
    /// The icon's media id, when set.
    pub icon: Option<String>,
    /// The join URL, when the platform gives one.
    pub group_url: Option<String>,
    /// Active or disbanded.
    pub status: GroupStatus,
}

/// Ids of a group just created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedGroup {
    /// The open conversation id.
    pub open_conversation_id: String,
    /// The legacy chat id, when the platform returned one.
    pub chat_id: Option<String>,
}

/// A bot present in a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveBot {
    /// The bot's robot code (its app key).
    pub robot_code: String,
    /// The bot's display name.
    pub name: String,
    /// The platform's bot type, when reported.
    pub open_robot_type: Option<i64>,
}

/// A cool app or plugin installed in a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePlugin {
    /// The cool app code.
    pub cool_app_code: String,
    /// Its name, when reported.
    pub name: Option<String>,
}

/// The platform's receipt for a bot group message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotMessageReceipt {
    /// The key to query the message's status and read list with.
    pub process_query_key: String,
}

/// Delivery status of a bot group message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotMessageStatus {
    /// SUCCESS, RECALLED or PROCESSING.
    pub send_status: String,
    /// Who read it (this page).
    pub read_user_ids: Vec<String>,
    /// The cursor for the next page, when there is one.
    pub next_token: Option<String>,
}

/// The task a work notification became.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkNotificationTask {
    /// The platform's task id.
    pub task_id: i64,
}

/// Progress of a work notification task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendProgress {
    /// 0 to 100.
    pub progress_in_percent: i64,
    /// 0 not started, 1 sending, 2 done.
    pub status: i64,
}

/// Outcome of a work notification task, per recipient.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResult {
    /// Userids that do not exist.
    pub invalid_user_ids: Vec<String>,
    /// Userids the platform refused (limits).
    pub forbidden_user_ids: Vec<String>,
    /// Userids it failed to reach.
    pub failed_user_ids: Vec<String>,
    /// Userids that read it.
    pub read_user_ids: Vec<String>,
    /// Userids that have not read it.
    pub unread_user_ids: Vec<String>,
    /// Department ids that do not exist.
    pub invalid_dept_ids: Vec<i64>,
    /// Why forbidden recipients were refused (limit codes such as 143105, 143106).
    pub forbidden: Vec<ForbiddenRecipient>,
}

/// A recipient the platform refused, with the limit that refused it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForbiddenRecipient {
    /// The userid.
    pub userid: String,
    /// The platform's limit code.
    pub code: String,
    /// How many messages it counted against the limit.
    pub count: i64,
}

/// A user of the organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUser {
    /// The userid.
    pub userid: String,
    /// The union id, when reported.
    pub unionid: Option<String>,
    /// Display name.
    pub name: String,
    /// False once the account is deactivated or not yet activated.
    pub active: bool,
    /// Departments the user belongs to.
    pub dept_ids: Vec<i64>,
}

/// A user who left the organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartedUser {
    /// The userid.
    pub userid: String,
    /// Display name, when reported.
    pub name: Option<String>,
    /// When they left (as the platform writes it), when reported.
    pub leave_time: Option<String>,
}

/// A file uploaded to the media store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedMedia {
    /// The media id to reference in messages (`@lA…`).
    pub media_id: String,
    /// image, voice, video or file.
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::GroupSettings;

    /// `switch` answers what serializing says, key by key: a field added to the settings and
    /// not to `switch` fails here (the literal names every field).
    #[test]
    fn each_switch_reads_what_its_serialized_key_holds() {
        let settings = GroupSettings {
            searchable: Some(1),
            validation_type: Some(2),
            mention_all_authority: Some(3),
            show_history_type: Some(4),
            management_type: Some(5),
            chat_banned_type: Some(6),
            only_admin_can_ding: Some(7),
            only_admin_can_set_msg_top: Some(8),
            add_friend_forbidden: Some(9),
            members_to_admin_chat: Some(10),
            group_email_disabled: Some(11),
            all_members_can_create_calendar: Some(12),
            all_members_can_create_mcs_conf: Some(13),
            group_live_switch: Some(14),
            not_quit_when_emp_leave: Some(15),
            only_admin_can_add_mem: Some(16),
        };
        let serde_json::Value::Object(wire) = serde_json::to_value(&settings).unwrap() else {
            panic!("settings serialize to an object");
        };
        assert_eq!(wire.len(), 16);
        for (key, value) in &wire {
            let expected = value.as_u64().and_then(|v| u8::try_from(v).ok());
            assert_eq!(settings.switch(key), expected, "{key}");
        }
        assert_eq!(GroupSettings::default().switch("searchable"), None);
        assert_eq!(settings.switch("no_such_switch"), None);
    }
}
