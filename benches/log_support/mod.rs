//! What the benches that drive the pace share: their log, on request.

/// With `DINGFORM_BENCH_LOG` set (e.g. `dingform::provider=debug`: each request and its
/// answer, and each throttled window's decrease), log to stderr with the time since the bench
/// started, to set against the emulator's windows.
pub fn init_from_env() {
    if let Ok(filter) = std::env::var("DINGFORM_BENCH_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_timer(tracing_subscriber::fmt::time::uptime())
            .with_writer(std::io::stderr)
            .init();
    }
}
