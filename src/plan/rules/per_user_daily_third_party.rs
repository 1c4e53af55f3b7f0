//! `per-user-daily-third-party`: a third-party enterprise app sends at most 100 work
//! notifications a day to one user (143105). As `per-user-daily-internal`, with 100: the plan
//! counts every department's members, read from the live directory (`plan::recipients`).
//! `dingform explain per-user-daily-third-party`.

use crate::model::{AppKind, Finding};
use crate::plan::recipients::{Context, per_user_daily};

/// Replace `validate`'s count with one that knows the departments' members.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    per_user_daily(
        context,
        AppKind::ThirdParty,
        "per-user-daily-third-party",
        findings,
    );
}
