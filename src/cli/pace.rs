//! How fast a command calls DingTalk: `--rate`, else `rate:` of `dingform.yaml` (both pin the
//! pace), else the adaptive pace that starts at the documented 20/s per API and learns what the
//! organization allows. The learned rates end up in `--verbose` output.

use crate::model::Workspace;
use crate::provider::{HttpClient, RateLimit};

/// The client's rate limit for a command run with `--rate flag` (if given) in `workspace`.
pub fn rate_limit(workspace: &Workspace, flag: Option<f64>) -> RateLimit {
    let pinned = flag.or_else(|| workspace.settings.as_ref().and_then(|s| s.rate()));
    match pinned {
        Some(per_second) => RateLimit::per_second(per_second),
        None => RateLimit::adaptive(),
    }
}

/// The requests per second the plan's duration estimate assumes: the pinned rate, or the
/// documented 20 when adaptive (the estimate must not depend on what a run happened to learn).
pub fn estimate_rate(workspace: &Workspace, flag: Option<f64>) -> f64 {
    let limit = rate_limit(workspace, flag);
    if limit.adaptive {
        crate::provider::pacing::DOCUMENTED_RATE
    } else {
        limit.per_second
    }
}

/// `--rate` must be a positive number.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "`{text}` is not a number of requests per second above 0 (leave --rate out to adapt)"
        )),
    }
}

/// Log each adaptive API's pace (shown with `--verbose`).
pub fn log_learned_rates(client: &HttpClient) {
    for learned in client.learned_rates() {
        tracing::debug!(
            api = %learned.api,
            throttled_windows = learned.throttled_windows,
            "pace learned: {} at {:.1} requests/s",
            learned.api,
            learned.per_second
        );
    }
}
