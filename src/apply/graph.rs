//! The steps of an apply and the order between them.
//!
//! One step per changed resource, except a replace, which is two: disband the old group, then
//! create the new one. A group waits for the bots it adds (their registration), a notification
//! for the group and bot it sends through; everything else may run side by side.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{Address, ResourceKind};
use crate::plan::{Action, Change, Plan};

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Create a group (its intent written to state first).
    CreateGroup,
    /// Change a group in place.
    UpdateGroup,
    /// Disband a group and forget it.
    DeleteGroup,
    /// Disband the old group of a replace; the create follows as its own step.
    DisbandForReplace,
    /// Only state changes (bots, notifications, imports, moves, forgets).
    StateOnly,
}

/// One unit of work.
#[derive(Clone, Debug)]
pub struct Step {
    /// The change it carries out.
    pub change: Change,
    /// What it does.
    pub kind: StepKind,
    /// Indexes of the steps that must complete first.
    pub depends_on: Vec<usize>,
}

impl Step {
    /// Whether this step ends its change (what progress and the counts report): every step
    /// but the first of the two [`steps`] makes of one change, a replace's disband and a
    /// group import's or move's adoption before its update.
    pub fn finishes_change(&self) -> bool {
        let adopts_before_update = self.kind == StepKind::StateOnly
            && matches!(self.change.action, Action::Import | Action::Move)
            && self.change.address.kind == ResourceKind::Group
            && !self.change.fields.is_empty();
        self.kind != StepKind::DisbandForReplace && !adopts_before_update
    }
}

/// The steps of `plan`, in an order where every dependency comes first.
pub fn steps(plan: &Plan) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    // The step after which an address is done (what dependants wait for).
    let mut last: BTreeMap<Address, usize> = BTreeMap::new();
    let changes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    // Bots first (others depend on them), then groups, then notifications.
    let rank = |c: &Change| match c.address.kind {
        ResourceKind::Bot => 0,
        ResourceKind::Group => 1,
        ResourceKind::Notification => 2,
    };
    let mut ordered = changes.clone();
    ordered.sort_by_key(|c| rank(c));
    let robot_of: BTreeMap<String, Address> = changes
        .iter()
        .filter(|c| c.address.kind == ResourceKind::Bot)
        .filter_map(|c| {
            let code = c.after.as_ref()?.get("robot_code")?.as_str()?;
            Some((code.to_owned(), c.address.clone()))
        })
        .collect();
    for change in ordered {
        let mut depends_on: Vec<usize> = dependencies(change, &robot_of)
            .iter()
            .filter_map(|address| last.get(address).copied())
            .collect();
        let is_group = change.address.kind == ResourceKind::Group;
        let kind = match (is_group, change.action) {
            (true, Action::Create) => StepKind::CreateGroup,
            (true, Action::Update) => StepKind::UpdateGroup,
            (true, Action::Delete) => StepKind::DeleteGroup,
            (true, Action::Import | Action::Move) if !change.fields.is_empty() => {
                // Adopt first (state only), then bring the group to the manifest.
                steps.push(Step {
                    change: change.clone(),
                    kind: StepKind::StateOnly,
                    depends_on: depends_on.clone(),
                });
                depends_on = vec![steps.len() - 1];
                StepKind::UpdateGroup
            }
            (true, Action::Replace) => {
                steps.push(Step {
                    change: change.clone(),
                    kind: StepKind::DisbandForReplace,
                    depends_on: depends_on.clone(),
                });
                depends_on = vec![steps.len() - 1];
                StepKind::CreateGroup
            }
            _ => StepKind::StateOnly,
        };
        steps.push(Step {
            change: change.clone(),
            kind,
            depends_on,
        });
        last.insert(change.address.clone(), steps.len() - 1);
    }
    steps
}

/// Addresses `change` must wait for.
fn dependencies(change: &Change, robot_of: &BTreeMap<String, Address>) -> Vec<Address> {
    let Some(after) = change.after.as_ref() else {
        return Vec::new();
    };
    if change.address.kind == ResourceKind::Group {
        return after
            .get("bots")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|code| robot_of.get(code).cloned())
            .collect();
    }
    if change.address.kind == ResourceKind::Notification {
        let via = after.get("via");
        let name = |key: &str| via.and_then(|v| v.get(key)).and_then(Value::as_str);
        let mut addresses = Vec::new();
        if let Some(group) = name("group") {
            addresses.push(Address::group(group));
        }
        if let Some(bot) = name("bot") {
            addresses.push(Address::bot(bot));
        }
        return addresses;
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(address: &str, action: Action, after: Value) -> Change {
        Change {
            address: address.parse().unwrap(),
            action,
            before: None,
            after: Some(after),
            fields: Vec::new(),
            from: None,
            notes: Vec::new(),
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            format_version: crate::plan::FORMAT_VERSION,
            changes,
            findings: Vec::new(),
            fingerprints: Default::default(),
            estimate: Default::default(),
        }
    }

    #[test]
    fn groups_wait_for_their_bots_and_notifications_for_group_and_bot() {
        let steps = steps(&plan(vec![
            change("group.ops", Action::Create, json!({"bots": ["dingbot-a"]})),
            change(
                "notification.n",
                Action::Create,
                json!({"via": {"bot": "a", "group": "ops"}}),
            ),
            change("bot.a", Action::Create, json!({"robot_code": "dingbot-a"})),
            change("group.quiet", Action::NoOp, json!({})),
        ]));
        let index = |address: &str| {
            steps
                .iter()
                .position(|s| s.change.address == address)
                .unwrap()
        };
        assert_eq!(steps.len(), 3, "no-ops are not steps");
        assert_eq!(steps[index("group.ops")].depends_on, [index("bot.a")]);
        let mut notification = steps[index("notification.n")].depends_on.clone();
        notification.sort();
        let mut expected = vec![index("group.ops"), index("bot.a")];
        expected.sort();
        assert_eq!(notification, expected);
    }

    #[test]
    fn one_step_of_each_change_finishes_it() {
        let with_fields = |address: &str, action: Action| Change {
            fields: vec![crate::plan::FieldChange::Value {
                field: "title".into(),
                before: None,
                after: Some(json!("T")),
            }],
            ..change(address, action, json!({}))
        };
        let steps = steps(&plan(vec![
            change("group.new", Action::Replace, json!({})),
            with_fields("group.adopted", Action::Import),
            with_fields("group.renamed", Action::Move),
            change("group.plain", Action::Import, json!({})),
            with_fields("bot.b", Action::Import),
        ]));
        assert_eq!(steps.len(), 8);
        let finishing: Vec<(String, StepKind)> = steps
            .iter()
            .filter(|s| s.finishes_change())
            .map(|s| (s.change.address.to_string(), s.kind))
            .collect();
        assert_eq!(
            finishing,
            [
                ("bot.b", StepKind::StateOnly),
                ("group.new", StepKind::CreateGroup),
                ("group.adopted", StepKind::UpdateGroup),
                ("group.renamed", StepKind::UpdateGroup),
                ("group.plain", StepKind::StateOnly),
            ]
            .map(|(address, kind)| (address.to_owned(), kind))
        );
    }

    #[test]
    fn a_replace_disbands_before_it_creates() {
        let steps = steps(&plan(vec![change("group.ops", Action::Replace, json!({}))]));
        assert_eq!(steps[0].kind, StepKind::DisbandForReplace);
        assert_eq!(steps[1].kind, StepKind::CreateGroup);
        assert_eq!(steps[1].depends_on, [0]);
    }
}
