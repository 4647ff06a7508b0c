//! The token endpoint's grants (RFC 6749 §4.1.3, §4.3, §4.4, §6): a token request parsed into one
//! variant per grant, and the dispatch every surface calls (`/oauth/token`, simplejwt's
//! `/api/token/` and `/api/token/refresh/`, the compat login). One file per grant below.

pub mod authorization_code;
pub mod client_credentials;
pub mod password;
pub mod refresh_token;

use chrono::{DateTime, Utc};

use super::Error;
use super::accounts::Origin;
use super::clients::{Client, GrantType};
use super::scope::Scope;
use super::tokens::IssuedTokens;
use crate::entities::users;
use crate::state::AppState;

/// A token request, one variant per grant holding only that grant's parameters.
#[derive(Debug)]
pub enum TokenRequest {
    /// RFC 6749 §4.1.3 (with RFC 7636 §4.5's `code_verifier`).
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    /// RFC 6749 §4.4.2.
    ClientCredentials { scope: Option<Scope> },
    /// RFC 6749 §4.3.2; `username` may be a username, an email or a phone number.
    Password {
        username: String,
        password: String,
        scope: Option<Scope>,
    },
    /// RFC 6749 §6.
    RefreshToken {
        refresh_token: String,
        scope: Option<Scope>,
    },
}

impl TokenRequest {
    /// Parses the token endpoint's parameters. `param` answers one parameter by name, `None` when
    /// it is absent or empty (RFC 6749 §3.1: "Parameters sent without a value MUST be treated as
    /// if they were omitted").
    ///
    /// Errors: `InvalidRequest` naming a missing parameter, `InvalidScope` for a malformed
    /// `scope`, `UnsupportedGrantType` for any other `grant_type`.
    pub fn parse<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Result<TokenRequest, Error> {
        let required = |name: &str| {
            param(name)
                .map(str::to_owned)
                .ok_or_else(|| Error::InvalidRequest(format!("missing parameter `{name}`")))
        };
        let optional = |name: &str| param(name).map(str::to_owned);
        let scope = param("scope").map(Scope::parse).transpose()?;
        match required("grant_type")?.as_str() {
            "authorization_code" => Ok(TokenRequest::AuthorizationCode {
                code: required("code")?,
                redirect_uri: optional("redirect_uri"),
                code_verifier: optional("code_verifier"),
            }),
            "client_credentials" => Ok(TokenRequest::ClientCredentials { scope }),
            "password" => Ok(TokenRequest::Password {
                username: required("username")?,
                password: required("password")?,
                scope,
            }),
            "refresh_token" => Ok(TokenRequest::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope,
            }),
            _ => Err(Error::UnsupportedGrantType),
        }
    }

    /// The grant type this request asks for.
    pub fn grant_type(&self) -> GrantType {
        match self {
            TokenRequest::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            TokenRequest::ClientCredentials { .. } => GrantType::ClientCredentials,
            TokenRequest::Password { .. } => GrantType::Password,
            TokenRequest::RefreshToken { .. } => GrantType::RefreshToken,
        }
    }
}

/// What a grant issued, and the user it acted for (none for client credentials).
#[derive(Debug)]
pub struct Granted {
    pub user: Option<users::Model>,
    pub tokens: IssuedTokens,
}

/// Runs the grant `request` asks for on behalf of the authenticated `client`. `origin` feeds
/// the password grant's throttle and failure count. Counts `sesame_tokens_issued_total{grant}`.
pub async fn grant_tokens(
    state: &AppState,
    client: &Client,
    request: TokenRequest,
    origin: Origin,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    let grant_type = request.grant_type();
    client.require(grant_type)?;
    let granted = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let exchange = authorization_code::CodeExchange {
                code: &code,
                redirect_uri: redirect_uri.as_deref(),
                code_verifier: code_verifier.as_deref(),
            };
            authorization_code::grant(state, client, exchange, now).await?
        }
        TokenRequest::ClientCredentials { scope } => {
            client_credentials::grant(state, client, scope, now)?
        }
        TokenRequest::Password {
            username,
            password,
            scope,
        } => {
            let credentials = password::Credentials {
                identifier: &username,
                password: &password,
                origin,
            };
            password::grant(state, client, credentials, scope, now).await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => refresh_token::grant(state, client, &refresh_token, scope, now).await?,
    };
    metrics::counter!("sesame_tokens_issued_total", "grant" => grant_type.as_str()).increment(1);
    Ok(granted)
}

#[cfg(test)]
#[path = "grant_props.rs"]
mod props;
