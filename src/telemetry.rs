//! Tracing set-up: human-readable lines by default, JSON with
//! `AIMPACT_LOG_FORMAT=json`, filtered by `AIMPACT_LOG` / `RUST_LOG`.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The Prometheus series this process records (`metrics` with its
/// Prometheus exporter), served on `GET /internal/metrics`. Names and
/// labels are listed in README's operations section; labels are always
/// few (routes, queues, services, statuses), never ids.
pub mod series {
    /// HTTP requests by matched route and status (counter).
    pub const HTTP_REQUESTS: &str = "aimpact_http_requests_total";
    /// HTTP request latency by matched route (histogram, seconds).
    pub const HTTP_SECONDS: &str = "aimpact_http_request_duration_seconds";
    /// Jobs waiting to start, by queue (gauge, read at scrape time).
    pub const JOB_DEPTH: &str = "aimpact_job_queue_depth";
    /// Enqueue → start, by queue (histogram, seconds).
    pub const JOB_START_SECONDS: &str = "aimpact_job_start_latency_seconds";
    /// How long runs take, by queue (histogram, seconds): sync durations
    /// are `queue="github.sync"` and `queue="jira.sync"`.
    pub const JOB_SECONDS: &str = "aimpact_job_duration_seconds";
    /// Job runs by queue and outcome: ok, error (retried), failed (for
    /// good), joined (a single-run job that joined the run in progress).
    pub const JOBS: &str = "aimpact_jobs_total";
    /// Job workers restarted after failing, by queue (counter).
    pub const WORKER_RESTARTS: &str = "aimpact_job_worker_restarts_total";
    /// Pages read from outside APIs, by list (counter).
    pub const API_PAGES: &str = "aimpact_api_pages_total";
    /// How long write transactions hold the database (histogram, seconds;
    /// on SQLite every other writer waits meanwhile).
    pub const DB_WRITE_SECONDS: &str = crate::store::DB_WRITE_SECONDS;
    /// Calls to Slack, GitHub and Jira by service and status (counter;
    /// `status="429"` counts rate limits).
    pub const OUTBOUND: &str = "aimpact_outbound_requests_total";
}

/// Counts one call to an outside service (`slack`, `github`, `jira`,
/// `atlassian`) with its HTTP status or `transport` / `error`.
pub fn outbound(service: &'static str, status: &str) {
    metrics::counter!(series::OUTBOUND, "service" => service, "status" => status.to_string())
        .increment(1);
}

/// The process's Prometheus handle: the recorder is installed on first use
/// (tests build many apps in one process; they share it).
pub fn prometheus() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    use std::sync::OnceLock;
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let seconds = [
            0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
            300.0, 1800.0, 7200.0,
        ];
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_buckets(&seconds)
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| {
                metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder()
            });
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "a metrics recorder was already installed; /internal/metrics shows only its own"
            );
        }
        handle
    })
}
