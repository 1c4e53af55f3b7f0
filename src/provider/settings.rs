//! Group switches between the model ([`GroupSettings`]) and their wire spellings: snake_case
//! `management_options` (scene groups), camelCase (`/chat/*`, `/v1.0/im/group/*`), and the
//! string-valued settings the read APIs return.

use crate::model::live::GroupSettings;
use crate::model::wire::chat::ChatInfo;
use crate::model::wire::scene_group::{
    CamelManagementOptions, DetailManagementOptions, ManagementOptions,
};

fn wide(value: Option<u8>) -> Option<i64> {
    value.map(i64::from)
}

fn narrow(value: i64) -> u8 {
    u8::from(value != 0)
}

/// `"0"`/`"1"` (or empty = not reported) to a switch.
fn parse(text: &str) -> Option<u8> {
    text.trim().parse::<i64>().ok().map(narrow)
}

/// The snake_case options of scene-group create/update (`None` when nothing is set, so the
/// field is left out of the request).
pub(crate) fn management_options(settings: &GroupSettings) -> Option<ManagementOptions> {
    if settings.is_empty() {
        return None;
    }
    Some(ManagementOptions {
        searchable: wide(settings.searchable),
        validation_type: wide(settings.validation_type),
        mention_all_authority: wide(settings.mention_all_authority),
        show_history_type: wide(settings.show_history_type),
        management_type: wide(settings.management_type),
        chat_banned_type: wide(settings.chat_banned_type),
        only_admin_can_ding: wide(settings.only_admin_can_ding),
        only_admin_can_set_msg_top: wide(settings.only_admin_can_set_msg_top),
        add_friend_forbidden: wide(settings.add_friend_forbidden),
        members_to_admin_chat: wide(settings.members_to_admin_chat),
        group_email_disabled: wide(settings.group_email_disabled),
        all_members_can_create_calendar: wide(settings.all_members_can_create_calendar),
        all_members_can_create_mcs_conf: wide(settings.all_members_can_create_mcs_conf),
        group_live_switch: wide(settings.group_live_switch),
        not_quit_when_emp_leave: wide(settings.not_quit_when_emp_leave),
        only_admin_can_add_mem: wide(settings.only_admin_can_add_mem),
        plugin_customize_verify: None,
    })
}

/// The camelCase switches of `/chat/create` and `/chat/update` (the six they know).
pub(crate) fn camel(settings: &GroupSettings) -> CamelManagementOptions {
    CamelManagementOptions {
        searchable: wide(settings.searchable),
        validation_type: wide(settings.validation_type),
        mention_all_authority: wide(settings.mention_all_authority),
        management_type: wide(settings.management_type),
        chat_banned_type: wide(settings.chat_banned_type),
        show_history_type: wide(settings.show_history_type),
    }
}

/// Settings as a scene-group read reports them (strings).
pub(crate) fn from_detail(options: &DetailManagementOptions) -> GroupSettings {
    GroupSettings {
        searchable: parse(&options.searchable),
        validation_type: parse(&options.validation_type),
        mention_all_authority: parse(&options.mention_all_authority),
        show_history_type: parse(&options.show_history_type),
        management_type: parse(&options.management_type),
        chat_banned_type: parse(&options.chat_banned_type),
        not_quit_when_emp_leave: parse(&options.not_quit_when_emp_leave),
        only_admin_can_add_mem: parse(&options.only_admin_can_add_mem),
        ..GroupSettings::default()
    }
}

/// Settings as `/chat/get` reports them.
pub(crate) fn from_chat_info(info: &ChatInfo) -> GroupSettings {
    GroupSettings {
        searchable: Some(narrow(info.searchable)),
        validation_type: Some(narrow(info.validation_type)),
        mention_all_authority: Some(narrow(info.mention_all_authority)),
        management_type: Some(narrow(info.management_type)),
        chat_banned_type: Some(narrow(info.chat_banned_type)),
        show_history_type: Some(narrow(info.show_history_type)),
        ..GroupSettings::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_switches_are_left_out_and_strings_read_back() {
        assert_eq!(management_options(&GroupSettings::default()), None);
        let settings = GroupSettings {
            validation_type: Some(1),
            ..GroupSettings::default()
        };
        let wire = serde_json::to_value(management_options(&settings)).unwrap();
        assert_eq!(wire, serde_json::json!({ "validation_type": 1 }));
        let read = DetailManagementOptions {
            validation_type: "1".into(),
            chat_banned_type: "0".into(),
            ..DetailManagementOptions::default()
        };
        let back = from_detail(&read);
        assert_eq!(back.validation_type, Some(1));
        assert_eq!(back.chat_banned_type, Some(0));
        assert_eq!(back.searchable, None);
    }
}
