//! The one place where errors become simplejwt's and DRF's wire format: `{"detail"}`,
//! `{"detail","code"}`, `{"detail","code","messages"}` and per-field `{"field":["..."]}` bodies,
//! with DRF's status codes. The `WWW-Authenticate` challenge on every 401 is added by the
//! surface's router layer, which knows the configured header types.

use axum::Json;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Value, json};

use crate::auth::registration::RegistrationError;
use crate::auth::sliding::SlidingError;
use crate::auth::tokens::REFRESH_EXP_CLAIM;
use crate::auth::{Error, TokenError};
use crate::http::failure::{
    count_throttled, log_internal, mark_unavailable, retry_after_secs, sentence, set_retry_after,
};
use crate::i18n::Translator;

tokio::task_local! {
    /// The language of the request being answered, set by the surface's layer
    /// ([`super::language`]). `IntoResponse` sees neither the request nor the state, and errors
    /// also come from extractors and fallbacks, so the layer decides once and every error of the
    /// request reads it here.
    pub(super) static TRANSLATOR: Translator;
}

/// The current request's [`Translator`] (English outside a request of this surface).
pub fn translator() -> Translator {
    TRANSLATOR.try_with(|t| *t).unwrap_or_default()
}

/// Messages per field in declaration order, or DRF's `non_field_errors`.
pub type FieldErrors = Vec<(String, Vec<String>)>;

/// An error at the `/api/` surface (and the compat profile's login, which wraps the same body).
#[derive(Debug)]
pub enum ApiError {
    /// DRF's `ValidationError`: 400 with messages per field (or `non_field_errors`).
    Fields(FieldErrors),
    /// DRF's `ParseError`: an unreadable body.
    Parse(String),
    TooLarge,
    /// The raw `Content-Type` of the request.
    UnsupportedMediaType(String),
    MethodNotAllowed(Method),
    /// A domain failure: obtaining, refreshing or blacklisting tokens, registering.
    Domain(Error),
    /// A failure of `/api/token/verify/`, where a blacklisted token is a validation error.
    Verify(Error),
    Sliding(SlidingError),
    /// simplejwt's `JWTAuthentication` refusing a request.
    Auth(AuthError),
}

/// Why `JWTAuthentication` refused a request.
#[derive(Debug)]
pub enum AuthError {
    /// No `Authorization` header, or one of another scheme.
    NotProvided,
    /// The header does not hold exactly a scheme and a token.
    BadHeader,
    /// Every configured token class refused the token; one message per class.
    NoValidToken(Vec<TokenClassMessage>),
    /// A valid token that names no user (a client-credentials token).
    NoUserId,
    UserNotFound,
    UserInactive,
    Internal(Error),
}

/// One entry of simplejwt's `messages`: why one token class refused the token.
#[derive(Debug)]
pub struct TokenClassMessage {
    pub token_class: &'static str,
    pub token_type: &'static str,
    pub error: TokenError,
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        ApiError::Auth(err)
    }
}

impl From<RegistrationError> for ApiError {
    fn from(err: RegistrationError) -> Self {
        match err {
            RegistrationError::Invalid(errors) => {
                let t = translator();
                ApiError::Fields(
                    errors
                        .into_iter()
                        .map(|(field, problems)| {
                            let messages = problems.into_iter().map(|p| p.message(t)).collect();
                            (field.to_owned(), messages)
                        })
                        .collect(),
                )
            }
            RegistrationError::Other(err) => ApiError::Domain(err),
        }
    }
}

/// simplejwt's message for a refused token, in the request's language.
pub fn token_message(t: Translator, err: TokenError) -> String {
    let msgid = match err {
        TokenError::Invalid | TokenError::WrongClient => "Token is invalid",
        TokenError::Expired => "Token is expired",
        TokenError::NoExp => return claim_message(t, "Token has no '{}' claim", "exp"),
        TokenError::NoType => "Token has no type",
        TokenError::WrongType => "Token has wrong type",
        TokenError::NoId => "Token has no id",
        TokenError::Revoked
        | TokenError::Reused
        | TokenError::UserNotFound
        | TokenError::UserInactive => "Token is blacklisted",
    };
    t.gettext(msgid).into_owned()
}

