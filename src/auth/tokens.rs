//! Token claims, issuing and verification (RFC 9068 access tokens, OIDC Core §2 ID tokens,
//! simplejwt's `token_type`/`user_id` claims).
//!
//! Each kind is signed with a key its verifier can have: ID tokens with the ring's published
//! asymmetric key (relying parties verify them against the JWKS), access tokens with the active
//! key of the ring (the shared secret in HS* mode, for simplejwt backends), refresh tokens with
//! the ring's internal HMAC key, since only Sesame ever verifies them. Every refresh token is backed by a
//! `refresh_tokens` row: the signature is checked first, so garbage costs no query.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::Error;
use super::clients::Client;
use super::scope::Scope;
use crate::config::ExtraClaim;
use crate::entities::users;
use crate::state::AppState;
use crate::store;

mod verify;

pub use verify::{
    AuthenticatedAccess, Verified, authenticate_access_token, authenticate_verified, check_issuer,
    check_not_revoked, verify_claims, verify_signature, verify_typed,
};

/// The `token_type` claim values simplejwt uses.
pub const ACCESS: &str = "access";
pub const REFRESH: &str = "refresh";
pub const SLIDING: &str = "sliding";

/// The claim holding a sliding token's end of refresh (simplejwt's
/// `SLIDING_TOKEN_REFRESH_EXP_CLAIM`).
pub const REFRESH_EXP_CLAIM: &str = "refresh_exp";

/// What a successful grant hands back (RFC 6749 §5.1).
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    /// The access token's `jti` and `exp`, for whoever must be able to revoke it later.
    pub access_jti: String,
    pub access_expires_at: DateTime<Utc>,
    pub expires_in: u64,
    pub refresh_token: Option<String>,
    pub scope: Scope,
    pub id_token: Option<String>,
}

/// Where a new refresh token belongs: a new login starts a family, a rotation continues one.
#[derive(Debug, Clone)]
pub enum Family {
    New,
    Continue {
        family_id: String,
        parent_jti: String,
    },
}

/// Everything needed to issue tokens on behalf of a user.
pub struct UserGrant<'a> {
    pub user: &'a users::Model,
    pub client: &'a Client,
    pub scope: &'a Scope,
    /// When the user proved who they are (OIDC `auth_time`), kept across refreshes.
    pub auth_time: DateTime<Utc>,
    pub nonce: Option<&'a str>,
}

