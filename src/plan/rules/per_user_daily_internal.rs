//! `per-user-daily-internal`: an internal app sends at most 500 work notifications a day to
//! one user; past that the platform marks the user forbidden (143105). `validate` counts the
//! listed users; with the live directory the plan counts every department's members as well,
//! and a user over the limit is an `error` as for a listed one (`plan::recipients`).
//! `dingform explain per-user-daily-internal`.

use crate::model::{AppKind, Finding};
use crate::plan::recipients::{Context, per_user_daily};

/// Replace `validate`'s count with one that knows the departments' members.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    per_user_daily(
        context,
        AppKind::Internal,
        "per-user-daily-internal",
        findings,
    );
}
