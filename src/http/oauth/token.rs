//! `POST /oauth/token` (RFC 6749 §3.2, §4.1.3, §4.3, §4.4, §5, §6; RFC 7636 §4.5).

use std::net::IpAddr;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::OAuthError;
use crate::auth::clients::{self, Client};
use crate::auth::code::{self, CodeExchange};
use crate::auth::scope::Scope;
use crate::auth::tokens::IssuedTokens;
use crate::auth::{Error, grants};
use crate::http::extract::{self, ClientIp, Form, Params};
use crate::state::AppState;

/// A token request, one variant per grant holding only that grant's parameters.
#[derive(Debug)]
enum TokenRequest {
    Password {
        username: String,
        password: String,
        scope: Option<Scope>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<Scope>,
    },
    ClientCredentials {
        scope: Option<Scope>,
    },
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
}

impl TryFrom<&Params> for TokenRequest {
    type Error = Error;

    fn try_from(params: &Params) -> Result<Self, Error> {
        let required = |name: &str| {
            params
                .get(name)
                .map(str::to_owned)
                .ok_or_else(|| Error::InvalidRequest(format!("missing parameter `{name}`")))
        };
        let scope = params.get("scope").map(Scope::parse).transpose()?;
        match required("grant_type")?.as_str() {
            "password" => Ok(TokenRequest::Password {
                username: required("username")?,
                password: required("password")?,
                scope,
            }),
            "refresh_token" => Ok(TokenRequest::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope,
            }),
            "client_credentials" => Ok(TokenRequest::ClientCredentials { scope }),
            "authorization_code" => Ok(TokenRequest::AuthorizationCode {
                code: required("code")?,
                redirect_uri: params.get("redirect_uri").map(str::to_owned),
                code_verifier: params.get("code_verifier").map(str::to_owned),
            }),
            _ => Err(Error::UnsupportedGrantType),
        }
    }
}

/// The RFC 6749 §5.1 success body.
#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(tokens: IssuedTokens) -> Self {
        TokenResponse {
            access_token: tokens.access_token,
            token_type: "Bearer",
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
            scope: tokens.scope.to_string(),
            id_token: tokens.id_token,
        }
    }
}

#[tracing::instrument(skip_all, fields(grant_type, client_id))]
pub async fn token_post(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form, extract::FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(params) = form?;
    let credentials = extract::client_credentials(&headers, &params)?;
    let now = state.now();
    // Authenticate before validating the grant: an unknown caller learns nothing about it.
    let client = clients::authenticate_client(&state, credentials, now).await?;
    tracing::Span::current().record("client_id", client.client_id.as_str());
    let request = TokenRequest::try_from(&params)?;
    let issued = grant(&state, &client, request, client_ip, now).await?;
    Ok(no_store(Json(TokenResponse::from(issued))))
}

async fn grant(
    state: &AppState,
    client: &Client,
    request: TokenRequest,
    client_ip: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, Error> {
    match request {
        TokenRequest::Password {
            username,
            password,
            scope,
        } => grants::password_grant(state, client, &username, &password, scope, client_ip, now)
            .await
            .map(|(_, issued)| issued),
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => grants::refresh_grant(state, client, &refresh_token, scope, now)
            .await
            .map(|refreshed| refreshed.tokens),
        TokenRequest::ClientCredentials { scope } => {
            grants::client_credentials_grant(state, client, scope, now).await
        }
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let exchange = CodeExchange {
                code: &code,
                redirect_uri: redirect_uri.as_deref(),
                code_verifier: code_verifier.as_deref(),
            };
            code::exchange_code(state, client, exchange, now)
                .await
                .map(|(_, issued)| issued)
        }
    }
}

/// RFC 6749 §5.1: token responses MUST NOT be cached.
pub fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
