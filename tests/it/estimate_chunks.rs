//! The plan's request estimate splits set changes by the sizes the client sends (#16,
//! `model::limits`): members by 100 for a scene group and by 40 for an internal or standard
//! group, admins by 12, and one request per bot.

use crate::common::Workspace;

use dingform::plan::attributes::GroupAttributes;
use dingform::plan::refresh::{GroupRead, Live};
use dingform::plan::{self, PlanOptions};
use dingform::state::{ResourceState, State};

/// Requests the plan estimates for adding `added` members to a group of `group_type`.
fn requests_to_add_members(group_type: &str, added: usize) -> u64 {
    let members: Vec<String> = (1..=added).map(|n| format!("u{n:04}")).collect();
    let ws = Workspace::new().file(
        "groups.yaml",
        format!(
            "groups:\n  team:\n    title: Team\n    type: {group_type}\n    owner: manager4220\n    members: [{}]\n",
            members.join(", ")
        ),
    );
    let validation = dingform::manifest::load(ws.path());
    let live_group = GroupAttributes {
        group_type: group_type.to_owned(),
        title: "Team".into(),
        owner: "manager4220".into(),
        members: vec!["manager4220".into()],
        ..GroupAttributes::default()
    };
    let mut state = State::new(None);
    state.resources.insert(
        "group.team".parse().unwrap(),
        ResourceState {
            id: Some("cid-team".into()),
            attributes: serde_json::to_value(&live_group).unwrap(),
            ..ResourceState::default()
        },
    );
    let mut live = Live::default();
    live.groups.insert(
        "group.team".parse().unwrap(),
        GroupRead::Found {
            attributes: Box::new(live_group),
            group_url: None,
        },
    );
    let plan = plan::build(&validation, &state, &live, &PlanOptions::default());
    let change = plan
        .changes
        .iter()
        .find(|c| c.address == "group.team")
        .expect("planned");
    assert_eq!(change.action, plan::Action::Update, "{change:?}");
    // No access token among them: apply's steps use the one its refresh fetched.
    plan.estimate.requests
}

#[test]
fn members_are_counted_by_the_clients_chunk_for_the_group_type() {
    assert_eq!(requests_to_add_members("scene", 250), 3, "100 a request");
    assert_eq!(requests_to_add_members("standard", 250), 7, "40 a request");
    assert_eq!(requests_to_add_members("standard", 40), 1);
    assert_eq!(requests_to_add_members("standard", 41), 2);
}
