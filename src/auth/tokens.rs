//! Token claims, issuing and verification (RFC 9068 access tokens, OIDC Core §2 ID tokens,
//! simplejwt's `token_type`/`user_id` claims).
//!
//! Access and ID tokens are signed with the active key of the ring; refresh tokens with the ring's
//! internal HMAC key, since only Sesame ever verifies them. Every refresh token is backed by a
//! `refresh_tokens` row: the signature is checked first, so garbage costs no query.

use std::time::Duration;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::clients::Client;
use super::scope::Scope;
use super::{Error, TokenError};
use crate::config::{ClaimNames, ExtraClaim};
use crate::crypto::keys::{Algorithm, VerifyError};
use crate::entities::users;
use crate::state::AppState;
use crate::store;

/// The `token_type` claim values simplejwt uses.
pub const ACCESS: &str = "access";
pub const REFRESH: &str = "refresh";
pub const SLIDING: &str = "sliding";

/// What a successful grant hands back (RFC 6749 §5.1).
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
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

/// A fresh `jti`: 128 random bits as hex, as simplejwt does (`uuid4().hex`).
pub fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
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
    let refresh_token = issue_refresh_token(state, &state.db, grant, family, now).await?;
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
    let mut claims = access_claims(state, grant.client, grant.scope, lifetime, now);
    claims.insert("sub".into(), Value::String(grant.user.id.to_string()));
    claims.insert(state.config.user_id_claim.clone(), json!(grant.user.id));
    add_extra_claims(state, &mut claims, grant.user);
    let keys = state.keys();
    let access_token = keys.sign_access(&claims, "at+jwt", now)?;
    let id_token = if grant.scope.contains("openid") {
        Some(id_token(
            state,
            grant,
            &access_token,
            keys.algorithm(now),
            now,
        )?)
    } else {
        None
    };
    Ok(IssuedTokens {
        access_token,
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
    let mut claims = access_claims(state, client, scope, lifetime, now);
    claims.insert("sub".into(), Value::String(client.client_id.clone()));
    let access_token = state.keys().sign_access(&claims, "at+jwt", now)?;
    Ok(IssuedTokens {
        access_token,
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
    lifetime: Duration,
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
    claims.insert("exp".into(), json!(unix(after(now, lifetime))));
    claims.insert("iat".into(), json!(unix(now)));
    claims.insert(config.jti_claim.clone(), json!(new_jti()));
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

/// The name to show for a user: their display name, else their username.
pub fn display_name(user: &users::Model) -> &str {
    user.display_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(&user.username)
}

/// Creates the `refresh_tokens` row and signs the matching JWT. Takes the connection so a caller
/// can do it inside its transaction.
pub async fn issue_refresh_token<C: sea_orm::ConnectionTrait>(
    state: &AppState,
    db: &C,
    grant: &UserGrant<'_>,
    family: Family,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let (row, token) = prepare_refresh_token(state, grant, family, now)?;
    store::refresh_tokens::insert(db, row).await?;
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
    let jti = new_jti();
    let (family_id, parent_jti) = match family {
        Family::New => (new_jti(), None),
        Family::Continue {
            family_id,
            parent_jti,
        } => (family_id, Some(parent_jti)),
    };
    let config = &state.config;
    let mut claims = Map::new();
    claims.insert(config.token_type_claim.clone(), json!(REFRESH));
    claims.insert("exp".into(), json!(unix(expires_at)));
    claims.insert("iat".into(), json!(unix(now)));
    claims.insert(config.jti_claim.clone(), json!(jti));
    claims.insert(config.user_id_claim.clone(), json!(grant.user.id));
    claims.insert("client_id".into(), json!(grant.client.client_id));
    let token = state.keys().sign_refresh(&claims)?;
    let row = store::refresh_tokens::NewRefreshToken {
        jti,
        family_id,
        parent_jti,
        user_id: grant.user.id,
        client_id: grant.client.client_id.clone(),
        scope: grant.scope.to_string(),
        auth_time: grant.auth_time,
        issued_at: now,
        expires_at,
    };
    Ok((row, token))
}

/// An OIDC ID token (OIDC Core §2, §3.1.3.6 `at_hash`).
fn id_token(
    state: &AppState,
    grant: &UserGrant<'_>,
    access_token: &str,
    alg: Algorithm,
    now: DateTime<Utc>,
) -> Result<String, Error> {
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
    Ok(state.keys().sign_access(&claims, "JWT", now)?)
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

/// The verified claims of a token Sesame signed, with the configured claim names to read them by.
#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: Map<String, Value>,
    names: Arc<ClaimNames>,
}

impl Verified {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    /// simplejwt's `token_type` (under its configured name): `access`, `refresh` or `sliding`.
    pub fn token_type(&self) -> Option<&str> {
        self.str(&self.names.token_type)
    }

    /// The token's id (under the configured `jti` claim name).
    pub fn jti(&self) -> Option<&str> {
        self.str(&self.names.jti)
    }

    /// The user id claim; simplejwt writes an integer, some issuers a string.
    pub fn user_id(&self) -> Option<i64> {
        match self.claims.get(&self.names.user_id)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.int("exp")
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    pub fn scope(&self) -> Scope {
        self.str("scope")
            .and_then(|s| Scope::parse(s).ok())
            .unwrap_or_default()
    }
}

/// Checks the signature (the algorithm comes from the key, never the token), `exp` and `nbf` at
/// `now` with the configured leeway.
pub fn verify_signature(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Verified, TokenError> {
    let leeway = state.config.leeway.as_secs();
    match state.keys().verify_at(token, leeway, now) {
        Ok(claims) => Ok(Verified {
            claims,
            names: Arc::clone(&state.claim_names),
        }),
        Err(VerifyError::Expired) => Err(TokenError::Expired),
        Err(VerifyError::Invalid) => Err(TokenError::Invalid),
    }
}

/// Verifies a token and requires its `token_type`.
pub fn verify_typed(
    state: &AppState,
    token: &str,
    expected: &str,
    now: DateTime<Utc>,
) -> Result<Verified, TokenError> {
    let verified = verify_signature(state, token, now)?;
    if verified.token_type() != Some(expected) {
        return Err(TokenError::WrongType);
    }
    Ok(verified)
}

/// An access token that passed every check, with its user (absent for client-credentials tokens).
#[derive(Debug, Clone)]
pub struct AuthenticatedAccess {
    pub token: Verified,
    pub user: Option<users::Model>,
}

/// Authenticates a Bearer access token: signature, type, issuer, not revoked, user present and
/// active, issued after the user's last password change. Every surface that takes a Bearer token
/// calls this.
pub async fn authenticate_access_token(
    state: &AppState,
    token: &str,
    accepted_types: &[&str],
    now: DateTime<Utc>,
) -> Result<AuthenticatedAccess, Error> {
    let verified = verify_signature(state, token, now)?;
    let token_type = verified.token_type().unwrap_or_default();
    if !accepted_types.contains(&token_type) {
        return Err(TokenError::WrongType.into());
    }
    if verified
        .str("iss")
        .is_some_and(|iss| iss != state.config.issuer)
    {
        return Err(TokenError::Invalid.into());
    }
    let jti = verified.jti().ok_or(TokenError::NoId)?;
    if state.directory.is_revoked(&state.db, jti, now).await? {
        return Err(TokenError::Revoked.into());
    }
    let Some(user_id) = verified.user_id() else {
        // A client-credentials token acts for its client, not a user.
        return Ok(AuthenticatedAccess {
            token: verified,
            user: None,
        });
    };
    let user = state
        .directory
        .user(&state.db, user_id, now)
        .await?
        .ok_or(TokenError::UserNotFound)?;
    if !user.is_active {
        return Err(TokenError::UserInactive.into());
    }
    let issued_at = verified.int("iat").unwrap_or(i64::MIN);
    if issued_at < user.password_changed_at.timestamp() {
        return Err(TokenError::Revoked.into());
    }
    Ok(AuthenticatedAccess {
        token: verified,
        user: Some(user),
    })
}
