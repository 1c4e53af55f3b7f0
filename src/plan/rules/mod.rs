//! Findings that need live data, one rule per file, named by its id in PLATFORM-RULES.md.
//! The static rules live in `manifest::checks` and reach the plan through `validate`.

pub mod bot_needs_console;
pub mod bot_rename_test_group;
pub mod create_unverified;
pub mod delete_unsupported;
pub mod group_url_expiry;
pub mod mass_delete;
pub mod plugin_immutable;
pub mod standard_group_departed;
pub mod title_length;

/// Every rule id of PLATFORM-RULES.md: findings under these ids are about what the platform
/// does, not about whether the manifests can be read.
pub const PLATFORM_RULE_IDS: &[&str] = &[
    "group-url-expiry",
    "create-idempotency",
    "standard-group-departed",
    "oa-status-bar-recipients",
    "recipients-per-request",
    "recipients-per-minute",
    "same-content-daily",
    "per-user-daily-internal",
    "per-user-daily-third-party",
    "to-all-user-daily",
    "delivery-result-window",
    "delivery-result-lists",
    "pc-workbench-link",
    "dingtalk-link-encoding",
    "image-size",
    "plugin-immutable",
    "bot-rename-test-group",
    "markdown-spacing",
    "bot-needs-console",
    "webhook-token-after-join",
    "internal-group-naming",
    "avatar-resolution",
];
