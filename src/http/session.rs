//! STAND-IN for issue 4's browser-session extractors (replaced at merge): the signed-in user of a
//! request, CSRF checking and the redirect to the login form.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use subtle::ConstantTimeEq as _;

use crate::auth::{self, sessions};
use crate::entities::users;
use crate::state::AppState;

/// The login session cookie (SameSite=Lax, Path=/).
pub const SESSION_COOKIE: &str = "sesame_session";
/// The admin cookie: the same session id, SameSite=Strict, Path=/admin.
pub const ADMIN_COOKIE: &str = "sesame_admin";

/// A signed-in user and their session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: users::Model,
    pub session_id: String,
    pub csrf_token: String,
}

/// The signed-in user of the login session cookie, if any.
pub struct MaybeUser(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        signed_in_from_cookie(state, &parts.headers, SESSION_COOKIE)
            .await
            .map(MaybeUser)
            .map_err(|err| {
                tracing::error!(error = %err, "reading the session failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            })
    }
}

/// Whether `submitted` is the session's CSRF token (compared in constant time).
pub fn csrf_matches(signed_in: &SignedIn, submitted: Option<&str>) -> bool {
    submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(signed_in.csrf_token.as_bytes())))
}

/// The signed-in user named by cookie `cookie_name`, if its session is live and the user active.
pub async fn signed_in_from_cookie(
    state: &AppState,
    headers: &HeaderMap,
    cookie_name: &str,
) -> Result<Option<SignedIn>, auth::Error> {
    let Some(session_id) = cookie(headers, cookie_name) else {
        return Ok(None);
    };
    let found = sessions::find_session(state, &session_id, Utc::now()).await?;
    Ok(found.map(|(session, user)| SignedIn {
        user,
        session_id: session.id,
        csrf_token: session.csrf_token,
    }))
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

/// 303 to the login form, coming back to `next` afterwards.
pub fn login_redirect(next: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/login?next={next}"))],
    )
        .into_response()
}
