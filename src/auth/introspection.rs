//! Token introspection (RFC 7662). Anything not provably active is exactly `{"active": false}`;
//! a failure to find out (the database is down) is an error, never "inactive".

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::grant::refresh_token;
use super::{Error, tokens};
use crate::state::AppState;

/// The members of an active token's introspection response (RFC 7662 §2.2).
#[derive(Debug, Clone, Serialize)]
pub struct ActiveToken {
    pub active: bool,
    pub sub: String,
    pub client_id: String,
    pub scope: String,
    pub exp: i64,
    pub iat: i64,
    pub iss: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Value>,
    pub jti: String,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Introspects an access or refresh token issued by Sesame.
pub async fn introspect(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<ActiveToken>, Error> {
    let Ok(verified) = tokens::verify_signature(state, token, now).await else {
        return Ok(None);
    };
    let Some(kind) = known_type(&verified) else {
        return Ok(None);
    };
    let outcome = if kind == tokens::REFRESH {
        match refresh_token::load_verified(state, &verified, now).await {
            // A rotated token is spent even before anyone reuses it.
            Ok((row, _)) if row.used_at.is_some() && state.config.blacklist_after_rotation => {
                return Ok(None);
            }
            found => found.map(|(_, user)| (verified, Some(user), "refresh_token")),
        }
    } else {
        tokens::authenticate_verified(state, verified, &[kind], now)
            .await
            .map(|access| (access.token, access.user, "access_token"))
    };
    let (verified, user, token_type) = match outcome {
        Ok(found) => found,
        Err(Error::Token(_)) => return Ok(None),
        Err(err) => return Err(err),
    };
    let client_id = verified.str("client_id").unwrap_or_default().to_owned();
    let sub = match &user {
        Some(user) => user.id.to_string(),
        None => verified.str("sub").unwrap_or(&client_id).to_owned(),
    };
    Ok(Some(ActiveToken {
        active: true,
        sub,
        client_id,
        scope: verified.str("scope").unwrap_or_default().to_owned(),
        exp: verified.int("exp").unwrap_or_default(),
        iat: verified.int("iat").unwrap_or_default(),
        iss: state.config.issuer.clone(),
        aud: verified.claims.get("aud").cloned(),
        jti: verified.jti().unwrap_or_default().to_owned(),
        token_type,
        username: user.map(|u| u.username),
    }))
}

/// The token's type if Sesame issues that type, as the constant (the claims then move on
/// without a copy).
fn known_type(verified: &tokens::Verified) -> Option<&'static str> {
    [tokens::REFRESH, tokens::ACCESS, tokens::SLIDING]
        .into_iter()
        .find(|known| verified.token_type() == Some(*known))
}
