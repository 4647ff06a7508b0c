//! Starting the server: state from configuration, the listener, key reloading, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::auth::admin::{AdminError, users};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::crypto::keys::KeyRing;
use crate::router::{build_ops_router, build_router};
use crate::state::AppState;
use crate::{store, telemetry};

/// How often the key ring is re-read, so keys rotated by the CLI or another instance are picked up.
const KEY_RELOAD_INTERVAL: Duration = Duration::from_secs(60);

/// Connects and migrates the database and loads (or on first start creates) the key ring.
pub async fn build_state(
    config: Config,
    metrics: Option<PrometheusHandle>,
    clock: SharedClock,
) -> anyhow::Result<AppState> {
    let db = store::connect(
        config.database_url.expose(),
        config.database_max_connections,
    )
    .await
    .context("connecting to the database")?;
    store::migrate(&db)
        .await
        .context("migrating the database")?;
    let keys = init_keys(&config, clock.now())?;
    Ok(AppState::new(db, config, keys, metrics, clock))
}

/// Loads the key ring of `keys_dir`, generating its first key if it has none (what `serve` and
/// `migrate` do; the operator commands only load).
pub fn init_keys(config: &Config, now: DateTime<Utc>) -> anyhow::Result<KeyRing> {
    let secret = config.signing_key.as_ref().map(|s| s.expose().as_bytes());
    KeyRing::load_or_init(
        &config.keys_dir,
        config.algorithm,
        config.id_token_algorithm,
        secret,
        now,
    )
    .with_context(|| format!("loading keys from {}", config.keys_dir.display()))
}

/// `sesame serve`.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    let state = build_state(config, telemetry::metrics_handle(), SharedClock::default()).await?;
    bootstrap_admin(&state).await?;
    let cost = state.config.argon2;
    if cost.below_owasp() {
        tracing::warn!(
            m_cost = cost.m_cost,
            t_cost = cost.t_cost,
            "[argon2] is cheaper than OWASP's recommendation (m_cost 19456 KiB, t_cost 2): \
             password hashes are easier to crack if the database leaks"
        );
    }
    tracing::info!(
        kid = state.keys().signing_key_id(state.now()),
        issuer = %state.config.issuer,
        "signing key loaded"
    );
    tokio::spawn(reload_keys_periodically(state.clone()));
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(%listen, "listening");
    if let Some(ops_listen) = state.config.ops_listen {
        spawn_ops_listener(ops_listen, state.clone()).await?;
    }
    axum::serve(
        listener,
        build_router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving")?;
    tracing::info!("shut down");
    Ok(())
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
            let problems: Vec<String> = errors
                .fields()
                .map(|field| format!("{field}: {}", errors.get(field).unwrap_or_default()))
                .collect();
            tracing::error!(problems = %problems.join("; "), "bootstrap_admin refused");
        }
        Err(err) => return Err(err).context("creating the bootstrap admin"),
    }
    Ok(())
}

async fn reload_keys_periodically(state: AppState) {
    let mut interval = tokio::time::interval(KEY_RELOAD_INTERVAL);
    interval.tick().await;
    loop {
        interval.tick().await;
        if let Err(err) = state.reload_keys(state.now()) {
            tracing::error!(error = %err, "reloading keys failed; keeping the current ring");
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
