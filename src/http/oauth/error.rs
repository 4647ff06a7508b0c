//! The one place where domain errors become RFC 6749 §5.2 JSON (and RFC 6750 §3 for Bearer).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::{Error, TokenError};
use crate::http::extract::{CredentialsRejection, FormRejection};
use crate::http::failure::{
    count_throttled, log_internal, mark_unavailable, retry_after_secs, set_retry_after,
};

/// An error at the OAuth surface.
#[derive(Debug)]
pub enum OAuthError {
    Domain(Error),
    Form(FormRejection),
    Credentials(CredentialsRejection),
}

impl From<Error> for OAuthError {
    fn from(err: Error) -> Self {
        OAuthError::Domain(err)
    }
}

impl From<FormRejection> for OAuthError {
    fn from(err: FormRejection) -> Self {
        OAuthError::Form(err)
    }
}

impl From<CredentialsRejection> for OAuthError {
    fn from(err: CredentialsRejection) -> Self {
        OAuthError::Credentials(err)
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: String,
}

/// The code, status and description a domain error answers with.
fn describe(err: &Error) -> (StatusCode, &'static str, String) {
    use StatusCode as S;
    match err {
        Error::InvalidRequest(msg) => (S::BAD_REQUEST, "invalid_request", msg.clone()),
        Error::InvalidClient => (
            S::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed".into(),
        ),
        Error::UnauthorizedClient(msg) => (S::BAD_REQUEST, "unauthorized_client", msg.clone()),
        Error::UnsupportedGrantType => (
            S::BAD_REQUEST,
            "unsupported_grant_type",
            "the grant type is not supported".into(),
        ),
        Error::InvalidScope(msg) => (S::BAD_REQUEST, "invalid_scope", msg.clone()),
        Error::InvalidCredentials => (
            S::BAD_REQUEST,
            "invalid_grant",
            "invalid username or password".into(),
        ),
        Error::InvalidGrant(msg) => (S::BAD_REQUEST, "invalid_grant", msg.clone()),
        // RFC 6749 has no code for this. `slow_down` (RFC 8628 §3.5, in the IANA OAuth error
        // registry) says what is meant; `invalid_grant` would tell the client the password is
        // wrong, which was never checked, and invite the user to type it again.
        Error::Throttled { retry_after, scope } => (
            S::TOO_MANY_REQUESTS,
            "slow_down",
            format!(
                "{}; retry after {} seconds",
                scope.describe(),
                retry_after_secs(*retry_after)
            ),
        ),
        Error::Token(token) => (
            S::BAD_REQUEST,
            "invalid_grant",
            token_description(*token).into(),
        ),
        // RFC 6749 §4.1.2.1 names `temporarily_unavailable` for the authorization endpoint; the
        // same words say the same thing at the token endpoint, and nothing was decided.
        Error::Unavailable(_) => (
            S::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the server cannot reach its database; retry after Retry-After seconds".into(),
        ),
        Error::Internal(_) => (
            S::INTERNAL_SERVER_ERROR,
            "server_error",
            "the server could not complete the request".into(),
        ),
    }
}

fn token_description(err: TokenError) -> &'static str {
    match err {
        TokenError::Expired => "the token is expired",
        TokenError::Reused => "the refresh token was already used; its family is revoked",
        TokenError::Revoked => "the token is revoked",
        TokenError::WrongClient => "the token was issued to another client",
        TokenError::UserNotFound | TokenError::UserInactive => "the token's user is not active",
        TokenError::Invalid
        | TokenError::NoExp
        | TokenError::NoType
        | TokenError::WrongType
        | TokenError::NoId => "the token is invalid",
    }
}

/// The metric label of a failure.
fn reason(code: &'static str, err: &Error) -> &'static str {
    match err {
        Error::InvalidCredentials => "invalid_credentials",
        Error::Throttled { .. } => "login_throttled",
        Error::Unavailable(_) => "database_unavailable",
        Error::Token(TokenError::Reused) => "refresh_reuse",
        Error::Token(TokenError::Expired) => "token_expired",
        Error::Token(_) => "token_invalid",
        _ => code,
    }
}

impl OAuthError {
    /// The status, code and description; a domain failure is counted (and logged if internal).
    fn answer(&self) -> (StatusCode, &'static str, String) {
        match self {
            OAuthError::Domain(err) => {
                if let Error::Internal(internal) = err {
                    log_internal("oauth", internal);
                }
                let (status, code, description) = describe(err);
                metrics::counter!("sesame_failures_total", "reason" => reason(code, err))
                    .increment(1);
                (status, code, description)
            }
            OAuthError::Form(rejection) => {
                (rejection.status(), "invalid_request", rejection.to_string())
            }
            OAuthError::Credentials(rejection) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                rejection.to_string(),
            ),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, code, description) = self.answer();
        let mut response = (
            status,
            Json(Body {
                error: code,
                error_description: description,
            }),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let OAuthError::Domain(Error::Throttled { retry_after, scope }) = &self {
            count_throttled("oauth", *scope);
            set_retry_after(headers, *retry_after);
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6749 §5.2: invalid_client answers 401 with a WWW-Authenticate challenge.
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"sesame\""),
            );
        }
        if let OAuthError::Domain(Error::Unavailable(cause)) = &self {
            mark_unavailable(&mut response, cause);
        }
        response
    }
}
