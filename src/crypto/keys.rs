//! The signing key ring (SPEC §6): JWS signing and verification of JWTs (RFC 7515, RFC 7519),
//! algorithms of RFC 7518 §3 and RFC 8037 (EdDSA), `kid` = RFC 7638 thumbprint, and the
//! precomputed JWKS (RFC 7517 §5) with its ETag.
//!
//! Keys are parsed once at load: signing uses josekit's signers, which hold an OpenSSL key,
//! because jsonwebtoken's `EncodingKey` re-parses the DER private key on every signature;
//! verification uses jsonwebtoken. The algorithm always comes from the key, never the token.

use std::collections::HashMap;
use std::fmt;
use std::iter;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::cookie_key::CookieKey;
use super::key_info::{self, KeyUse, OpenedKey};
use super::material::{self, Material};
use super::prepared_rsa::PreparedRsa;

pub use super::algorithm::{Algorithm, UnknownAlgorithm};
pub use super::key_error::KeyError;
pub use super::key_info::{KeyInfo, KeyStatus};

/// Tokens longer than this are refused unparsed; ours are well under 2 KiB.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Why a token was refused. Deliberately coarse: callers answer both the same way on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature is valid but `exp` (plus leeway) has passed.
    #[error("token expired")]
    Expired,
    /// The signature is valid but there is no `exp` claim (simplejwt's "Token has no 'exp' claim":
    /// PyJWT decodes such a token, `Token.check_exp` then refuses it).
    #[error("token has no exp claim")]
    NoExp,
    /// Anything else: malformed, oversized, unknown `kid` (or none, outside HS* mode), wrong
    /// `alg`, bad signature, an `exp` that is not a NumericDate, `nbf` in the future.
    #[error("token invalid")]
    Invalid,
}

/// The JWKS document, serialized once at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwks {
    /// `{"keys":[...]}` as JSON bytes: public parameters only.
    pub body: Vec<u8>,
    /// A quoted strong ETag: base64url SHA-256 of `body`.
    pub etag: String,
}

struct Signer {
    material: Material,
    activates_at: Option<DateTime<Utc>>,
}

struct Verifier {
    alg: jsonwebtoken::Algorithm,
    key: DecodingKey,
    validation: Validation,
    /// RSA keys, parsed once; the others go through jsonwebtoken.
    prepared: Option<PreparedRsa>,
}

/// An immutable snapshot of the keys; the server swaps in a new `Arc<KeyRing>` on reload.
///
/// Each token is signed with a key its verifier can have: the directory's asymmetric keys sign
/// what third parties verify against the JWKS (ID tokens, always), and access tokens unless HS*
/// mode, where the shared secret signs access and refresh tokens for simplejwt backends.
pub struct KeyRing {
    /// The asymmetric signer used if none is scheduled at `now` (the earliest scheduled one).
    first: Signer,
    rest: Vec<Signer>,
    /// HS* mode: the configured secret, signing access tokens instead of `first`/`rest`.
    shared: Option<Material>,
    refresh: Material,
    cookie: CookieKey,
    verifiers: HashMap<String, Verifier>,
    jwks: Jwks,
    /// Signature checks made (see [`KeyRing::verifications`]).
    verifications: AtomicU64,
}

impl KeyRing {
    /// The ring of `keys`, opened from the database (retired keys are left out). `alg` is the
    /// configured algorithm: HS* means `hmac_secret` signs access and refresh tokens; otherwise
    /// the published keys sign access tokens and the refresh key signs refresh tokens. The
    /// published keys sign ID tokens in either mode, so one must be scheduled to sign.
    ///
    /// # Errors
    /// [`KeyError::Incomplete`] without a key that can sign or without a refresh key (outside
    /// HS* mode); [`KeyError::MalformedStoredKey`] for a key that is not what its row says;
    /// [`KeyError::MissingSecret`] / [`KeyError::SecretTooShort`] for the HS* secret.
    pub(super) fn from_keys(
        keys: &[OpenedKey],
        alg: Algorithm,
        hmac_secret: Option<&[u8]>,
    ) -> Result<Self, KeyError> {
        let live = || keys.iter().filter(|key| key.schedule.retired_at.is_none());
        let mut published = Vec::new();
        for key in live().filter(|key| key.key_use == KeyUse::Signature) {
            published.push(Signer {
                material: key.material()?,
                activates_at: key.schedule.activates_at,
            });
        }
        let jwks = build_jwks(&published)?;
        let mut verifiers: HashMap<_, _> = published
            .iter()
            .map(|signer| (signer.material.kid.clone(), verifier(&signer.material)))
            .collect();
        let mut signers = published;
        signers.retain(|signer| signer.activates_at.is_some());
        signers.sort_by_key(|signer| signer.activates_at);
        let mut signers = signers.into_iter();
        let first = signers
            .next()
            .ok_or(KeyError::Incomplete("key that can sign"))?;
        let refresh_key = live().find(|key| key.key_use == KeyUse::Refresh);
        let (shared, refresh, cookie_secret) = if alg.is_symmetric() {
            let secret = hmac_secret.ok_or(KeyError::MissingSecret(alg))?;
            (Some(hmac(alg, secret)?), hmac(alg, secret)?, secret)
        } else {
            let key = refresh_key.ok_or(KeyError::Incomplete("refresh-token key"))?;
            (None, key.material()?, &key.secret[..])
        };
        let cookie = CookieKey::derive(cookie_secret).map_err(|err| KeyError::KeyMaterial {
            alg: Algorithm::HS256,
            source: err.into(),
        })?;
        verifiers.insert(refresh.kid.clone(), verifier(&refresh));
        Ok(Self {
            first,
            rest: signers.collect(),
            shared,
            refresh,
            cookie,
            verifiers,
            jwks,
            verifications: AtomicU64::new(0),
        })
    }

