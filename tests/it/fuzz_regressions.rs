//! Sequences the convergence fuzzer (`fuzz.rs`) found failing, shrunk to a minimal one each,
//! kept by name with the fix in src/. Each runs the fuzzer's whole check after every step.

use crate::fuzz_support::model::Kind;
use crate::fuzz_support::run_case;
use crate::fuzz_support::steps::{Action, Edit, Fault, Step};

fn run(steps: Vec<Step>) {
    run_actions(
        steps
            .into_iter()
            .map(|step| Action {
                step,
                fault: Fault::None,
            })
            .collect(),
    );
}

/// Steps with the faults their applies meet.
fn run_actions(actions: Vec<Action>) {
    if let Err(failure) = run_case(&actions) {
        panic!("{failure}");
    }
}

/// A scene group (owner 0, one member, no bot) declared under the name group `name` had.
fn scene_group_named_like(name: usize) -> Step {
    Step::AddGroup {
        kind: Kind::Scene,
        owner: 0,
        members: 1,
        bot: None,
        protect: false,
        reuse: Some(name),
    }
}

/// An `import` block naming a scene group by its chat id was `import-not-found`: the plan read
/// a chat id only as an ordinary group's. It now resolves the open conversation id first.
#[test]
fn an_import_block_adopts_a_scene_group_by_its_chat_id() {
    run(vec![Step::ImportHandMade {
        by_chat_id: true,
        retitle: false,
    }]);
}

/// A group taken out of the manifests (disbanded) and declared again under the same name
/// must be made again, not answered with the disbanded group its first creation UUID made.
#[test]
fn a_group_declared_again_under_a_disbanded_name_is_made_again() {
    run(vec![Step::RemoveGroup(0), scene_group_named_like(0)]);
}

/// A group forgotten (`removed` block) and declared again under the same name must be made
/// anew, not silently take over the forgotten group its first creation UUID made.
#[test]
fn a_group_declared_again_under_a_forgotten_name_does_not_take_over_the_old_group() {
    run(vec![Step::Forget(0, false), scene_group_named_like(0)]);
}

/// A group declared under the name another group moved away from must be made anew, not be
/// answered with the moved group (the old address's creation UUID made it).
#[test]
fn a_group_declared_under_a_name_moved_away_from_is_made_anew() {
    run(vec![Step::Rename(0, true), scene_group_named_like(0)]);
}

/// An internal group's sub-admin taken out of `members` (and so of `admins`), the apply killed
/// after the member left: the platform drops a leaving member's admin role, but `/chat/get`
/// lists no sub-admins, so the next plan took the admins from the state and asked to remove
/// one who was no longer in the group (`userNotInGroup`). Admins from the state now count
/// only while they are still members.
#[test]
fn an_internal_groups_admin_removed_with_the_member_by_a_killed_apply_is_not_removed_again() {
    run_actions(vec![
        Action {
            step: Step::Edit(0, Edit::SetKind(Kind::Internal)),
            fault: Fault::None,
        },
        Action {
            step: Step::Edit(0, Edit::RemoveMember(0)),
            fault: Fault::Kill(1),
        },
    ]);
}
