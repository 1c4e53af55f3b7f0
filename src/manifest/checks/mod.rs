//! The platform rules of PLATFORM-RULES.md that need no live data, and the limits of
//! dingtalk-api.md (title length, members, plugin names, message size), one file per rule
//! id, each documented as what the platform does and why we check it. [`run`] runs them all.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::frequency::{DailyCounts, all_daily_counts};
use crate::model::{AppKind, Clock, Finding, Workspace};

pub mod avatar_resolution;
pub mod bot_needs_console;
pub mod bot_not_in_group;
pub mod dingtalk_link_encoding;
pub mod group_member_limit;
pub mod group_title_length;
pub mod image_size;
pub mod internal_group_naming;
pub mod markdown_spacing;
pub mod message_size;
pub mod oa_status_bar_recipients;
pub mod owner_in_admins;
pub mod pc_workbench_link;
pub mod per_user_daily;
pub mod per_user_daily_internal;
pub mod per_user_daily_third_party;
pub mod plugin_duplicate_name;
pub mod plugin_name_length;
pub mod recipients_per_request;
pub mod same_content_daily;
pub mod schedule_never_fires;
pub mod standard_group_departed;
pub mod tab_duplicate_title;
pub mod to_all_user_daily;
pub mod webhook_rate;

/// What the checks may depend on besides the workspace.
#[derive(Clone, Debug)]
pub struct Options {
    /// The reference time schedules are sampled from (the next days and DST changes).
    pub now: DateTime<Utc>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            now: crate::model::SystemClock.now(),
        }
    }
}

/// What every rule sees.
#[derive(Debug)]
pub struct Context<'a> {
    /// The merged workspace.
    pub workspace: &'a Workspace,
    /// Sends per platform day of each notification whose schedule parses, by name.
    pub daily: BTreeMap<String, std::sync::Arc<DailyCounts>>,
    /// The app kind (internal unless `app.kind` says otherwise).
    pub app_kind: AppKind,
    /// The reference time (see [`Options::now`]).
    pub now: DateTime<Utc>,
}

/// A rule: reads the context, appends findings.
pub type Rule = fn(&Context<'_>, &mut Vec<Finding>);

/// Every rule, by id.
pub const RULES: [(&str, Rule); 24] = [
    ("avatar-resolution", avatar_resolution::check),
    ("bot-needs-console", bot_needs_console::check),
    ("bot-not-in-group", bot_not_in_group::check),
    ("dingtalk-link-encoding", dingtalk_link_encoding::check),
    ("group-member-limit", group_member_limit::check),
    ("group-title-length", group_title_length::check),
    ("image-size", image_size::check),
    ("internal-group-naming", internal_group_naming::check),
    ("markdown-spacing", markdown_spacing::check),
    ("message-size", message_size::check),
    ("owner-in-admins", owner_in_admins::check),
    ("oa-status-bar-recipients", oa_status_bar_recipients::check),
    ("pc-workbench-link", pc_workbench_link::check),
    ("per-user-daily-internal", per_user_daily_internal::check),
    (
        "per-user-daily-third-party",
        per_user_daily_third_party::check,
    ),
    ("plugin-duplicate-name", plugin_duplicate_name::check),
    ("plugin-name-length", plugin_name_length::check),
    ("recipients-per-request", recipients_per_request::check),
    ("same-content-daily", same_content_daily::check),
    ("schedule-never-fires", schedule_never_fires::check),
    ("standard-group-departed", standard_group_departed::check),
    ("tab-duplicate-title", tab_duplicate_title::check),
    ("to-all-user-daily", to_all_user_daily::check),
    ("webhook-rate", webhook_rate::check),
];

/// Runs every rule on a workspace that loaded without errors.
pub fn run(workspace: &Workspace, options: &Options) -> Vec<Finding> {
    let context = Context {
        workspace,
        daily: all_daily_counts(workspace, options.now),
        app_kind: workspace
            .settings
            .as_ref()
            .map_or(AppKind::Internal, |settings| settings.app_kind()),
        now: options.now,
    };
    // Each rule on its own, on every core; their findings in the order of RULES, as if they
    // ran one after another.
    let context = &context;
    let jobs: Vec<super::parallel::Job<'_, Vec<Finding>>> = RULES
        .iter()
        .map(|&(_, rule)| {
            Box::new(move || {
                let mut findings = Vec::new();
                rule(context, &mut findings);
                findings
            }) as super::parallel::Job<'_, Vec<Finding>>
        })
        .collect();
    super::parallel::ordered(jobs)
        .into_iter()
        .flatten()
        .collect()
}
