//! The coordinator: runs ready steps side by side, records each result, writes state.
//!
//! It is the only writer of state. Before any create is sent, its intent is in the store;
//! after every batch of completed steps the state is written again (atomically, a
//! compare-and-swap on its serial), so a killed apply loses at most the answers in flight, which the creation
//! uuids recover.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::task::JoinSet;

use super::error::ApplyError;
use super::graph::{Step, StepKind, steps};
use super::group::{self, GroupOutcome, Known};
use super::record;
use crate::model::{Address, Clock, SystemClock};
pub use crate::plan::outcome::{Report, StepOutcome};
use crate::plan::{Action, Plan};
use crate::provider::DingTalkApi;
use crate::state::State;
use crate::state::store::{self, StateStore, StoreLock};

/// How an apply runs.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Steps in flight at once (the client's per-API rate limiter paces the requests).
    pub concurrency: usize,
    /// Set (by Ctrl-C) to stop starting steps: those in flight finish and are recorded.
    pub interrupt: Interrupt,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: 64,
            interrupt: Interrupt::default(),
        }
    }
}

/// A request to stop an apply the way Terraform stops on Ctrl-C: no new step starts, the
/// requests in flight finish, their answers are recorded in state, and the report says what
/// was not started. Stopping at once instead would turn every create in flight into an
/// unconfirmed one (a `create-unverified` error for a standard group, which has no uuid).
#[derive(Clone, Debug, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Ask the apply to stop after the steps in flight.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether it was asked to stop.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Where progress goes (a bar on a terminal, lines otherwise); implemented by the CLI.
pub trait Progress: Send + Sync {
    /// The apply starts with `steps` changes to carry out.
    fn start(&self, steps: usize);
    /// A change ended: once per change, even when it takes two steps (a replace's disband
    /// and create, an import's adoption and update).
    fn step(&self, address: &Address, action: Action, outcome: &StepOutcome);
}

/// Count `step`, done, the way the plan counts its change: the halves of a replace as the
/// one destroyed and the one added, an import or move with changes once, as imported or
/// moved (`Plan::summary`).
fn count(report: &mut Report, step: &Step) {
    match (step.kind, step.change.action) {
        (StepKind::DisbandForReplace, _) => report.destroyed += 1,
        (_, Action::Create | Action::Replace) => report.added += 1,
        (_, Action::Update) => report.changed += 1,
        (_, Action::Delete) => report.destroyed += 1,
        _ if !step.finishes_change() => {}
        (_, Action::Import) => report.imported += 1,
        (_, Action::Move) => report.moved += 1,
        (_, Action::Forget) => report.forgotten += 1,
        (_, Action::NoOp) => {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Waiting,
    Running,
    Done,
    Failed,
}

/// Carry out `plan` against `api`, starting from `state` (read under `lock`) and writing
/// every completed step to `store`.
pub async fn apply<A: DingTalkApi + 'static>(
    api: Arc<A>,
    plan: &Plan,
    mut state: State,
    store: &dyn StateStore,
    lock: &StoreLock,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<Report, ApplyError> {
    let steps = steps(plan);
    progress.start(steps.iter().filter(|s| s.finishes_change()).count());
    let mut status = vec![Status::Waiting; steps.len()];
    let mut report = Report::default();
    let mut running: JoinSet<(usize, GroupOutcome)> = JoinSet::new();
    // The entry before each running create's intent, to restore if the create is refused.
    let mut previous = vec![None; steps.len()];
    loop {
        let mut dirty = false;
        let mut to_spawn = Vec::new();
        let mut progressed = true;
        while progressed {
            progressed = false;
            for index in 0..steps.len() {
                if status[index] != Status::Waiting {
                    continue;
                }
                let step = &steps[index];
                if let Some(&blocker) = step
                    .depends_on
                    .iter()
                    .find(|&&d| status[d] == Status::Failed)
                {
                    status[index] = Status::Failed;
                    let waiting_for = steps[blocker].change.address.clone();
                    progressed = true;
                    // The second half of a change whose first failed: reported once, failed.
                    if waiting_for == step.change.address {
                        continue;
                    }
                    let outcome = StepOutcome::Skipped {
                        waiting_for: waiting_for.clone(),
                    };
                    progress.step(&step.change.address, step.change.action, &outcome);
                    report
                        .skipped
                        .push((step.change.address.clone(), waiting_for));
                    continue;
                }
                if !step.depends_on.iter().all(|&d| status[d] == Status::Done) {
                    continue;
                }
                if options.interrupt.is_set() {
                    continue;
                }
                if step.kind == StepKind::StateOnly {
                    record::state_only(&mut state, step);
                    status[index] = Status::Done;
                    count(&mut report, step);
                    if step.finishes_change() {
                        progress.step(&step.change.address, step.change.action, &StepOutcome::Done);
                    }
                    dirty = true;
                    progressed = true;
                } else if running.len() + to_spawn.len() < options.concurrency {
                    status[index] = Status::Running;
                    if step.kind == StepKind::CreateGroup {
                        previous[index] = state.resources.get(&step.change.address).cloned();
                        record::intent(&mut state, step);
                        dirty = true;
                    }
                    to_spawn.push(index);
                }
            }
        }
        if dirty {
            // Intents reach the disk before their creates are sent.
            store::write(store, &mut state, lock).await?;
        }
        for index in to_spawn {
            let step = steps[index].clone();
            let known = Known::from_state(state.resources.get(&step.change.address));
            let api = api.clone();
            running.spawn(async move { (index, group::run(&*api, &step, known).await) });
        }
        let Some(first) = running.join_next().await else {
            break;
        };
        let mut finished = vec![first];
        while let Some(more) = running.try_join_next() {
            finished.push(more);
        }
        for joined in finished {
            let (index, outcome) = joined.expect("apply steps do not panic");
            let step = &steps[index];
            record::group(
                &mut state,
                step,
                &outcome,
                previous[index].take(),
                SystemClock.now(),
            );
            let result = match outcome.failure {
                Some(failure) => {
                    status[index] = Status::Failed;
                    report.failed.push(failure.clone());
                    StepOutcome::Failed(failure)
                }
                None => {
                    status[index] = Status::Done;
                    count(&mut report, step);
                    if !step.finishes_change() {
                        continue;
                    }
                    StepOutcome::Done
                }
            };
            progress.step(&step.change.address, step.change.action, &result);
        }
        store::write(store, &mut state, lock).await?;
    }
    if options.interrupt.is_set() {
        report.interrupted = true;
        // Changes, not steps: a replace whose disband is done and whose create is not counts once.
        let not_started: std::collections::BTreeSet<&Address> = steps
            .iter()
            .zip(&status)
            .filter(|(_, s)| **s == Status::Waiting)
            .map(|(step, _)| &step.change.address)
            .collect();
        report.not_started = not_started.len();
    }
    Ok(report)
}
