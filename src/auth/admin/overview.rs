//! The dashboard's figures: how many users, clients and outstanding refresh-token families there
//! are, logins and failures over the last 24 hours, and the signing key.

use chrono::{DateTime, Duration, Utc};

use super::AdminError;
use crate::auth::audit::{self, Action};
use crate::crypto::key_store;
use crate::crypto::keys::{Algorithm, KeyInfo, KeyStatus};
use crate::state::AppState;
use crate::store;

/// What the dashboard shows.
#[derive(Clone, Debug)]
pub struct Overview {
    pub users: u64,
    pub clients: u64,
    pub outstanding_families: u64,
    pub logins_24h: u64,
    pub login_failures_24h: u64,
    /// The algorithm of the published key that signs now (ID tokens in every mode).
    pub algorithm: Algorithm,
    /// HS* mode: the algorithm of the configured secret, which signs access and refresh tokens.
    pub shared_secret: Option<Algorithm>,
    /// The published key that signs now.
    pub signing_key: Option<KeyInfo>,
    /// A key published ahead of signing, if a rotation is under way.
    pub upcoming_key: Option<KeyInfo>,
}

/// The figures at `now`.
pub async fn overview(state: &AppState, now: DateTime<Utc>) -> Result<Overview, AdminError> {
    let db = &state.db;
    let day_ago = now - Duration::hours(24);
    let ring_snapshot = state.keys();
    let algorithm = ring_snapshot.id_token_algorithm(now);
    let shared_secret = Some(ring_snapshot.algorithm(now)).filter(|alg| alg.is_symmetric());
    let ring = key_store::list(db, now).await?;
    let signing_key = ring.iter().find(|k| k.status == KeyStatus::Active).cloned();
    let upcoming_key = ring
        .iter()
        .filter(|k| k.status == KeyStatus::Published && k.activates_at.is_some_and(|at| at > now))
        .min_by_key(|k| k.activates_at)
        .cloned();
    Ok(Overview {
        users: store::users::count(db).await?,
        clients: store::clients::count(db).await?,
        outstanding_families: store::refresh_tokens::count_outstanding_families(db, now).await?,
        logins_24h: audit::count_since(state, Action::LoginSuccess, day_ago).await?,
        login_failures_24h: audit::count_since(state, Action::LoginFailure, day_ago).await?,
        algorithm,
        shared_secret,
        signing_key,
        upcoming_key,
    })
}
