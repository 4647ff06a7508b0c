//! Starting the server: state from configuration, the listener, key reloading, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::admin::{AdminError, users};
use crate::auth::maintenance;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::crypto::key_store;
use crate::crypto::keys::KeyError;
use crate::router::{build_ops_router, build_router};
use crate::state::AppState;
use crate::store::availability::redacted_url;
use crate::views::PageLanguage;
use crate::views::admin::messages::FieldMessages;
use crate::{cluster, paths, store, telemetry};

pub mod connections;

use connections::ConnectionLimits;

/// File descriptors kept back from `max_connections` for the database pool, key files and logs.
const RESERVED_FILES: u64 = 256;

/// How often the ring's version is read, so keys rotated by the CLI or another instance are picked
/// up within this (one row: cheap on SQLite and PostgreSQL alike).
const KEY_RING_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Connects and migrates the database, loads (or on first start creates) the key ring, and starts
/// listening for other instances' changes (PostgreSQL).
pub async fn build_state(
    config: Config,
    metrics: Option<PrometheusHandle>,
    clock: SharedClock,
) -> anyhow::Result<AppState> {
    Ok(start(config, metrics, clock).await?.0)
}

/// [`build_state`], and whether the signing key was generated just now.
async fn start(
    config: Config,
    metrics: Option<PrometheusHandle>,
    clock: SharedClock,
) -> anyhow::Result<(AppState, bool)> {
    let db = store::open::open(
        config.database_url.expose(),
        config.database_max_connections,
        config.database_acquire_timeout,
    )
    .await?;
    store::migrate(&db, &crate::progress::Silent)
        .await
        .context("migrating the database")?;
    let started = init_keys(&db, &config, clock.now()).await?;
    let state = AppState::new(db, config, started.ring, started.kek, metrics, clock);
    cluster::listener::spawn(&state).await;
    Ok((state, started.generated))
}

/// Loads the key ring from the database; on an empty ring, first imports `keys_dir` (an earlier
/// version's keys) or generates the first keys, creating `keys_dir/master.key` if no
/// `key_encryption_key` is set. What `serve` and `migrate` do; the operator commands only load.
///
/// # Errors
/// A ring this instance's key-encryption key cannot open (nothing is written then), a key
/// directory that cannot be imported, the database's.
pub async fn init_keys(
    db: &DatabaseConnection,
    config: &Config,
    now: DateTime<Utc>,
) -> anyhow::Result<key_store::Started> {
    let configured = config
        .key_encryption_key()
        .context("reading the key-encryption key")?;
    let started = key_store::start(db, &config.keys_dir, configured, config.key_modes(), now)
        .await
        .context("loading the key ring")?;
    Ok(started)
}

/// `sesame serve`.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    let (state, key_generated) =
        start(config, telemetry::metrics_handle(), SharedClock::default()).await?;
    bootstrap_admin(&state).await?;
    let cost = state.config.argon2;
    if cost.below_owasp() {
        tracing::warn!(
            m_cost = cost.m_cost,
            t_cost = cost.t_cost,
            "[argon2] is cheaper than every OWASP configuration (m_cost 7168 KiB with t_cost 5, \
             up to 47104 KiB with t_cost 1): password hashes are easier to crack if the \
             database leaks"
        );
    }
    if !store::sqlite_plans_are_stable(&state.db).await? {
        tracing::warn!(
            "this build's SQLite plans statements anew for each value bound to a LIMIT: \
             every lookup is parsed again (build with LIBSQLITE3_FLAGS=-DSQLITE_ENABLE_QPSG, \
             as the repository's .cargo/config.toml does)"
        );
    }
    tokio::spawn(check_key_ring_periodically(state.clone()));
    if let Some(handle) = state.metrics.clone() {
        tokio::spawn(telemetry::drain_histograms_periodically(
            handle,
            telemetry::HISTOGRAM_UPKEEP_INTERVAL,
        ));
    }
    if !state.config.expiry_cleanup_interval.is_zero() {
        tokio::spawn(clean_up_expired_periodically(state.clone()));
    }
    tokio::spawn(store::wal::checkpoint_periodically(state.writes.clone()));
    let limits = connection_limits(&state.config);
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    if let Some(ops_listen) = state.config.ops_listen {
        spawn_ops_listener(ops_listen, state.clone()).await?;
    }
    log_start(&state, &listener, key_generated, limits.max_connections);
    connections::serve(listener, build_router(state), limits, shutdown_signal()).await;
    tracing::info!("shut down");
    Ok(())
}

