//! What the ring says about each key apart from its material: what it is for, where it stands at
//! an instant, and which key signs when (SPEC §6).

use chrono::{DateTime, Utc};
use serde::Serialize;
use zeroize::Zeroizing;

use super::algorithm::Algorithm;
use super::key_error::KeyError;
use super::material::{self, Material};

/// What a key of the ring is for (the `use` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// `sig`: published in the JWKS (RFC 7517 §4.2); signs ID tokens, and access tokens unless HS*.
    Signature,
    /// `refresh`: the internal HMAC-SHA256 key of refresh tokens and cookies; never published.
    Refresh,
}

impl KeyUse {
    /// The column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUse::Signature => "sig",
            KeyUse::Refresh => "refresh",
        }
    }

    /// The use a column value names, if any.
    pub fn parse(text: &str) -> Option<KeyUse> {
        match text {
            "sig" => Some(KeyUse::Signature),
            "refresh" => Some(KeyUse::Refresh),
            _ => None,
        }
    }
}

/// Where a key stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Signs new tokens (exactly one key at a time), and is published.
    Active,
    /// In the JWKS and verifies tokens, but does not sign: not yet active, or superseded.
    Published,
    /// Neither published nor accepted.
    Retired,
}

/// A published key as `sesame keys list` shows it. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// RFC 7638 thumbprint of the public key.
    pub kid: String,
    pub alg: Algorithm,
    pub created_at: DateTime<Utc>,
    /// When it starts signing; `None` for a key published but not scheduled to sign.
    pub activates_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
    /// Where the key stands at the `now` it was listed with.
    pub status: KeyStatus,
}

/// The schedule of one key: enough to say which key signs when.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    pub kid: String,
    pub alg: Algorithm,
    pub created_at: DateTime<Utc>,
    pub activates_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// A key of the ring, opened: its schedule and its private part (a PKCS#8 PEM for `sig`, the raw
/// HMAC secret for `refresh`).
pub(super) struct OpenedKey {
    pub schedule: Schedule,
    pub key_use: KeyUse,
    pub secret: Zeroizing<Vec<u8>>,
}

impl OpenedKey {
    /// The parsed key, checked against its `kid` (the RFC 7638 thumbprint): a row whose columns
    /// were changed around an intact ciphertext is refused.
    pub(super) fn material(&self) -> Result<Material, KeyError> {
        let kid = &self.schedule.kid;
        let malformed = |source| KeyError::MalformedStoredKey {
            kid: kid.clone(),
            source,
        };
        let material = match self.key_use {
            KeyUse::Signature => material::from_pem(self.schedule.alg, &self.secret),
            KeyUse::Refresh => material::from_secret(self.schedule.alg, &self.secret),
        }
        .map_err(malformed)?;
        if material.kid != *kid {
            return Err(malformed(
                format!("thumbprint {} is not its kid", material.kid).into(),
            ));
        }
        Ok(material)
    }
}

/// The item that signs at `now`: the latest activation not after `now`; before any activation,
/// the earliest scheduled one. Items without an activation never sign.
pub(super) fn select_active<'a, T: 'a>(
    items: impl Iterator<Item = &'a T> + Clone,
    activation: impl Fn(&T) -> Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<&'a T> {
    let scheduled = items.filter_map(|item| activation(item).map(|at| (at, item)));
    scheduled
        .clone()
        .filter(|(at, _)| *at <= now)
        .max_by_key(|(at, _)| *at)
        .or_else(|| scheduled.min_by_key(|(at, _)| *at))
        .map(|(_, item)| item)
}

/// The `kid` of the non-retired key that signs at `now`.
pub(super) fn active_kid(keys: &[Schedule], now: DateTime<Utc>) -> Option<&str> {
    let live = keys.iter().filter(|key| key.retired_at.is_none());
    select_active(live, |key| key.activates_at, now).map(|key| key.kid.as_str())
}

/// Whether a non-retired key is scheduled to sign.
pub(super) fn has_signer(keys: &[Schedule]) -> bool {
    keys.iter()
        .any(|key| key.retired_at.is_none() && key.activates_at.is_some())
}

/// Every key with its status at `now`, in the ring's order.
pub(super) fn describe(keys: &[Schedule], now: DateTime<Utc>) -> Vec<KeyInfo> {
    let active = active_kid(keys, now);
    keys.iter()
        .map(|key| {
            let status = if key.retired_at.is_some() {
                KeyStatus::Retired
            } else if active == Some(key.kid.as_str()) {
                KeyStatus::Active
            } else {
                KeyStatus::Published
            };
            KeyInfo {
                kid: key.kid.clone(),
                alg: key.alg,
                created_at: key.created_at,
                activates_at: key.activates_at,
                retired_at: key.retired_at,
                status,
            }
        })
        .collect()
}
