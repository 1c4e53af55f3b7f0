//! `per-user-daily-third-party`: a third-party enterprise app sends at most 100 work
//! notifications a day to one user. Counted as for internal apps (see `per_user_daily`).

use super::{Context, per_user_daily};
use crate::model::{AppKind, Finding};

/// Reports users over 100 a day when the app is third-party.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    per_user_daily::check(
        context,
        AppKind::ThirdParty,
        "per-user-daily-third-party",
        findings,
    );
}