/// A fresh `jti` (also a new refresh-token family's id): a UUID as 32 lowercase hex digits, the
/// shape of simplejwt's `uuid4().hex`, but version 7 (RFC 9562 §5.7): the first 48 bits are `now`
/// in Unix milliseconds and 74 bits are random. Ids made later sort later, so the unique indexes
/// on `jti` and `family_id` grow at their right edge as a sequence's would, instead of touching
/// a random page of an ever larger B-tree for every token issued. Nothing reads the id's time:
/// tokens carry `iat`, and the id's only job is to be unique.
pub fn new_jti(now: DateTime<Utc>) -> String {
    let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
    let timestamp =
        uuid::Timestamp::from_unix(uuid::NoContext, seconds, now.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(timestamp).simple().to_string()
}

fn unix(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

pub(super) fn after(now: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX)
}

/// Issues an access token, a refresh token backed by a new row, and an ID token when the scope
/// has `openid`.
pub async fn issue_token_pair(
    state: &AppState,
    grant: &UserGrant<'_>,
    family: Family,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, Error> {
    let refresh_token = issue_refresh_token(state, grant, family, now).await?;
    let mut tokens = issue_access_only(state, grant, now)?;
    tokens.refresh_token = Some(refresh_token);
    Ok(tokens)
}

/// Issues an access token (and ID token) for a user without a refresh token.
pub fn issue_access_only(
    state: &AppState,
    grant: &UserGrant<'_>,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, Error> {
    let lifetime = access_lifetime(state, grant.client);
    let (jti, expires_at) = (new_jti(now), after(now, lifetime));
    let mut claims = access_claims(state, grant.client, grant.scope, &jti, expires_at, now);
    claims.insert("sub".into(), Value::String(grant.user.id.to_string()));
    claims.insert(
        state.config.user_id_claim.clone(),
        user_id_claim(grant.user.id),
    );
    add_extra_claims(state, &mut claims, grant.user);
    let keys = state.keys();
    let access_token = keys.sign_access(&claims, "at+jwt", now)?;
    let id_token = if grant.scope.contains("openid") {
        Some(id_token(state, grant, &access_token, now)?)
    } else {
        None
    };
    Ok(IssuedTokens {
        access_token,
        access_jti: jti,
        access_expires_at: expires_at,
        expires_in: lifetime.as_secs(),
        refresh_token: None,
        scope: grant.scope.clone(),
        id_token,
    })
}

/// Issues an access token for a client acting on its own behalf (`client_credentials`).
pub fn issue_client_token(
    state: &AppState,
    client: &Client,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, Error> {
    let lifetime = access_lifetime(state, client);
    let (jti, expires_at) = (new_jti(now), after(now, lifetime));
    let mut claims = access_claims(state, client, scope, &jti, expires_at, now);
    claims.insert("sub".into(), Value::String(client.client_id.clone()));
    let access_token = state.keys().sign_access(&claims, "at+jwt", now)?;
    Ok(IssuedTokens {
        access_token,
        access_jti: jti,
        access_expires_at: expires_at,
        expires_in: lifetime.as_secs(),
        refresh_token: None,
        scope: scope.clone(),
        id_token: None,
    })
}

fn access_lifetime(state: &AppState, client: &Client) -> Duration {
    client
        .access_token_lifetime
        .unwrap_or(state.config.access_token_lifetime)
}

/// The RFC 9068 claims every access token carries, plus simplejwt's `token_type` and `jti` names.
pub(super) fn access_claims(
    state: &AppState,
    client: &Client,
    scope: &Scope,
    jti: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let config = &state.config;
    let audience = client
        .audience
        .clone()
        .or_else(|| config.audience.clone())
        .unwrap_or_else(|| client.client_id.clone());
    let mut claims = Map::new();
    claims.insert(config.token_type_claim.clone(), json!(ACCESS));
    claims.insert("iss".into(), json!(config.issuer));
    claims.insert("aud".into(), json!(audience));
    claims.insert("exp".into(), json!(unix(expires_at)));
    claims.insert("iat".into(), json!(unix(now)));
    claims.insert(config.jti_claim.clone(), json!(jti));
    claims.insert("client_id".into(), json!(client.client_id));
    claims.insert("scope".into(), json!(scope.to_string()));
    claims
}

pub(super) fn add_extra_claims(
    state: &AppState,
    claims: &mut Map<String, Value>,
    user: &users::Model,
) {
    for extra in &state.config.extra_claims {
        let (name, value) = match extra {
            ExtraClaim::Username => ("username", json!(user.username)),
            ExtraClaim::Roles => ("roles", json!(store::split_list(&user.roles))),
            ExtraClaim::Email => ("email", json!(user.email)),
            ExtraClaim::Name => ("name", json!(display_name(user))),
        };
        claims.insert(name.into(), value);
    }
}

/// The user id claim's value: a string, as simplejwt 5.5.1's `Token.for_user` writes it
/// (`str(user_id)`).
pub fn user_id_claim(user_id: i64) -> Value {
    Value::String(user_id.to_string())
}

/// The name to show for a user: their display name, else their username.
pub fn display_name(user: &users::Model) -> &str {
    user.display_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(&user.username)
}

/// Creates the `refresh_tokens` row (at this process's turn to write) and signs the matching JWT.
/// A caller that needs the row inside its own transaction uses [`prepare_refresh_token`].
pub async fn issue_refresh_token(
    state: &AppState,
    grant: &UserGrant<'_>,
    family: Family,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let (row, token) = prepare_refresh_token(state, grant, family, now)?;
    let insert = store::refresh_tokens::insert(&state.db, row);
    state.writes.run(insert).await?;
    Ok(token)
}

/// A refresh token and the row that must be recorded before it is handed out.
pub fn prepare_refresh_token(
    state: &AppState,
    grant: &UserGrant<'_>,
    family: Family,
    now: DateTime<Utc>,
) -> Result<(store::refresh_tokens::NewRefreshToken, String), Error> {
    let lifetime = grant
        .client
        .refresh_token_lifetime
        .unwrap_or(state.config.refresh_token_lifetime);
    let expires_at = after(now, lifetime);
    let (family_id, parent_jti) = match family {
        Family::New => (new_jti(now), None),
        Family::Continue {
            family_id,
            parent_jti,
        } => (family_id, Some(parent_jti)),
    };
    let row = store::refresh_tokens::NewRefreshToken {
        jti: new_jti(now),
        family_id,
        parent_jti,
        user_id: grant.user.id,
        client_id: grant.client.client_id.clone(),
        scope: grant.scope.to_string(),
        auth_time: grant.auth_time,
        issued_at: now,
        expires_at,
    };
    let token = sign_refresh_token(state, &row)?;
    Ok((row, token))
}

/// Signs the refresh token a recorded row stands for. Every claim comes from the row and the
/// HMAC signature is deterministic, so signing one row twice gives the same string: a retry
/// inside `refresh_reuse_grace` gets back exactly the successor the first presentation got.
pub fn sign_refresh_token(
    state: &AppState,
    row: &store::refresh_tokens::NewRefreshToken,
) -> Result<String, Error> {
    let config = &state.config;
    let mut claims = Map::new();
    claims.insert(config.token_type_claim.clone(), json!(REFRESH));
    claims.insert("exp".into(), json!(unix(row.expires_at)));
    claims.insert("iat".into(), json!(unix(row.issued_at)));
    claims.insert(config.jti_claim.clone(), json!(row.jti));
    claims.insert(config.user_id_claim.clone(), user_id_claim(row.user_id));
    claims.insert("client_id".into(), json!(row.client_id));
    Ok(state.keys().sign_refresh(&claims)?)
}

/// An OIDC ID token (OIDC Core §2, §3.1.3.6 `at_hash`), signed with the published asymmetric
/// key in every mode, since the relying party verifies it against the JWKS.
fn id_token(
    state: &AppState,
    grant: &UserGrant<'_>,
    access_token: &str,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let keys = state.keys();
    let alg = keys.id_token_algorithm(now);
    let user = grant.user;
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(state.config.issuer));
    claims.insert("sub".into(), json!(user.id.to_string()));
    claims.insert("aud".into(), json!(grant.client.client_id));
    let lifetime = access_lifetime(state, grant.client);
    claims.insert("exp".into(), json!(unix(after(now, lifetime))));
    claims.insert("iat".into(), json!(unix(now)));
    claims.insert("auth_time".into(), json!(unix(grant.auth_time)));
    claims.insert("at_hash".into(), json!(alg.left_half_hash(access_token)));
    if let Some(nonce) = grant.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    claims.extend(profile_claims(user, grant.scope));
    Ok(keys.sign_id_token(&claims, now)?)
}

/// The OIDC standard claims a scope releases (OIDC Core §5.4), as userinfo and ID tokens share them.
pub fn profile_claims(user: &users::Model, scope: &Scope) -> Map<String, Value> {
    let mut claims = Map::new();
    if scope.contains("profile") {
        claims.insert("preferred_username".into(), json!(user.username));
        claims.insert("name".into(), json!(display_name(user)));
        if let Some(picture) = &user.avatar_url {
            claims.insert("picture".into(), json!(picture));
        }
    }
    if scope.contains("email")
        && let Some(email) = &user.email
    {
        claims.insert("email".into(), json!(email));
    }
    if scope.contains("phone")
        && let Some(phone) = &user.phone
    {
        claims.insert("phone_number".into(), json!(phone));
    }
    claims
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_jti_is_32_hex_digits_of_a_version_7_uuid_that_sorts_by_time() {
        let at = |millis| {
            Utc.timestamp_millis_opt(millis)
                .single()
                .unwrap_or_default()
        };
        let first = new_jti(at(1_764_547_200_000));
        assert_eq!(first.len(), 32);
        assert!(
            first
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(&first[12..13], "7", "the version nibble");
        assert_eq!(&first[..12], "019ad7358400", "the Unix milliseconds");
        let same_instant = new_jti(at(1_764_547_200_000));
        assert_ne!(
            first, same_instant,
            "74 random bits tell ids of one instant apart"
        );
        let later = new_jti(at(1_764_547_200_001));
        assert!(later > first && later > same_instant);
    }
}
