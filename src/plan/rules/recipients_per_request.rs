//! `recipients-per-request`: one work-notification request reaches at most 5,000 users (1,000
//! for a third-party app; 41029), and the platform counts the members of its departments, with
//! their sub-departments, among them. The runner splits a long list of users into several
//! requests (`validate` warns), but it cannot split a department: the departments go in the
//! first request, with the first batch of listed users. When the people of that request are
//! more than the limit, the platform refuses it, every time: an `error` at the first
//! department. `dingform explain recipients-per-request`.

use std::collections::BTreeSet;

use crate::manifest::checks::recipients_per_request::max_users_per_request;
use crate::model::{Address, Finding};
use crate::plan::recipients::Context;

/// Add an error for each notification whose departments make one request too large.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let limit = max_users_per_request(context.app_kind);
    for reach in &context.reaches {
        if !reach.has_departments() || reach.to_all() {
            continue;
        }
        // The runner's first request: the departments and the first batch of sorted users.
        let mut request: BTreeSet<&str> = reach.listed.iter().copied().take(limit).collect();
        let listed = request.len();
        request.extend(reach.members.iter().copied());
        if request.len() <= limit {
            continue;
        }
        let departments: Vec<String> = reach
            .work
            .departments
            .iter()
            .map(|department| {
                format!(
                    "{} ({})",
                    department.value,
                    context.directory.name(department.value)
                )
            })
            .collect();
        let with_listed = if listed == 0 {
            String::new()
        } else {
            format!(" and {listed} listed users")
        };
        let Some(first) = reach.work.departments.first() else {
            continue;
        };
        findings.push(
            Finding::error(
                "recipients-per-request",
                format!(
                    "one request would reach {} people: the {} in department{} {}, with sub-departments{with_listed}; a work notification reaches at most {limit} per request",
                    request.len(),
                    reach.members.len(),
                    if departments.len() == 1 { "" } else { "s" },
                    departments.join(", "),
                ),
            )
            .at(&reach.declared.file, &first.span)
            .address(Address::notification(reach.name))
            .help("the platform refuses the whole request (41029): send to smaller departments, or split the departments (and the listed users) across notifications"),
        );
    }
}
