//! `members_from` in the plan (issue 17): a group's members that follow the org chart.
//!
//! [`resolve`] turns the departments a group lists into people, from what refresh read of the
//! live directory (`plan::directory`): everyone directly in each department, and below it with
//! `sub_departments: true`, less `except` and anyone who left the organization (never added).
//! They join the listed members in the desired attributes, so the ordinary diff plans the
//! additions and, under `members_policy: exact`, the removals. It also reports a department
//! larger than a group may be (`group-member-limit`). The names it writes — departments and
//! `except` — are checked with every other name in `plan::names` (`unknown-department`,
//! `unknown-user` at their line, with the nearest known name).
//!
//! [`explain`] then says why each person moves ("joins: now in Platform", "leaves: left the
//! organization", "leaves: moved out of Platform"), records what was resolved in the change's
//! `after` (so state keeps it, and the next plan knows who was there because of the org
//! chart), and guards against the org chart emptying a group (`mass-removal`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::attributes::GroupAttributes;
use super::directory::Directory;
use super::refresh::Live;
use super::{Change, FieldChange, rules};
use crate::manifest::checks::group_member_limit::MAX_MEMBERS;
use crate::model::{Address, Declared, Finding, Group, Span};
use crate::state::ResourceState;

/// The key of a group's `after` (and so of its last-applied attributes in state) that records
/// the `members_from` spec and whom it resolved to.
pub const AFTER_KEY: &str = "members_from";

/// The note a change gets when its members moved only because the org chart did.
pub const ORG_CHART_NOTE: &str = "members_from: the org chart changed since the last apply";

/// Who the org chart puts in one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resolution {
    /// Everyone the listed departments bring, less `except` and anyone who left.
    pub members: BTreeSet<String>,
    /// For each of them, the listed departments that bring them.
    pub via: BTreeMap<String, BTreeSet<u64>>,
}

/// Resolve the group's `members_from` (if any) into `desired.members`, with its findings.
pub fn resolve(
    address: &Address,
    declared: &Declared<Group>,
    live: &Live,
    desired: &mut GroupAttributes,
    findings: &mut Vec<Finding>,
) -> Option<Resolution> {
    let from = declared.spec.members_from.as_ref()?;
    let directory = &live.directory;
    let mut resolution = Resolution::default();
    let mut too_large = false;
    for department in &from.departments {
        let id = department.value;
        if !directory.knows(id) {
            continue; // `unknown-department`, from `plan::names`
        }
        // The platform lists only people still in the organization; a departure it has not
        // caught up with yet must not be added either.
        let people: BTreeSet<String> = directory
            .people(id, from.sub_departments)
            .into_iter()
            .filter(|person| !live.departed.contains(person))
            .collect();
        if people.len() > MAX_MEMBERS {
            too_large = true;
            let below = if from.sub_departments {
                " with its sub-departments"
            } else {
                ""
            };
            findings.push(
                Finding::error(
                    "group-member-limit",
                    format!(
                        "department {id} ({}) has {} people{below}; a group holds at most {MAX_MEMBERS}",
                        directory.name(id),
                        people.len()
                    ),
                )
                .at(&declared.file, &department.span)
                .address(address)
                .help("follow smaller departments, or reach everyone with a work notification"),
            );
        }
        for person in people {
            resolution.via.entry(person.clone()).or_default().insert(id);
            resolution.members.insert(person);
        }
    }
    for user in &from.except {
        resolution.members.remove(&user.value);
        resolution.via.remove(&user.value);
    }
    let mut members: BTreeSet<String> = desired.members.iter().cloned().collect();
    members.extend(resolution.members.iter().cloned());
    if !too_large && members.len() > MAX_MEMBERS {
        findings.push(
            Finding::error(
                "group-member-limit",
                format!(
                    "with members_from the group would have {} members; DingTalk allows {MAX_MEMBERS}",
                    members.len()
                ),
            )
            .at(&declared.file, place(declared))
            .address(address)
            .help("follow fewer departments, or except some people"),
        );
    }
    desired.members = members.into_iter().collect();
    Some(resolution)
}

/// Where findings about the group's `members_from` point: its first department.
fn place(declared: &Declared<Group>) -> &Span {
    declared
        .spec
        .members_from
        .as_ref()
        .and_then(|from| from.departments.first())
        .map_or(&declared.name.span, |department| &department.span)
}