    /// Whether `token` names, in its header, a `kid` this ring does not have: a key another
    /// instance may have added since this ring was loaded. `false` for a token without a
    /// readable header or `kid`, which no reload could help.
    pub fn lacks_key_of(&self, token: &str) -> bool {
        if token.len() > MAX_TOKEN_BYTES {
            return false;
        }
        jsonwebtoken::decode_header(token)
            .ok()
            .and_then(|header| header.kid)
            .is_some_and(|kid| !self.verifiers.contains_key(&kid))
    }

    /// The key that signs Sesame's own cookies.
    pub fn cookie_key(&self) -> &CookieKey {
        &self.cookie
    }

    /// The `kid` of the key that signs access tokens at `now` (the secret's in HS* mode).
    pub fn signing_key_id(&self, now: DateTime<Utc>) -> &str {
        &self.access(now).kid
    }

    /// The algorithm of the key that signs access tokens at `now`.
    pub fn algorithm(&self, now: DateTime<Utc>) -> Algorithm {
        self.access(now).alg
    }

    /// The `kid` of the published key that signs ID tokens at `now`.
    pub fn id_token_key_id(&self, now: DateTime<Utc>) -> &str {
        &self.active(now).material.kid
    }

    /// The algorithm of the published key that signs ID tokens at `now`: asymmetric in every
    /// mode, what discovery's `id_token_signing_alg_values_supported` names.
    pub fn id_token_algorithm(&self, now: DateTime<Utc>) -> Algorithm {
        self.active(now).material.alg
    }

    /// Sign an access token's `claims` with the key active at `now` (the shared secret in HS*
    /// mode); header `{"alg","typ","kid"}` with `typ` `at+jwt` (RFC 9068 §2.1).
    pub fn sign_access(
        &self,
        claims: &Map<String, Value>,
        typ: &str,
        now: DateTime<Utc>,
    ) -> Result<String, KeyError> {
        self.access(now).sign(claims, typ).map_err(KeyError::Sign)
    }

