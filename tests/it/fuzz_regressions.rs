//! Sequences the convergence fuzzer (`fuzz.rs`) found failing, shrunk to a minimal one each,
//! kept by name with the fix in src/. Each runs the fuzzer's whole check after every step.

use crate::fuzz_support::run_case;
use crate::fuzz_support::steps::{Action, Fault, Step};

fn run(steps: Vec<Step>) {
    let actions: Vec<Action> = steps
        .into_iter()
        .map(|step| Action {
            step,
            fault: Fault::None,
        })
        .collect();
    if let Err(failure) = run_case(&actions) {
        panic!("{failure}");
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