/// Say why each member moves, record the resolution in `after`, and guard mass removals.
pub fn explain(
    change: &mut Change,
    declared: &Declared<Group>,
    resolution: &Resolution,
    entry: Option<&ResourceState>,
    live: &Live,
    allow_mass_delete: bool,
    findings: &mut Vec<Finding>,
) {
    let Some(from) = &declared.spec.members_from else {
        return;
    };
    let directory = &live.directory;
    if let Some(Value::Object(after)) = &mut change.after {
        // The spec as written (serde leaves out what is default) and whom it resolved to.
        let mut record = serde_json::to_value(from).unwrap_or_else(|_| json!({}));
        record["resolved"] = json!(resolution.members);
        after.insert(AFTER_KEY.into(), record);
    }
    let last_applied = entry.map(|e| &e.attributes);
    let previously = strings(
        last_applied
            .and_then(|a| a.get(AFTER_KEY))
            .and_then(|f| f.get("resolved")),
    );
    let listed: BTreeSet<&str> = declared.spec.all_members().into_iter().collect();
    let excepted: BTreeSet<&str> = from.except.iter().map(|u| u.value.as_str()).collect();
    let all_listed = names(directory, from.departments.iter().map(|d| d.value));
    let mut removed_by_org_chart = 0;
    for field in &mut change.fields {
        let FieldChange::Set {
            field,
            added,
            removed,
            reasons,
            ..
        } = field
        else {
            continue;
        };
        if field != "members" {
            continue;
        }
        for user in added.iter() {
            if listed.contains(user.as_str()) {
                continue; // the manifest names them: reason enough
            }
            if let Some(via) = resolution.via.get(user) {
                let via = names(directory, via.iter().copied());
                reasons.insert(user.clone(), format!("joins: now in {via}"));
            }
        }
        for user in removed.iter() {
            let reason = if live.departed.contains(user) {
                removed_by_org_chart += 1;
                "leaves: left the organization".to_owned()
            } else if excepted.contains(user.as_str()) {
                "leaves: excepted by members_from.except".to_owned()
            } else if previously.contains(user) {
                removed_by_org_chart += 1;
                format!("leaves: moved out of {all_listed}")
            } else {
                format!("leaves: neither listed in members nor in {all_listed}")
            };
            reasons.insert(user.clone(), reason);
        }
    }
    let live_members = strings(change.before.as_ref().and_then(|b| b.get("members")));
    rules::mass_removal::check(
        &change.address,
        declared,
        removed_by_org_chart,
        live_members.len(),
        allow_mass_delete,
        findings,
    );
    // Members that moved because the directory did (not the manifest, not DingTalk): say so.
    if let (Some(last_applied), Some(after)) = (last_applied, &change.after)
        && change.fields.iter().any(|field| field.field() == "members")
        && strings(last_applied.get("members")) != strings(after.get("members"))
        && without_members(last_applied) == without_members(after)
        && strings(last_applied.get("members")) == live_members
    {
        change.notes.push(ORG_CHART_NOTE.into());
    }
}

/// Department names as a person reads them: "Platform", "Platform and Payments",
/// "Platform, Payments and Sales".
fn names(directory: &Directory, ids: impl Iterator<Item = u64>) -> String {
    let names: Vec<String> = ids.map(|id| directory.name(id)).collect();
    match names.as_slice() {
        [] => "no department".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn strings(value: Option<&Value>) -> BTreeSet<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn without_members(attributes: &Value) -> Map<String, Value> {
    let mut object = attributes.as_object().cloned().unwrap_or_default();
    object.remove("members");
    object.remove(AFTER_KEY);
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::directory::DepartmentRead;

    #[test]
    fn names_read_as_a_sentence() {
        let mut directory = Directory::default();
        for (id, name) in [(2, "Payments"), (3, "Platform"), (5, "Sales")] {
            directory.departments.insert(
                id,
                DepartmentRead {
                    known: true,
                    name: Some(name.into()),
                    ..DepartmentRead::default()
                },
            );
        }
        assert_eq!(names(&directory, [3].into_iter()), "Platform");
        assert_eq!(
            names(&directory, [3, 2].into_iter()),
            "Platform and Payments"
        );
        assert_eq!(
            names(&directory, [3, 2, 5].into_iter()),
            "Platform, Payments and Sales"
        );
        assert_eq!(names(&directory, [9].into_iter()), "department 9");
    }
}