    /// Sign what a third party verifies against the JWKS (ID tokens, OIDC Core §2) with the
    /// published asymmetric key active at `now`, in every mode; header typ `JWT`.
    pub fn sign_id_token(
        &self,
        claims: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<String, KeyError> {
        self.active(now)
            .material
            .sign(claims, "JWT")
            .map_err(KeyError::Sign)
    }

    /// Sign a refresh token with the internal HMAC key (HS256; the configured secret and
    /// algorithm in HS* mode). Only Sesame verifies these, so no asymmetric signature is spent.
    pub fn sign_refresh(&self, claims: &Map<String, Value>) -> Result<String, KeyError> {
        self.refresh.sign(claims, "JWT").map_err(KeyError::Sign)
    }

    /// Verify `token`'s signature with the non-retired key named by its `kid` (in HS* mode, a token
    /// without one is simplejwt's: the shared secret's), using that key's algorithm, then `exp`
    /// (required) and `nbf` (if present) with `leeway_secs` at `now`.
    /// `aud` and `iss` are the caller's to check. Never panics.
    pub fn verify_at(
        &self,
        token: &str,
        leeway_secs: u64,
        now: DateTime<Utc>,
    ) -> Result<Map<String, Value>, VerifyError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(VerifyError::Invalid);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Invalid)?;
        // simplejwt signs without a `kid` (PyJWT's header is {"alg","typ"}): in HS* mode such a
        // token is checked with the shared secret, so tokens a Django backend minted with it work.
        let kid = header
            .kid
            .as_deref()
            .or_else(|| self.shared.as_ref().map(|shared| shared.kid.as_str()));
        let verifier = kid
            .and_then(|kid| self.verifiers.get(kid))
            .ok_or(VerifyError::Invalid)?;
        // RFC 8725 §3.1: the key decides the algorithm; a token naming another is forged.
        if header.alg != verifier.alg {
            return Err(VerifyError::Invalid);
        }
        // Relaxed: a tally, ordered with nothing; one uncontended add beside a signature check.
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let claims = match &verifier.prepared {
            Some(prepared) => prepared.verify(token).ok_or(VerifyError::Invalid)?,
            None => {
                jsonwebtoken::decode::<Map<String, Value>>(
                    token,
                    &verifier.key,
                    &verifier.validation,
                )
                .map_err(|_| VerifyError::Invalid)?
                .claims
            }
        };
        check_times(&claims, leeway_secs, now)?;
        Ok(claims)
    }

    /// How many signatures [`verify_at`](Self::verify_at) has checked since this ring was loaded
    /// (a token refused before its signature, e.g. for an unknown `kid`, is not counted). Every
    /// surface checks one signature per presented token; tests pin that with this count.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// The published keys, precomputed.
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    fn access(&self, now: DateTime<Utc>) -> &Material {
        match &self.shared {
            Some(shared) => shared,
            None => &self.active(now).material,
        }
    }

    fn active(&self, now: DateTime<Utc>) -> &Signer {
        let signers = iter::once(&self.first).chain(&self.rest);
        key_info::select_active(signers, |signer| signer.activates_at, now).unwrap_or(&self.first)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signers: Vec<_> = iter::once(&self.first)
            .chain(&self.rest)
            .map(|signer| {
                (
                    signer.material.alg,
                    &signer.material.kid,
                    signer.activates_at,
                )
            })
            .collect();
        f.debug_struct("KeyRing")
            .field("signers", &signers)
            .field("shared", &self.shared.as_ref().map(|m| m.alg))
            .field("verifying_kids", &self.verifiers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn hmac(alg: Algorithm, secret: &[u8]) -> Result<Material, KeyError> {
    let min = alg.min_secret_len();
    if secret.len() < min {
        return Err(KeyError::SecretTooShort {
            alg,
            min,
            len: secret.len(),
        });
    }
    material::from_secret(alg, secret).map_err(|source| KeyError::KeyMaterial { alg, source })
}

fn verifier(material: &Material) -> Verifier {
    let alg = material.alg.to_jwt();
    // Time claims are checked by `check_times` against the caller's `now`; aud and iss by callers.
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    Verifier {
        alg,
        key: material.decoding.clone(),
        validation,
        prepared: material
            .public_jwk
            .as_ref()
            .and_then(|jwk| PreparedRsa::from_jwk(alg, jwk)),
    }
}

/// PyJWT's order (`nbf`, then `exp`), then simplejwt's `check_exp`, which refuses a token without
/// `exp` that PyJWT let through.
fn check_times(
    claims: &Map<String, Value>,
    leeway_secs: u64,
    now: DateTime<Utc>,
) -> Result<(), VerifyError> {
    let leeway = i64::try_from(leeway_secs).unwrap_or(i64::MAX);
    let now = now.timestamp();
    if let Some(nbf) = claims.get("nbf") {
        let nbf = numeric_date(nbf).ok_or(VerifyError::Invalid)?;
        if nbf > now.saturating_add(leeway) {
            return Err(VerifyError::Invalid);
        }
    }
    let exp = claims.get("exp").ok_or(VerifyError::NoExp)?;
    let exp = numeric_date(exp).ok_or(VerifyError::Invalid)?;
    if exp.saturating_add(leeway) < now {
        return Err(VerifyError::Expired);
    }
    Ok(())
}

/// RFC 7519 §2 NumericDate: seconds, possibly fractional.
fn numeric_date(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|secs| secs.is_finite())
            .map(|secs| secs as i64)
    })
}

fn build_jwks(published: &[Signer]) -> Result<Jwks, KeyError> {
    let keys = published
        .iter()
        .filter_map(|signer| signer.material.public_jwk.clone())
        .collect();
    let body = serde_json::to_vec(&JwkSet { keys }).map_err(KeyError::Json)?;
    let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(Sha256::digest(&body)));
    Ok(Jwks { body, etag })
}

#[cfg(test)]
#[path = "keys_tests.rs"]
pub(super) mod tests;

#[cfg(test)]
#[path = "keys_props.rs"]
mod props;
