//! The login throttles in force (SPEC §10, `auth::throttle`): every source with recent failures
//! on an account, how long it must still wait, and clearing one (audited as `throttle.clear`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::AdminError;
use crate::auth::audit::{self, Action, Actor, AuditEvent};
use crate::auth::throttle;
use crate::state::AppState;
use crate::store;
use crate::store::login_attempts::Pair;

/// One source's recent failures on one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub pair: Pair,
    /// The account's username, when the key names a user that still exists.
    pub username: Option<String>,
    /// Failures within `throttle::RETENTION`.
    pub failures: u64,
    pub latest: DateTime<Utc>,
    /// How long the source must still wait on this account (its own delay), if at all.
    pub wait: Option<Duration>,
}

/// The pairs with failures within `throttle::RETENTION` of `now`, most recent first; at most
/// `limit`.
pub async fn list_throttles(
    state: &AppState,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Throttle>, AdminError> {
    let since = now - chrono::Duration::from_std(throttle::RETENTION).unwrap_or_default();
    let pairs = store::login_attempts::list_pairs(&state.db, since, limit).await?;
    let mut throttles = Vec::with_capacity(pairs.len());
    for (pair, summary) in pairs {
        let user_id = pair
            .account_key
            .strip_prefix("user:")
            .and_then(|id| id.parse().ok());
        let username = match user_id {
            Some(id) => store::users::find_by_id(&state.db, id)
                .await?
                .map(|u| u.username),
            None => None,
        };
        throttles.push(Throttle {
            username,
            failures: summary.count,
            latest: summary.latest.unwrap_or(now),
            wait: throttle::source_wait(summary, now),
            pair,
        });
    }
    Ok(throttles)
}

/// Forgets the failures of one source on one account, so it is checked again at once; answers
/// how many were forgotten (0: nothing to do, and nothing is recorded).
pub async fn clear_throttle(
    state: &AppState,
    actor: &Actor,
    pair: &Pair,
    now: DateTime<Utc>,
) -> Result<u64, AdminError> {
    if pair.account_key.is_empty() {
        return Err(AdminError::NotFound);
    }
    let clear = store::login_attempts::delete_pair(&state.db, pair);
    let cleared = state.writes.run(clear).await?;
    if cleared > 0 {
        let details = json!({ "ip": pair.ip_key, "device": pair.device_key, "failures": cleared });
        let event = AuditEvent::new(actor, Action::ThrottleClear)
            .target(pair.account_key.clone())
            .details(details);
        audit::record(state, event, now).await?;
    }
    Ok(cleared)
}
