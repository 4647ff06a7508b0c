//! The signing key ring from the admin UI (SPEC §6): listing, rotating (the new key is published
//! at once and signs only after `jwks_max_age`, so caches learn it first) and retiring a key once
//! every access and ID token it signed has expired.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{AdminError, Refusal};
use crate::auth::audit::{self, Action, Actor, AuditEvent};
use crate::cluster::Event;
use crate::crypto::key_store;
use crate::crypto::keys::{Algorithm, KeyInfo, KeyStatus};
use crate::state::AppState;
use crate::store;

/// Whether a key may be retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retirement {
    AlreadyRetired,
    /// It signs new tokens; rotate first.
    SignsNow,
    Allowed,
    /// Tokens it signed are still valid until then.
    After(DateTime<Utc>),
}

/// A key of the ring and whether it may be retired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub info: KeyInfo,
    pub retirement: Retirement,
}

/// Every key, oldest first.
pub async fn list_keys(state: &AppState, now: DateTime<Utc>) -> Result<Vec<KeyRow>, AdminError> {
    let keys = key_store::list(&state.db, now).await?;
    let longest = longest_token_lifetime(state).await?;
    Ok(keys
        .iter()
        .map(|info| KeyRow {
            info: info.clone(),
            retirement: retirement(info, &keys, longest, now),
        })
        .collect())
}

/// The longest an access or ID token lives, with leeway: the default or a client's override.
async fn longest_token_lifetime(state: &AppState) -> Result<chrono::Duration, AdminError> {
    let config = &state.config;
    let overridden = store::clients::max_access_token_lifetime_secs(&state.db)
        .await?
        .and_then(|s| u64::try_from(s).ok())
        .map(Duration::from_secs)
        .unwrap_or_default();
    let longest = config.access_token_lifetime.max(overridden) + config.leeway;
    Ok(chrono::Duration::from_std(longest).unwrap_or(chrono::Duration::MAX))
}

fn retirement(
    key: &KeyInfo,
    ring: &[KeyInfo],
    longest: chrono::Duration,
    now: DateTime<Utc>,
) -> Retirement {
    match key.status {
        KeyStatus::Retired => return Retirement::AlreadyRetired,
        KeyStatus::Active => return Retirement::SignsNow,
        KeyStatus::Published => {}
    }
    let Some(activated) = key.activates_at.filter(|at| *at <= now) else {
        // Never signed anything: nothing can depend on it.
        return Retirement::Allowed;
    };
    // It stopped signing when the next key took over.
    let superseded = ring
        .iter()
        .filter(|other| other.kid != key.kid)
        .filter_map(|other| other.activates_at)
        .filter(|at| *at > activated && *at <= now)
        .min()
        .unwrap_or(now);
    let expired = superseded
        .checked_add_signed(longest)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if expired <= now {
        Retirement::Allowed
    } else {
        Retirement::After(expired)
    }
}

/// Adds a key of `alg` that signs from `now + jwks_max_age` to the ring in the database, reloads,
/// and tells the other instances to reload (they also see it at their next look at the ring's
/// version, within a second). The ring's keys sign ID tokens in every mode, and access tokens too
/// unless `algorithm` is HS*. `alg` is the published signing key's algorithm unless the operator
/// chose to change it (`sesame keys rotate --alg`).
///
/// # Errors
/// [`AdminError::Refused`] when `alg` is HS*: the shared secret is the `signing_key` setting, not
/// a key in the ring.
pub async fn rotate_key(
    state: &AppState,
    actor: &Actor,
    alg: Algorithm,
    now: DateTime<Utc>,
) -> Result<KeyInfo, AdminError> {
    if alg.is_symmetric() {
        return Err(AdminError::Refused(Refusal::SharedSecret(alg.to_string())));
    }
    let kek = state.key_encryption_key();
    let ahead = state.config.jwks_max_age;
    let info = key_store::rotate(&state.db, &state.writes, kek, alg, now, ahead).await?;
    state.reload_keys().await?;
    state.announce(Event::KeyRingChanged).await;
    let event = AuditEvent::new(actor, Action::KeyRotate)
        .target(format!("key:{}", info.kid))
        .details(json!({ "alg": info.alg.as_str(), "activates_at": info.activates_at }));
    audit::record(state, event, now).await?;
    Ok(info)
}

/// Retires `kid` if every token it signed has expired, reloads, and tells the other instances to
/// reload: it leaves the JWKS and stops verifying, here at once and on the others as soon as they
/// hear of it (within a second at the latest).
pub async fn retire_key(
    state: &AppState,
    actor: &Actor,
    kid: &str,
    now: DateTime<Utc>,
) -> Result<KeyInfo, AdminError> {
    let rows = list_keys(state, now).await?;
    let row = rows
        .iter()
        .find(|row| row.info.kid == kid)
        .ok_or(AdminError::NotFound)?;
    match row.retirement {
        Retirement::Allowed => {}
        Retirement::AlreadyRetired => {
            return Err(AdminError::Refused(Refusal::KeyRetired));
        }
        Retirement::SignsNow => {
            return Err(AdminError::Refused(Refusal::KeySigns));
        }
        Retirement::After(at) => {
            return Err(AdminError::Refused(Refusal::KeyInUse(at)));
        }
    }
    let info = key_store::retire(&state.db, &state.writes, kid, now).await?;
    state.reload_keys().await?;
    state.announce(Event::KeyRingChanged).await;
    let event = AuditEvent::new(actor, Action::KeyRetire)
        .target(format!("key:{kid}"))
        .details(json!({ "alg": info.alg.as_str() }));
    audit::record(state, event, now).await?;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::crypto::keys::Algorithm;

    fn key(kid: &str, activates_h: Option<i64>, status: KeyStatus) -> KeyInfo {
        let t0 = Utc
            .timestamp_opt(1_800_000_000, 0)
            .single()
            .unwrap_or_default();
        KeyInfo {
            kid: kid.into(),
            alg: Algorithm::RS256,
            created_at: t0,
            activates_at: activates_h.map(|h| t0 + chrono::Duration::hours(h)),
            retired_at: None,
            status,
        }
    }

    #[test]
    fn a_superseded_key_retires_once_its_longest_token_has_expired() {
        let t0 = Utc
            .timestamp_opt(1_800_000_000, 0)
            .single()
            .unwrap_or_default();
        let ring = [
            key("old", Some(0), KeyStatus::Published),
            key("new", Some(10), KeyStatus::Active),
            key("next", Some(30), KeyStatus::Published),
        ];
        let five_min = chrono::Duration::minutes(5);
        let now = t0 + chrono::Duration::hours(10) + chrono::Duration::minutes(1);
        assert_eq!(
            retirement(&ring[0], &ring, five_min, now),
            Retirement::After(t0 + chrono::Duration::hours(10) + five_min)
        );
        assert_eq!(
            retirement(&ring[0], &ring, five_min, now + five_min),
            Retirement::Allowed
        );
        assert_eq!(
            retirement(&ring[1], &ring, five_min, now),
            Retirement::SignsNow
        );
        assert_eq!(
            retirement(&ring[2], &ring, five_min, now),
            Retirement::Allowed
        );
    }
}