/// The one line that says what this process is: version, database (password redacted), the
/// address it listens on, the signing key, and where the admin UI is.
fn log_start(
    state: &AppState,
    listener: &TcpListener,
    key_generated: bool,
    max_connections: usize,
) {
    let keys = state.keys();
    let now = state.now();
    let config = &state.config;
    let listen = listener
        .local_addr()
        .map_or_else(|_| config.listen.to_string(), |addr| addr.to_string());
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        database = %redacted_url(config.database_url.expose()),
        %listen,
        key_alg = %keys.algorithm(now),
        kid = keys.signing_key_id(now),
        key_generated,
        issuer = %config.issuer,
        admin = %format!("{}{}", config.issuer, paths::ADMIN),
        ops = ?config.ops_listen,
        max_connections,
        "sesame started"
    );
}

/// The configured limits, with `max_connections` lowered to fit the open-file limit (raised to
/// its hard limit first): past it `accept` would fail instead of waiting.
fn connection_limits(config: &Config) -> ConnectionLimits {
    let mut limits = ConnectionLimits::from_config(config);
    if let Some(files) = connections::raise_open_file_limit() {
        let fit = usize::try_from(files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
        if fit < limits.max_connections {
            tracing::warn!(
                open_file_limit = files,
                max_connections = fit,
                "the open-file limit is lower than max_connections; serving fewer at once"
            );
            limits.max_connections = fit.max(1);
        }
    }
    limits
}

/// Binds `ops_listen` and serves the ops router on it (health, readiness, metrics) until the
/// process ends; a scrape in flight at shutdown is simply cut.
async fn spawn_ops_listener(ops_listen: SocketAddr, state: AppState) -> anyhow::Result<()> {
    let listener = TcpListener::bind(ops_listen)
        .await
        .with_context(|| format!("binding ops_listen {ops_listen}"))?;
    tracing::info!(%ops_listen, "ops listener: /metrics, /healthz, /readyz");
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, build_ops_router(state)).await {
            tracing::error!(error = %err, "the ops listener stopped");
        }
    });
    Ok(())
}

/// Creates the first admin from `bootstrap_admin` and `bootstrap_admin_password`, while no active
/// admin exists. Input the password policy or a taken username refuses is logged, not fatal: the
/// server is still useful, and `sesame user add --admin` remains.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let config = &state.config;
    let (Some(username), Some(password)) =
        (&config.bootstrap_admin, &config.bootstrap_admin_password)
    else {
        return Ok(());
    };
    match users::bootstrap_admin(state, username, password.expose(), state.now()).await {
        Ok(Some(user)) => tracing::info!(username = %user.username, "created the first admin"),
        Ok(None) => tracing::debug!("an admin exists; bootstrap_admin is ignored"),
        Err(AdminError::Invalid(errors)) => {
            let problems: Vec<String> = FieldMessages::new(&errors, PageLanguage::En)
                .iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect();
            tracing::error!(problems = %problems.join("; "), "bootstrap_admin refused");
        }
        Err(err) => return Err(err).context("creating the bootstrap admin"),
    }
    Ok(())
}

/// Reads the ring's version every second and reloads the ring when it moved. An unreachable
/// database is logged once by the availability watch, not here every second.
async fn check_key_ring_periodically(state: AppState) {
    let mut interval = tokio::time::interval(KEY_RING_CHECK_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        match state.check_key_ring().await {
            Ok(_) => {}
            Err(KeyError::Database(err)) if store::availability::is_unavailable(&err) => {}
            Err(err) => {
                tracing::error!(error = %err, "reloading the key ring failed; keeping the current one");
            }
        }
    }
}

/// Deletes expired rows every `expiry_cleanup_interval`, the first time at start-up (a server
/// restarted more often than the interval still cleans up), with one log line per run.
async fn clean_up_expired_periodically(state: AppState) {
    let mut interval = tokio::time::interval(state.config.expiry_cleanup_interval);
    // A run that took longer than the interval is not followed by a burst of catch-up runs.
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let started = std::time::Instant::now();
        let batch = maintenance::SERVER_BATCH;
        match maintenance::delete_expired(&state, state.now(), batch, &crate::progress::Silent)
            .await
        {
            Ok(flushed) => tracing::info!(
                refresh_tokens = flushed.refresh_tokens,
                revocations = flushed.revocations,
                sessions = flushed.sessions,
                authorization_codes = flushed.authorization_codes,
                login_attempts = flushed.login_attempts,
                elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "expired rows deleted"
            ),
            // The outage itself is logged once, by the availability watch.
            Err(crate::auth::Error::Unavailable(_)) => {
                tracing::warn!(
                    "deleting expired rows: the database is unreachable; next run later"
                );
            }
            Err(err) => tracing::error!(error = %err, "deleting expired rows failed"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
