//! Logging and the Prometheus recorder.

use std::io::IsTerminal as _;
pub mod catalogue;

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use metrics_process::Collector;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Latency buckets from 0.5 ms to 2.5 s: token endpoints live at the low end, argon2id near 20 ms.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Installs the process-wide metrics recorder once, describes every metric, and returns its
/// handle. The `metrics` facade is global by design; every `AppState` in a process (the tests
/// build many) shares it.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|err| eprintln!("metrics disabled: {err}"))
                .ok()?;
            catalogue::describe(process_collector());
            Some(handle)
        })
        .clone()
}

/// How often [`drain_histograms_periodically`] folds recorded latencies into their buckets: the
/// interval `PrometheusBuilder::install` uses for its own upkeep task.
pub const HISTOGRAM_UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Folds the latency samples recorded since the last call into their histogram buckets, every
/// `interval`, until the process ends. The recorder keeps every sample (8 bytes and its share of
/// a block, about 20 bytes a request) until something drains it: a scrape does, and
/// `install_recorder` leaves the rest to its caller. Without this, a server nobody scrapes (no
/// `ops_listen`, the default) grew by 7 MiB every 5 s at 70,000 requests/s (bench/README.md, "A
/// leak, boxed layers and re-prepared statements").
pub async fn drain_histograms_periodically(
    handle: PrometheusHandle,
    interval: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        handle.run_upkeep();
    }
}

/// The process metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`, open file
/// descriptors, threads, start time), read from `/proc` by `collect()` at each scrape.
pub fn process_collector() -> &'static Collector {
    static COLLECTOR: OnceLock<Collector> = OnceLock::new();
    COLLECTOR.get_or_init(Collector::default)
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`, sqlx `warn`), coloured only when stderr is a
/// terminal: escape codes in a file or a journal are noise.
pub fn init_tracing(format: LogFormat) {
    // sqlx logs each dead pooled connection and each PostgreSQL notice at `info`: during an
    // outage that is a line per connection, and the outage has its own line.
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if let Err(err) = result {
        eprintln!("tracing already initialised: {err}");
    }
}
