//! Every metric Sesame records, described once here: the exporter turns each description into
//! the `# HELP` line above the metric (the `# TYPE` line it writes by itself).

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_process::Collector;

use crate::store::pool::PoolStats;

/// Describes Sesame's metrics and the process collector's, and sets `sesame_build_info`. Called
/// once, right after the recorder is installed.
pub fn describe(process: &Collector) {
    describe_counter!(
        "http_requests_total",
        "HTTP requests answered on the public listener, by matched route, method and status."
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request on the public listener, by matched route and method."
    );
    describe_counter!(
        "sesame_tokens_issued_total",
        "Token responses issued, by grant (authorization_code, client_credentials, password, \
         refresh_token, sliding)."
    );
    describe_counter!(
        "sesame_authorization_codes_issued_total",
        "Authorization codes issued by /oauth/authorize."
    );
    describe_counter!(
        "sesame_revocations_total",
        "Tokens revoked, by reason (logout, reuse, admin, password change, ...)."
    );
    describe_counter!(
        "sesame_refresh_reuse_total",
        "Rotated refresh tokens presented again after the grace period: each revoked its family."
    );
    describe_counter!(
        "sesame_code_reuse_total",
        "Authorization codes presented a second time: each revoked the tokens issued for it."
    );
    describe_counter!(
        "sesame_failures_total",
        "Requests refused on the OAuth and /api/ surfaces, by error reason."
    );
    describe_counter!(
        "sesame_login_failures_total",
        "Refused password logins, by surface (oauth, api, compat, form) and reason \
         (invalid_credentials, throttled)."
    );
    describe_counter!(
        "sesame_login_throttled_total",
        "Login attempts refused because the account or the client IP must wait."
    );
    describe_counter!(
        "sesame_cluster_events_sent_total",
        "Changes this instance announced to the others through PostgreSQL NOTIFY, by kind \
         (client, user, jti, everything, key_ring)."
    );
    describe_counter!(
        "sesame_cluster_send_failures_total",
        "Announcements that failed after their change committed, by kind: the other instances \
         see those changes within cache_ttl."
    );
    describe_counter!(
        "sesame_cluster_events_received_total",
        "Other instances' changes applied here, by kind (client, user, jti, everything, key_ring)."
    );
    describe_gauge!(
        "sesame_cluster_listener_connected",
        "1 while the connection that LISTENs for other instances' changes is up, 0 while it is \
         being re-established (PostgreSQL only)."
    );
    describe_counter!(
        "sesame_cluster_listener_reconnects_total",
        "Times the listener reconnected after losing its connection; each cleared every cache."
    );
    describe_gauge!(
        "sesame_build_info",
        "Always 1; the version label names the running build."
    );
    describe_gauge!(
        "sesame_db_pool_connections",
        "Database pool connections, by state: in_use (checked out) or idle."
    );
    describe_gauge!(
        "sesame_db_pool_max_connections",
        "The most connections the database pool may open (database_max_connections)."
    );
    describe_gauge!(
        "sesame_sqlite_wal_bytes",
        Unit::Bytes,
        "Size of the SQLite write-ahead log file, as the last write's turn found it."
    );
    describe_counter!(
        "sesame_sqlite_wal_checkpoints_total",
        "SQLite WAL checkpoints, by trigger (bound: the log had passed its bound; interval: the \
         periodic one) and outcome (reset: the log was emptied; busy: a reader or another \
         process kept it from being emptied within the wait; error)."
    );
    process.describe();
    metrics::gauge!("sesame_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

/// Sets the pool gauges from a snapshot; read at each scrape, since the pool keeps no history.
pub fn record_pool(stats: PoolStats) {
    let gauge = |state: &'static str, value: u32| {
        metrics::gauge!("sesame_db_pool_connections", "state" => state).set(f64::from(value));
    };
    gauge("in_use", stats.in_use());
    gauge("idle", stats.idle);
    metrics::gauge!("sesame_db_pool_max_connections").set(f64::from(stats.max));
}