/// simplejwt's `format_lazy(_("Token has no '{}' claim"), claim)`: translated, then formatted.
fn claim_message(t: Translator, msgid: &'static str, claim: &str) -> String {
    t.gettext(msgid).replacen("{}", claim, 1)
}

/// Field errors keep their declaration order, which a JSON map would sort away.
struct Ordered<'a>(&'a FieldErrors);

impl Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

fn detail(msg: &str) -> Value {
    json!({ "detail": msg })
}

/// `{"detail"}` with a translated message.
fn detail_of(t: Translator, msgid: &'static str) -> Value {
    detail(&t.gettext(msgid))
}

fn token_not_valid(msg: &str) -> (StatusCode, Value) {
    (
        StatusCode::UNAUTHORIZED,
        json!({ "detail": msg, "code": "token_not_valid" }),
    )
}

/// `APIException`'s default answer to an unexpected failure, after logging it; DRF's
/// `ServiceUnavailable` when the database cannot be reached (logged once per outage elsewhere).
fn internal(t: Translator, err: &Error) -> (StatusCode, Value) {
    match err {
        Error::Unavailable(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                detail("Service temporarily unavailable, try again later."),
            );
        }
        Error::Internal(internal) => log_internal("api", internal),
        other => tracing::error!(error = %other, "unexpected domain error at the /api surface"),
    }
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        detail_of(t, "A server error occurred."),
    )
}

fn token_error(t: Translator, err: &Error) -> (StatusCode, Value) {
    match err {
        Error::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            detail_of(t, "No active account found with the given credentials"),
        ),
        // simplejwt answers 500 for a deleted user; its 401 for an inactive one, without a code.
        Error::Token(TokenError::UserNotFound | TokenError::UserInactive) => (
            StatusCode::UNAUTHORIZED,
            detail_of(t, "No active account found for the given token."),
        ),
        Error::Token(token) => token_not_valid(&token_message(t, *token)),
        Error::InvalidGrant(_) => token_not_valid(&t.gettext("Token is invalid")),
        // DRF's `Throttled` exception (SPEC §10: 429 with `Retry-After`, added below).
        // DRF words a custom detail as "<detail> Expected available in N seconds.".
        Error::Throttled { retry_after, scope } => (
            StatusCode::TOO_MANY_REQUESTS,
            detail(&throttled(
                t,
                &sentence(scope.describe()),
                retry_after_secs(*retry_after),
            )),
        ),
        other => internal(t, other),
    }
}

/// DRF's `Throttled` detail. DRF formats both extra details before `ngettext` looks them up, so
/// the lookup misses and picks by English's rule between the two translated sentences.
/// DRF's `Throttled` detail with a custom sentence: "<sentence>. Expected available in N
/// second(s).", the second part in the request's language.
fn throttled(t: Translator, sentence: &str, wait: u64) -> String {
    let extra = if wait == 1 {
        t.gettext("Expected available in {wait} second.")
    } else {
        t.gettext("Expected available in {wait} seconds.")
    };
    format!("{sentence}. {}", extra.replace("{wait}", &wait.to_string()))
}

fn auth_error(t: Translator, err: &AuthError) -> (StatusCode, Value) {
    let unauthorized = |msgid: &'static str, code: &str| {
        (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": t.gettext(msgid), "code": code }),
        )
    };
    match err {
        AuthError::NotProvided => (
            StatusCode::UNAUTHORIZED,
            detail_of(t, "Authentication credentials were not provided."),
        ),
        AuthError::BadHeader => unauthorized(
            "Authorization header must contain two space-delimited values",
            "bad_authorization_header",
        ),
        AuthError::NoValidToken(messages) => {
            let messages: Vec<Value> = messages
                .iter()
                .map(|m| {
                    json!({
                        "token_class": m.token_class,
                        "token_type": m.token_type,
                        "message": token_message(t, m.error),
                    })
                })
                .collect();
            (
                StatusCode::UNAUTHORIZED,
                json!({
                    "detail": t.gettext("Given token not valid for any token type"),
                    "code": "token_not_valid",
                    "messages": messages,
                }),
            )
        }
        AuthError::NoUserId => unauthorized(
            "Token contained no recognizable user identification",
            "token_not_valid",
        ),
        AuthError::UserNotFound => unauthorized("User not found", "user_not_found"),
        AuthError::UserInactive => unauthorized("User is inactive", "user_inactive"),
        AuthError::Internal(err) => internal(t, err),
    }
}

