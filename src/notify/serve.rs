//! `dingform notify run` as a service: a cycle, then sleep on the injected [`Clock`] until the
//! next occurrence of any registered notification or the re-read interval, whichever is
//! first, until told to stop. The caller prints; this decides when to run and what the exit
//! status is.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use super::{CycleReport, NotifyError, Runner, next_occurrence, scheduled};
use crate::model::Clock;
use crate::provider::{MessageApi, WebhookApi};
use crate::state::State;

/// What the service tells its caller as it goes.
#[derive(Debug)]
pub enum ServeEvent<'a> {
    /// A cycle ran, on this state.
    Cycle(&'a CycleReport, &'a State),
    /// The state could not be read; the cycle is skipped and tried again at the next wake.
    StateUnreadable(String),
}

/// What the service did until it was stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServeOutcome {
    /// Cycles run.
    pub cycles: usize,
    /// Whether any cycle had a failure (see [`CycleReport::is_success`]).
    pub failed: bool,
}

impl ServeOutcome {
    /// Exit 0: every cycle's occurrences went out.
    pub fn is_success(&self) -> bool {
        !self.failed
    }
}

/// Run cycles until `stop` resolves. Each cycle runs at `clock`'s now over the state
/// `read_state` returns (read again every cycle, so newly applied schedules are picked up);
/// then the service sleeps on `clock` until the next occurrence or `interval`, whichever
/// comes first. `on_event` hears each cycle's report.
pub async fn serve<A, R, F, E>(
    runner: &mut Runner<'_, A>,
    clock: &dyn Clock,
    interval: Duration,
    mut read_state: R,
    stop: impl Future<Output = ()>,
    mut on_event: impl FnMut(ServeEvent<'_>),
) -> Result<ServeOutcome, NotifyError>
where
    A: MessageApi + WebhookApi,
    R: FnMut() -> F,
    F: Future<Output = Result<State, E>>,
    E: Display,
{
    let interval = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::seconds(60));
    let mut outcome = ServeOutcome::default();
    tokio::pin!(stop);
    loop {
        let now = clock.now();
        let mut wake = now + interval;
        match read_state().await {
            Ok(state) => {
                let lock = runner.log().guard().await?;
                let report = runner.cycle(&state, now).await?;
                drop(lock);
                outcome.cycles += 1;
                outcome.failed |= !report.is_success();
                on_event(ServeEvent::Cycle(&report, &state));
                let (scheduled, _) = scheduled(&state);
                if let Some(next) = next_occurrence(&scheduled, now) {
                    wake = wake.min(next);
                }
            }
            Err(error) => on_event(ServeEvent::StateUnreadable(format!("{error:#}"))),
        }
        tokio::select! {
            () = clock.sleep_until(wake) => {}
            () = &mut stop => break,
        }
    }
    Ok(outcome)
}
