//! Injected faults (`POST /_emulator/faults`): the platform's own throttling and system-busy
//! errors and 5xx in each host's envelope (`error_rate`), answers delayed (`latency_ms`), a QPS
//! limit per app per API as the platform counts (`qps_limit`: 90018 / 403
//! `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`), connections dropped without an answer
//! (`drop_rate`), and work-notification recipients whose delivery fails
//! (`delivery_failure_rate`, listed in `failed_user_id_list`). Each POST replaces the whole set.
//! The admin API itself is never faulted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::Refusal;
use super::host::query_pairs;
use crate::model::wire::ACCESS_TOKEN_HEADER;

/// The fault set; a field left out is off.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSet {
    /// Share of requests answered with an injected platform error (0.0–1.0).
    pub error_rate: f64,
    /// Delay before each answer.
    pub latency_ms: u64,
    /// Calls per second per app per API; more are refused with the platform's throttling error.
    pub qps_limit: Option<u32>,
    /// Share of requests whose connection is dropped without an answer (0.0–1.0).
    pub drop_rate: f64,
    /// Share of work-notification recipients whose delivery fails (0.0–1.0).
    pub delivery_failure_rate: f64,
}

impl FaultSet {
    /// Refuse rates outside 0–1 and a zero QPS limit.
    pub fn check(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
            ("delivery_failure_rate", self.delivery_failure_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0.0 and 1.0, got {rate}"));
            }
        }
        if self.qps_limit == Some(0) {
            return Err("qps_limit must be at least 1 (leave it out to turn it off)".to_owned());
        }
        Ok(())
    }
}

/// The live fault set and the QPS counters.
#[derive(Debug, Default)]
pub struct Faults {
    set: RwLock<FaultSet>,
    /// (app, API) → what `qps_limit` counted.
    qps: Mutex<HashMap<(String, String), QpsCount>>,
    started: Option<Instant>,
}

/// What `qps_limit` counted for one app and one API since the fault set was posted
/// (`GET /_emulator/qps`): the platform's fixed one-second windows, one count per window.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QpsCount {
    /// The app key (`-` before a token is known).
    pub app: String,
    /// The API as the platform counts it: the route's path template (ids not substituted).
    pub api: String,
    /// Calls let through.
    pub admitted: u64,
    /// Calls refused with the throttling error.
    pub refused: u64,
    /// The first window counted (seconds since the emulator started).
    pub first_window: u64,
    /// Calls let through in each window from `first_window` on (idle windows are 0).
    pub windows: Vec<u32>,
}

impl Faults {
    /// No faults.
    pub fn new() -> Self {
        Self {
            started: Some(Instant::now()),
            ..Self::default()
        }
    }

    /// The current set.
    pub fn get(&self) -> FaultSet {
        self.set
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Replace the set (and restart the QPS counting).
    pub fn replace(&self, set: FaultSet) {
        *self
            .set
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = set;
        self.qps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// Count a call; false when over the limit in this second.
    fn admit(&self, app: &str, api: &str, limit: u32) -> bool {
        let second = self
            .started
            .map(|started| started.elapsed().as_secs())
            .unwrap_or_default();
        let mut counters = self
            .qps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = counters
            .entry((app.to_owned(), api.to_owned()))
            .or_insert_with(|| QpsCount {
                app: app.to_owned(),
                api: api.to_owned(),
                first_window: second,
                ..QpsCount::default()
            });
        let index = second.saturating_sub(count.first_window) as usize;
        if count.windows.len() <= index {
            count.windows.resize(index + 1, 0);
        }
        let admitted = count.windows[index] < limit;
        if admitted {
            count.windows[index] += 1;
            count.admitted += 1;
        } else {
            count.refused += 1;
        }
        admitted
    }

    /// How far into its current one-second window `qps_limit` counts now (windows begin at
    /// every whole second since the emulator started), so that a client can start at a chosen
    /// point of a window.
    pub fn window_phase(&self) -> Duration {
        let elapsed = self
            .started
            .map(|started| started.elapsed())
            .unwrap_or_default();
        Duration::from_nanos(u64::from(elapsed.subsec_nanos()))
    }

    /// What `qps_limit` counted, sorted by app and API.
    pub fn qps_counts(&self) -> Vec<QpsCount> {
        let counters = self
            .qps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut counts: Vec<QpsCount> = counters.values().cloned().collect();
        counts.sort_by(|a, b| (&a.app, &a.api).cmp(&(&b.app, &b.api)));
        counts
    }
}

/// Put into each request by the emulator's own server: firing it closes the connection
/// without an answer.
#[derive(Clone, Debug)]
pub struct ConnectionKill(pub Arc<tokio::sync::Notify>);

/// The middleware applying the fault set to every non-admin request.
pub async fn apply(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let faults = state.faults.get();
    let path = request.uri().path().to_owned();
    // The platform counts per API, not per concrete path (`/v1.0/im/chat/{chatId}/…`).
    let api = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| path.clone(), |matched| matched.as_str().to_owned());
    let api_host = path.starts_with("/v1.0/");
    let refuse = |refusal: Refusal| -> Response { super::host::refusal_response(&path, refusal) };
    if faults.drop_rate > 0.0 && rand::random::<f64>() < faults.drop_rate {
        if let Some(kill) = request.extensions().get::<ConnectionKill>() {
            kill.0.notify_one();
            // The connection task drops this future with the connection.
            std::future::pending::<()>().await;
        }
        return refuse(Refusal::SystemError("connection dropped".to_owned()));
    }
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if let Some(limit) = faults.qps_limit {
        let app = calling_app(&state, &request);
        if !state.faults.admit(&app, &api, limit) {
            return refuse(Refusal::QpsLimit);
        }
    }
    if faults.error_rate > 0.0 && rand::random::<f64>() < faults.error_rate {
        return injected_error(api_host, &refuse);
    }
    let method = request.method().clone();
    let response = next.run(request).await;
    // The path only: queries carry tokens, which never reach a log.
    tracing::debug!(%method, %path, status = %response.status(), "emulator answered");
    response
}

/// One of the platform's transient errors, in the host's envelope.
fn injected_error(api_host: bool, refuse: &dyn Fn(Refusal) -> Response) -> Response {
    match rand::random_range(0..3u8) {
        0 => refuse(Refusal::SystemBusy),
        1 => refuse(Refusal::QpsLimitForApi),
        _ if api_host => refuse(Refusal::SystemError("injected".to_owned())),
        _ => {
            // A gateway failure in front of the oapi host: 5xx with the oapi envelope.
            let mut response = refuse(Refusal::SystemError("injected".to_owned()));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

/// Which app a request comes from (the platform counts QPS per app per API).
fn calling_app(state: &AppState, request: &Request) -> String {
    let query = query_pairs(request.uri().query());
    let token = request
        .headers()
        .get(ACCESS_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            query
                .iter()
                .find(|(key, _)| key == "access_token")
                .map(|(_, value)| value.clone())
        });
    if let Some(token) = token
        && let Some(app) = state.store.read(|world| {
            world
                .tokens
                .get(&token)
                .map(|record| record.app_key.clone())
        })
    {
        return app;
    }
    query
        .into_iter()
        .find(|(key, _)| key == "appkey")
        .map(|(_, value)| value)
        .unwrap_or_else(|| "-".to_owned())
}
