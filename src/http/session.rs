//! Browser sessions at the HTTP edge: the session cookies, the `MaybeUser` extractor, CSRF checks
//! and the redirect to the login form. The rules live in `auth::sessions`; this module only reads
//! and writes cookies.
//!
//! `sesame_session` (Path=/, SameSite=Lax) carries the session id for every page; for a user with
//! the `admin` role, `sesame_admin` (Path=/admin, SameSite=Strict) carries the same id, so the
//! admin UI is never reached by a cross-site navigation. Both are HttpOnly, and Secure when the
//! issuer is `https://` or `cookie_secure` says so.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};

use crate::auth::{self, sessions};
use crate::entities::users;
use crate::paths;
use crate::state::AppState;

/// The session cookie of every browser page.
pub const SESSION_COOKIE: &str = "sesame_session";
/// The admin UI's copy of the session id.
pub const ADMIN_COOKIE: &str = "sesame_admin";
/// The path the admin cookie is sent to.
pub const ADMIN_PATH: &str = "/admin";

/// A signed-in browser user.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: users::Model,
    /// The id the cookie carries.
    pub session_id: String,
    /// The synchronizer token every form of this session carries.
    pub csrf_token: String,
    /// When the user typed their password (OIDC `auth_time`).
    pub auth_time: DateTime<Utc>,
}

/// The signed-in user, if any. Never rejects: a missing, expired or unknown session, an inactive
/// user and a database failure (logged) all read as signed out.
pub struct MaybeUser(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        match signed_in_from_cookie(state, &parts.headers, SESSION_COOKIE).await {
            Ok(signed_in) => Ok(MaybeUser(signed_in)),
            Err(err) => {
                tracing::error!(error = %err, "reading the session failed; treating as signed out");
                Ok(MaybeUser(None))
            }
        }
    }
}

/// The signed-in user whose session id is in the cookie `cookie_name` (`SESSION_COOKIE` or
/// `ADMIN_COOKIE`).
pub async fn signed_in_from_cookie(
    state: &AppState,
    headers: &HeaderMap,
    cookie_name: &str,
) -> Result<Option<SignedIn>, auth::Error> {
    let Some(id) = cookie_value(headers, cookie_name) else {
        return Ok(None);
    };
    let found = sessions::find_user_session(state, &id, state.now()).await?;
    Ok(found.map(|found| SignedIn {
        auth_time: found.session.auth_time.unwrap_or(found.session.created_at),
        csrf_token: found.session.csrf_token,
        user: found.user,
        session_id: id,
    }))
}

/// Whether a submitted form carries the session's CSRF token (constant-time comparison).
pub fn csrf_matches(signed_in: &SignedIn, submitted: Option<&str>) -> bool {
    sessions::csrf_matches(&signed_in.csrf_token, submitted)
}

/// The value of a request cookie, from any `Cookie` header.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name && !cookie.value().is_empty())
        .map(|cookie| cookie.value().to_owned())
}

/// A 303 to the login form, which comes back to `next` (a same-origin path) afterwards.
pub fn login_redirect(next: &str) -> Response {
    let target = if is_same_origin_path(next) {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        format!("{}?{query}", paths::LOGIN)
    } else {
        paths::LOGIN.to_owned()
    };
    see_other(&target)
}

/// A 303 See Other to `location`.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => {
            tracing::error!("refusing to redirect to a location that is not a header value");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Whether `next` stays on this origin: an absolute path, not a scheme-relative `//host` nor a
/// `/\host` that browsers read as one, with nothing a browser strips or rewrites (control
/// characters, whitespace, backslashes).
pub fn is_same_origin_path(next: &str) -> bool {
    let bytes = next.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

fn secure(state: &AppState) -> bool {
    state
        .config
        .cookie_secure
        .unwrap_or_else(|| state.config.issuer.starts_with("https://"))
}

fn set_cookie(cookie: &Cookie<'_>) -> Option<HeaderValue> {
    HeaderValue::from_str(&cookie.to_string()).ok()
}

fn removal(state: &AppState, name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, ""))
        .http_only(true)
        .path(path)
        .secure(secure(state))
        .build();
    cookie.make_removal();
    cookie
}

/// The `Set-Cookie` values that start a session: the session cookie, and the admin cookie for a
/// user with the `admin` role (removed for anyone else, so a previous admin's copy goes).
pub fn session_cookies(state: &AppState, session_id: &str, admin: bool) -> Vec<HeaderValue> {
    let secure = secure(state);
    let session = Cookie::build((SESSION_COOKIE, session_id.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(secure)
        .build();
    let admin = if admin {
        Cookie::build((ADMIN_COOKIE, session_id.to_owned()))
            .http_only(true)
            .same_site(SameSite::Strict)
            .path(ADMIN_PATH)
            .secure(secure)
            .build()
    } else {
        removal(state, ADMIN_COOKIE, ADMIN_PATH)
    };
    [session, admin].iter().filter_map(set_cookie).collect()
}

/// The `Set-Cookie` values that remove both session cookies.
pub fn clear_session_cookies(state: &AppState) -> Vec<HeaderValue> {
    [
        removal(state, SESSION_COOKIE, "/"),
        removal(state, ADMIN_COOKIE, ADMIN_PATH),
    ]
    .iter()
    .filter_map(set_cookie)
    .collect()
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(mut response: Response, cookies: Vec<HeaderValue>) -> Response {
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_are_next_targets() {
        for ok in [
            "/",
            "/oauth/authorize?client_id=a&x=%2F%2F",
            "/admin/clients",
        ] {
            assert!(is_same_origin_path(ok), "{ok}");
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/a\\b",
            "javascript:alert(1)",
            "evil",
            "/a b",
        ] {
            assert!(!is_same_origin_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; sesame_session=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(
            cookie_value(&headers, SESSION_COOKIE).as_deref(),
            Some("xyz")
        );
        assert_eq!(cookie_value(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie_value(&headers, ADMIN_COOKIE), None);
    }
}
