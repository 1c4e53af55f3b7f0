//! Findings that need live data, one rule per file, named by its id in PLATFORM-RULES.md.
//! The static rules live in `manifest::checks` and reach the plan through `validate`.

pub mod bot_needs_console;
pub mod bot_rename_test_group;
pub mod create_unverified;
pub mod delete_unsupported;
pub mod departed_user;
pub mod group_member_limit;
pub mod group_title_length;
pub mod group_url_expiry;
pub mod import_already_managed;
pub mod mass_delete;
pub mod mass_removal;
pub mod plugin_immutable;
pub mod prevent_destroy;
pub mod standard_group_departed;
pub mod unknown_department;
pub mod unknown_template;
pub mod unknown_user;
