//! The domain: who may have which token. Every HTTP surface (`/oauth`, `/api`, the compat profile,
//! the browser pages) calls these functions; there is one implementation of checking a password,
//! issuing a token pair, rotating a refresh token and revoking.
//!
//! Functions take `now` as an argument and no axum types.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod authorize;
pub mod blacklist;
pub mod clients;
pub mod device;
pub mod directory;
pub mod django_import;
pub mod end_session;
pub mod grant;
pub mod introspection;
pub mod login_csrf;
pub mod login_gates;
pub mod maintenance;
pub mod password_policy;
pub mod redirect_uri;
pub mod registration;
pub mod revocation;
pub mod scope;
pub mod sessions;
pub mod sliding;
pub mod throttle;
pub mod tokens;

use sea_orm::DbErr;

use crate::crypto::keys::KeyError;
use crate::store;

/// What can go wrong while granting, verifying or revoking. Each surface maps these to its own
/// wire format in one place (RFC 6749 §5.2 JSON, simplejwt's `detail`, the compat envelope).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// RFC 6749 §5.2 `invalid_request`: "The request is missing a required parameter, includes an
    /// unsupported parameter value (other than grant type), repeats a parameter, ..."
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// RFC 6749 §5.2 `invalid_client`: "Client authentication failed (e.g., unknown client, no
    /// client authentication included, or unsupported authentication method)."
    #[error("client authentication failed")]
    InvalidClient,
    /// RFC 6749 §5.2 `unauthorized_client`: "The authenticated client is not authorized to use this
    /// authorization grant type."
    #[error("unauthorized client: {0}")]
    UnauthorizedClient(String),
    /// RFC 6749 §5.2 `unsupported_grant_type`.
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    /// RFC 6749 §5.2 `invalid_scope`: "The requested scope is invalid, unknown, malformed, or
    /// exceeds the scope granted by the resource owner."
    #[error("invalid scope: {0}")]
    InvalidScope(String),
    /// Wrong password, unknown user and inactive user: deliberately one variant, so no surface can
    /// tell them apart by accident.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// RFC 6749 §5.2 `invalid_grant` for reasons other than a bad token.
    #[error("invalid grant: {0}")]
    InvalidGrant(String),
    /// SPEC §10: "a throttled login answers 429 with `Retry-After`". Too many recent failed
    /// password checks, of the rule `scope` says; the password was not looked at.
    #[error("{}; retry after {retry_after:?}", scope.describe())]
    Throttled {
        retry_after: std::time::Duration,
        scope: throttle::Scope,
    },
    /// A presented token is unusable; the variant says why (simplejwt reports each differently).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The database cannot be reached (see `store::availability::is_unavailable`): every surface
    /// answers 503 with `Retry-After` (RFC 9110 §15.6.4), in its own body shape. Nothing was
    /// decided, so the client may retry the same request.
    #[error("database unavailable: {0}")]
    Unavailable(DbErr),
    /// An unexpected failure: database, key files, a crashed blocking task. Answered as a 5xx.
    #[error(transparent)]
    Internal(Internal),
}

/// Why a presented token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is invalid")]
    Invalid,
    #[error("token is expired")]
    Expired,
    /// Well signed, but without `exp` (simplejwt: "Token has no 'exp' claim").
    #[error("token has no exp claim")]
    NoExp,
    /// Without the `token_type` claim where a type is required (simplejwt: "Token has no type").
    #[error("token has no type")]
    NoType,
    #[error("token has wrong type")]
    WrongType,
    #[error("token has no id")]
    NoId,
    /// Revoked, blacklisted, already rotated, or its family was revoked after reuse.
    #[error("token is revoked")]
    Revoked,
    /// A refresh token that was rotated already was presented again; its family is now revoked.
    #[error("token was reused")]
    Reused,
    /// The token is fine but its user has been deleted.
    #[error("the token's user does not exist")]
    UserNotFound,
    #[error("the token's user is inactive")]
    UserInactive,
    /// Issued to another client than the one presenting it.
    #[error("token was issued to another client")]
    WrongClient,
}

/// Failures that are ours, not the caller's.
#[derive(Debug, thiserror::Error)]
pub enum Internal {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("keys: {0}")]
    Keys(#[from] KeyError),
    #[error("password hashing: {0}")]
    Password(String),
    #[error("blocking task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// oxide-auth's authorization flow failed without a cause of ours: a broken invariant.
    #[error("authorization flow: {0}")]
    Flow(&'static str),
}

/// Every internal failure becomes an `Error` here, so an unreachable database is told apart from
/// a failed query wherever the failure came from.
impl From<Internal> for Error {
    fn from(err: Internal) -> Error {
        match err {
            Internal::Database(db) if store::availability::is_unavailable(&db) => {
                Error::Unavailable(db)
            }
            other => Error::Internal(other),
        }
    }
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Error {
        Internal::Database(err).into()
    }
}

impl From<KeyError> for Error {
    fn from(err: KeyError) -> Error {
        match err {
            // Reading or writing the ring's rows: an outage is an outage, wherever it shows.
            KeyError::Database(db) => Internal::Database(db).into(),
            other => Error::Internal(Internal::Keys(other)),
        }
    }
}
