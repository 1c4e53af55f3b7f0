//! `same-content-daily`: a user gets the same content from the same app at most once a day;
//! the platform drops a repeat silently (143106). `validate` finds two notifications with one
//! message that list a user in common; the plan adds those whose departments share people — a
//! department and its parent department (which includes it), the same text on the same day —
//! from the live directory (`plan::recipients`). An `error` at the later notification's
//! message, naming a person both reach. `dingform explain same-content-daily`.

use std::collections::{BTreeMap, HashSet};

use crate::manifest::checks::same_content_daily::{contents_on, variables_used};
use crate::model::{Address, Finding};
use crate::plan::recipients::{Context, Reach};

/// A person both notifications reach, when one of them reaches through departments.
fn common<'a>(a: &Reach<'a>, b: &Reach<'a>) -> Option<&'a str> {
    match (a.to_all(), b.to_all()) {
        (true, true) => None, // `validate` reports it
        (true, false) => b.users().next(),
        (false, true) => a.users().next(),
        (false, false) => {
            let (small, large) = if a.count() <= b.count() {
                (a, b)
            } else {
                (b, a)
            };
            small.users().find(|user| large.reaches(user))
        }
    }
}

/// Add an error for each later notification that repeats an earlier one's content to people
/// their departments share.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut by_message: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, reach) in context.reaches.iter().enumerate() {
        if context.daily.contains_key(reach.name) {
            let key = serde_json::to_string(&reach.declared.spec.message.value).unwrap_or_default();
            by_message.entry(key).or_default().push(index);
        }
    }
    // What `validate` already reported, so that one clash is one error.
    let mut reported: HashSet<Address> = findings
        .iter()
        .filter(|finding| finding.rule == "same-content-daily")
        .filter_map(|finding| finding.address.clone())
        .collect();
    for indices in by_message.values() {
        if indices.len() < 2
            || !indices
                .iter()
                .any(|&i| context.reaches[i].has_departments())
        {
            continue;
        }
        for (position, &earlier) in indices.iter().enumerate() {
            for &later in &indices[position + 1..] {
                let (a, b) = (&context.reaches[earlier], &context.reaches[later]);
                if !a.has_departments() && !b.has_departments() {
                    continue; // listed users only: `validate` knew
                }
                let address = Address::notification(b.name);
                if reported.contains(&address) {
                    continue;
                }
                let Some(user) = common(a, b) else {
                    continue;
                };
                let used = variables_used(&a.declared.spec.message.value);
                let (daily_a, daily_b) = (&context.daily[a.name], &context.daily[b.name]);
                let clash = daily_a
                    .days
                    .keys()
                    .filter(|day| daily_b.days.contains_key(*day))
                    .find(|day| {
                        !contents_on(&used, daily_a, day)
                            .is_disjoint(&contents_on(&used, daily_b, day))
                    });
                let Some(day) = clash else {
                    continue;
                };
                let who = context.who(user, &[earlier, later]);
                findings.push(
                    Finding::error(
                        "same-content-daily",
                        format!(
                            "on {day} this sends {who} the same content as notification.{}; the platform delivers identical content to a user once a day",
                            a.name
                        ),
                    )
                    .at(&b.declared.file, &b.declared.spec.message.span)
                    .address(&address)
                    .help("a department includes its sub-departments: send to one of the two, or make the messages differ"),
                );
                reported.insert(address);
            }
        }
    }
}
