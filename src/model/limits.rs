//! Every platform limit dingform knows, in one place, each named after the rule id that
//! reports it (`PLATFORM-RULES.md`, `dingform explain ID`). The static checks, the plan, the
//! runner, the client and the emulator all read them from here, so that `validate` checks the
//! number the emulator refuses at and the client splits by.
//!
//! [`LIMITS`] lists them with their rule ids; a test holds each id to a rule page or a rule
//! of `PLATFORM-RULES.md`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// One limit and the rule that reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The rule id (`dingform explain ID`).
    pub rule: &'static str,
    /// What is limited.
    pub what: &'static str,
    /// The number.
    pub value: usize,
}

/// `group-title-length`: a scene group's title, in characters.
pub const SCENE_GROUP_TITLE_CHARS: usize = 30;
/// `group-title-length`: an internal or standard group's title, in characters.
pub const CHAT_GROUP_TITLE_CHARS: usize = 20;
/// `group-member-limit`: members of one group.
pub const GROUP_MEMBERS: usize = 1_000;
/// `group-member-limit`: admins of one group.
pub const GROUP_ADMINS: usize = 12;
/// `recipients-per-request`: users one work-notification request may name (internal app).
pub const RECIPIENTS_PER_REQUEST: usize = 5_000;
/// `recipients-per-request`: the same for a third-party app.
pub const RECIPIENTS_PER_REQUEST_THIRD_PARTY: usize = 1_000;
/// `recipients-per-request`: departments one request may name.
pub const DEPARTMENTS_PER_REQUEST: usize = 500;
/// `recipients-per-minute`: users an internal app delivers to in a minute.
pub const RECIPIENTS_PER_MINUTE: usize = 5_000;
/// `oa-status-bar-recipients`: users an OA message with a status bar may go to.
pub const STATUS_BAR_RECIPIENTS: usize = 5;
/// `to-all-user-daily`: sends to all users in one platform day.
pub const TO_ALL_USER_PER_DAY: usize = 3;
/// `per-user-daily-internal`: messages an internal app sends one user in a platform day.
pub const PER_USER_DAILY_INTERNAL: usize = 500;
/// `per-user-daily-third-party`: the same for a third-party app.
pub const PER_USER_DAILY_THIRD_PARTY: usize = 100;
/// `message-size`: a work notification's `msg`, in bytes.
pub const WORK_NOTIFICATION_MSG_BYTES: usize = 2_048;
/// `message-size`: a bot message's `msgParam`, in bytes.
pub const BOT_MSG_PARAM_BYTES: usize = 15_000;
/// `delivery-result-window`: hours after a send that progress and results can be read.
pub const DELIVERY_RESULT_WINDOW_HOURS: usize = 24;
/// `webhook-rate`: messages a webhook robot takes in a minute.
pub const WEBHOOK_PER_MINUTE: usize = 20;
/// `plugin-name-length`: a plugin's name, in characters.
pub const PLUGIN_NAME_CHARS: usize = 4;
/// `webhook-rate`: minutes a webhook robot is throttled once it went over
/// [`WEBHOOK_PER_MINUTE`] (410100 until then).
pub const WEBHOOK_THROTTLE_MINUTES: usize = 10;
/// `invalid-message`: users one webhook message may @-mention (`at.atUserIds`).
pub const WEBHOOK_MENTIONS: usize = 50;
/// `group-url-expiry`: days a group's join URL works after it was issued.
pub const GROUP_URL_DAYS: usize = 365;
/// `group-url-expiry`: days after which the plan warns that an unchanged join URL is about to
/// expire (a month before [`GROUP_URL_DAYS`]).
pub const GROUP_URL_WARN_DAYS: usize = 335;
/// `mass-delete` (and `mass-removal` for a group's members): the share, in percent, that one
/// plan may disband (or remove) before it is refused without `--allow-mass-delete`. Not a
/// platform limit but dingform's own safety threshold (octoDNS's `MAX_SAFE_DELETE_PCENT`).
pub const MASS_DELETE_PERCENT: usize = 30;
/// `mass-delete`: below this many disbands (or removals) a plan is never judged unsafe.
pub const MASS_DELETE_MIN: usize = 2;

/// Members one scene-group request adds or removes (`/v1.0/im/sceneGroups/members`; the
/// client splits by it and the plan's estimate counts by it).
pub const SCENE_GROUP_MEMBERS_PER_REQUEST: usize = 100;
/// Members one internal or standard group (`/chat/update`) request adds or removes.
pub const CHAT_MEMBERS_PER_REQUEST: usize = 40;
/// Admins one request sets (`group-member-limit`: a group has at most 12).
pub const ADMINS_PER_REQUEST: usize = GROUP_ADMINS;

