//! The convergence fuzzer (issue 18): random sequences of the edits people make, changes made
//! behind dingform's back and faults (platform errors, lost answers, `kill -9` mid-apply),
//! each step followed by the guarantees of `fuzz_support` (a refusal for a reason, or an apply
//! that succeeds; then an empty plan, the emulator matching the manifests, no duplicate, no
//! protected group disbanded, no secret printed). The real binary runs every command; the
//! emulator runs in process, one per case.
//!
//! Bounded for CI: `PROPTEST_CASES` cases (default 6) of up to `DINGFORM_FUZZ_STEPS` steps
//! (default 8). A failing sequence is shrunk by proptest to a minimal one, to be kept in
//! `fuzz_regressions.rs`. The long run is `convergence_long_run` (ignored):
//!
//! ```sh
//! cargo test --test it fuzz::convergence_long_run -- --ignored --nocapture
//! ```

use std::sync::atomic::Ordering;
use std::time::Instant;

use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

use crate::fuzz_support::{self, steps};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .filter(|value| *value > 0)
        .unwrap_or(default)
}

/// Run `cases` sequences of `min_steps ..= max_steps` steps; the shrunk failure, if any.
fn fuzz(cases: usize, min_steps: usize, max_steps: usize) -> Result<(), String> {
    let config = Config {
        cases: cases as u32,
        // Regressions are kept as named tests (fuzz_regressions.rs), not in a seed file.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 256,
        // Each shrink step is a whole case (seconds): stop shrinking after five minutes.
        max_shrink_time: 300_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = proptest::collection::vec(steps::action(), min_steps.min(max_steps)..=max_steps);
    runner
        .run(&strategy, |actions| {
            fuzz_support::run_case(&actions).map_err(TestCaseError::fail)
        })
        .map_err(|error| error.to_string())
}

#[test]
fn every_step_converges_under_edits_outside_changes_and_faults() {
    let cases = env_number("PROPTEST_CASES", 6);
    let steps = env_number("DINGFORM_FUZZ_STEPS", 8);
    if let Err(failure) = fuzz(cases, 1, steps) {
        panic!("the convergence fuzzer found a failing sequence (shrunk):\n{failure}");
    }
}

/// At least `DINGFORM_FUZZ_TOTAL_STEPS` (default 2,000) steps in sequences of up to
/// `DINGFORM_FUZZ_STEPS` (default 24), printing steps, cases, failures and wall time.
#[test]
#[ignore = "the long run (minutes): cargo test --test it fuzz::convergence_long_run -- --ignored --nocapture"]
fn convergence_long_run() {
    let total = env_number("DINGFORM_FUZZ_TOTAL_STEPS", 2000);
    let steps = env_number("DINGFORM_FUZZ_STEPS", 24);
    let started = Instant::now();
    let mut failures = Vec::new();
    let before = fuzz_support::STEPS_RUN.load(Ordering::Relaxed);
    while fuzz_support::STEPS_RUN.load(Ordering::Relaxed) - before < total {
        let left = total - (fuzz_support::STEPS_RUN.load(Ordering::Relaxed) - before);
        let cases = left.div_ceil(steps * 3 / 4).max(1);
        // Long sequences (at least half the maximum): a failure found here shrinks anyway.
        if let Err(failure) = fuzz(cases, steps.div_ceil(2), steps) {
            println!("FAILURE (shrunk):\n{failure}\n");
            failures.push(failure);
        }
    }
    let run = fuzz_support::STEPS_RUN.load(Ordering::Relaxed) - before;
    println!(
        "convergence fuzzer: {run} steps (shrinking included) in {} cases, {} failures, {} refusals handled, {} applies killed, {:.1} s",
        fuzz_support::CASES_RUN.load(Ordering::Relaxed),
        failures.len(),
        fuzz_support::REFUSALS.load(Ordering::Relaxed),
        fuzz_support::KILLS.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} failing sequences", failures.len());
}