impl ApiError {
    /// The unreachable database's error, when that is what this error is.
    pub fn unavailable(&self) -> Option<&DbErr> {
        match self {
            ApiError::Domain(Error::Unavailable(cause))
            | ApiError::Verify(Error::Unavailable(cause))
            | ApiError::Sliding(SlidingError::Other(Error::Unavailable(cause)))
            | ApiError::Auth(AuthError::Internal(Error::Unavailable(cause))) => Some(cause),
            _ => None,
        }
    }

    /// The status and body this error answers with, in the request's language (the compat
    /// profile wraps the body).
    pub fn status_and_body(&self) -> (StatusCode, Value) {
        let t = translator();
        match self {
            ApiError::Fields(errors) => (
                StatusCode::BAD_REQUEST,
                serde_json::to_value(Ordered(errors)).unwrap_or_default(),
            ),
            ApiError::Parse(msg) => (StatusCode::BAD_REQUEST, detail(msg)),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                detail("Request body is too large."),
            ),
            ApiError::UnsupportedMediaType(media) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                detail(
                    &t.gettext("Unsupported media type \"{media_type}\" in request.")
                        .replace("{media_type}", media),
                ),
            ),
            ApiError::MethodNotAllowed(method) => (
                StatusCode::METHOD_NOT_ALLOWED,
                detail(
                    &t.gettext("Method \"{method}\" not allowed.")
                        .replace("{method}", method.as_str()),
                ),
            ),
            ApiError::Domain(err) => token_error(t, err),
            // simplejwt's TokenVerifySerializer raises a ValidationError for a blacklisted token.
            ApiError::Verify(Error::Token(
                TokenError::Revoked
                | TokenError::Reused
                | TokenError::UserNotFound
                | TokenError::UserInactive,
            )) => (
                StatusCode::BAD_REQUEST,
                json!({ "non_field_errors": [t.gettext("Token is blacklisted")] }),
            ),
            ApiError::Verify(err) => token_error(t, err),
            ApiError::Sliding(SlidingError::RefreshExpired) => token_not_valid(&claim_message(
                t,
                "Token '{}' claim has expired",
                REFRESH_EXP_CLAIM,
            )),
            ApiError::Sliding(SlidingError::NoRefreshExp) => token_not_valid(&claim_message(
                t,
                "Token has no '{}' claim",
                REFRESH_EXP_CLAIM,
            )),
            ApiError::Sliding(SlidingError::Other(err)) => token_error(t, err),
            ApiError::Auth(err) => auth_error(t, err),
        }
    }
}

/// Counts failures by reason, as the OAuth surface does (`sesame_failures_total`).
fn count_failure(err: &ApiError) {
    let reason = match err {
        _ if err.unavailable().is_some() => "database_unavailable",
        ApiError::Domain(Error::InvalidCredentials) => "invalid_credentials",
        ApiError::Domain(Error::Throttled { .. }) => "login_throttled",
        ApiError::Domain(Error::Token(TokenError::Reused)) => "refresh_reuse",
        ApiError::Domain(Error::Token(TokenError::Expired)) => "token_expired",
        ApiError::Domain(Error::Token(_)) | ApiError::Verify(_) | ApiError::Sliding(_) => {
            "token_invalid"
        }
        ApiError::Auth(_) => "bearer_invalid",
        _ => return,
    };
    metrics::counter!("sesame_failures_total", "reason" => reason).increment(1);
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        count_failure(&self);
        let (status, body) = self.status_and_body();
        let mut response = (status, Json(body)).into_response();
        if let ApiError::Domain(Error::Throttled { retry_after, scope }) = &self {
            count_throttled("api", *scope);
            set_retry_after(response.headers_mut(), *retry_after);
        }
        if let Some(cause) = self.unavailable() {
            mark_unavailable(&mut response, cause);
        }
        response
    }
}