/// Every limit above, with its rule id.
pub const LIMITS: &[Limit] = &[
    limit(
        "group-title-length",
        "scene group title (characters)",
        SCENE_GROUP_TITLE_CHARS,
    ),
    limit(
        "group-title-length",
        "internal or standard group title (characters)",
        CHAT_GROUP_TITLE_CHARS,
    ),
    limit("group-member-limit", "members of a group", GROUP_MEMBERS),
    limit("group-member-limit", "admins of a group", GROUP_ADMINS),
    limit(
        "recipients-per-request",
        "users per work-notification request",
        RECIPIENTS_PER_REQUEST,
    ),
    limit(
        "recipients-per-request",
        "users per request, third-party app",
        RECIPIENTS_PER_REQUEST_THIRD_PARTY,
    ),
    limit(
        "recipients-per-request",
        "departments per request",
        DEPARTMENTS_PER_REQUEST,
    ),
    limit(
        "recipients-per-minute",
        "users delivered to a minute",
        RECIPIENTS_PER_MINUTE,
    ),
    limit(
        "oa-status-bar-recipients",
        "users of an OA message with a status bar",
        STATUS_BAR_RECIPIENTS,
    ),
    limit(
        "to-all-user-daily",
        "sends to all users a day",
        TO_ALL_USER_PER_DAY,
    ),
    limit(
        "per-user-daily-internal",
        "messages to one user a day",
        PER_USER_DAILY_INTERNAL,
    ),
    limit(
        "per-user-daily-third-party",
        "messages to one user a day, third-party app",
        PER_USER_DAILY_THIRD_PARTY,
    ),
    limit(
        "message-size",
        "work-notification msg (bytes)",
        WORK_NOTIFICATION_MSG_BYTES,
    ),
    limit("message-size", "bot msgParam (bytes)", BOT_MSG_PARAM_BYTES),
    limit(
        "delivery-result-window",
        "hours results can be read",
        DELIVERY_RESULT_WINDOW_HOURS,
    ),
    limit(
        "webhook-rate",
        "webhook messages a minute per robot",
        WEBHOOK_PER_MINUTE,
    ),
    limit(
        "plugin-name-length",
        "plugin name (characters)",
        PLUGIN_NAME_CHARS,
    ),
    limit(
        "webhook-rate",
        "minutes a webhook robot is throttled",
        WEBHOOK_THROTTLE_MINUTES,
    ),
    limit(
        "invalid-message",
        "users one webhook message @-mentions",
        WEBHOOK_MENTIONS,
    ),
    limit("group-url-expiry", "days a join URL works", GROUP_URL_DAYS),
    limit(
        "group-url-expiry",
        "days before the plan warns of a join URL",
        GROUP_URL_WARN_DAYS,
    ),
    limit(
        "mass-delete",
        "percent of managed groups one plan may disband",
        MASS_DELETE_PERCENT,
    ),
    limit(
        "mass-delete",
        "disbands below which a plan is never unsafe",
        MASS_DELETE_MIN,
    ),
];

const fn limit(rule: &'static str, what: &'static str, value: usize) -> Limit {
    Limit { rule, what, value }
}

/// The time zone of the platform's day (`to-all-user-daily`, `per-user-daily-*`,
/// `same-content-daily` count per calendar day in China Standard Time).
pub const PLATFORM_DAY_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The platform day `at` falls on.
pub fn platform_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&PLATFORM_DAY_ZONE).date_naive()
}

/// How long a join URL works (`group-url-expiry`).
pub fn group_url_lifetime() -> chrono::Duration {
    chrono::Duration::days(GROUP_URL_DAYS as i64)
}

/// Whether disbanding (or removing) `part` of `whole` is more than [`MASS_DELETE_PERCENT`]
/// (`mass-delete`, `mass-removal`); never for fewer than [`MASS_DELETE_MIN`].
pub fn is_mass_delete(part: usize, whole: usize) -> bool {
    part >= MASS_DELETE_MIN && whole > 0 && part * 100 > whole * MASS_DELETE_PERCENT
}

/// The 24-hour result window as a duration.
pub fn delivery_result_window() -> chrono::Duration {
    chrono::Duration::hours(DELIVERY_RESULT_WINDOW_HOURS as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_is_keyed_by_a_rule_with_a_page() {
        for limit in LIMITS {
            // `recipients-per-minute` is paced, never reported: it has no page of its own.
            assert!(
                limit.rule == "recipients-per-minute"
                    || crate::model::rules::page(limit.rule).is_some(),
                "{limit:?}"
            );
        }
    }

    /// The rule pages (`dingform explain`, `docs/rules.md`) and the `--help` of `plan` and
    /// `apply` are text and cannot name a constant: they must state the number used here.
    #[test]
    fn the_rule_pages_state_the_numbers_the_checks_use() {
        let text = |id: &str| crate::model::rules::text(crate::model::rules::page(id).unwrap());
        let stated = [
            ("group-url-expiry", format!("{GROUP_URL_DAYS} days")),
            ("group-url-expiry", format!("{GROUP_URL_WARN_DAYS} days")),
            ("mass-delete", format!("{MASS_DELETE_PERCENT}%")),
            ("mass-removal", format!("{MASS_DELETE_PERCENT}%")),
            (
                "webhook-rate",
                format!("{WEBHOOK_PER_MINUTE} messages a minute"),
            ),
            (
                "webhook-rate",
                format!("{WEBHOOK_THROTTLE_MINUTES} minutes"),
            ),
        ];
        for (id, number) in stated {
            assert!(text(id).contains(&number), "{id} does not say {number}");
        }
    }

    #[test]
    fn a_mass_delete_is_more_than_the_share_and_never_below_the_minimum() {
        assert!(!is_mass_delete(3, 10), "30% is allowed");
        assert!(is_mass_delete(4, 10), "40% is not");
        assert!(!is_mass_delete(MASS_DELETE_MIN - 1, MASS_DELETE_MIN - 1));
        assert!(is_mass_delete(MASS_DELETE_MIN, MASS_DELETE_MIN));
        assert!(!is_mass_delete(0, 0));
    }

    #[test]
    fn the_platform_day_turns_at_midnight_in_china() {
        use chrono::TimeZone;
        let before = Utc.with_ymd_and_hms(2026, 1, 1, 15, 59, 59).unwrap();
        assert_eq!(platform_day(before).to_string(), "2026-01-01");
        let after = before + chrono::Duration::seconds(1);
        assert_eq!(platform_day(after).to_string(), "2026-01-02");
    }
}
