//! `per-user-daily-internal`: an internal app sends at most 500 work notifications a day to
//! one user; past that the platform marks the user forbidden in the send result. All
//! schedules together are counted per user and per platform day (see `per_user_daily` for how
//! departments are counted without live data).

use super::{Context, per_user_daily};
use crate::model::{AppKind, Finding};

/// Reports users over 500 a day when the app is internal.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    per_user_daily::check(
        context,
        AppKind::Internal,
        "per-user-daily-internal",
        findings,
    );
}
