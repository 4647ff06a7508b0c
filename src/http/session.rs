//! Browser sessions at the HTTP edge: the `MaybeUser` extractor, the CSRF check of a signed-in
//! user's forms and the redirect to the login form. The rules live in `auth::sessions`; the
//! cookies that carry the session id in `http::cookies`.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};

use crate::auth::{self, sessions};
use crate::entities::users;
use crate::http::cookies;
use crate::http::html::see_other;
use crate::paths;
use crate::state::AppState;

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
        let jar = CookieJar::from_headers(&parts.headers);
        match signed_in(state, cookies::session_id(&jar)).await {
            Ok(signed_in) => Ok(MaybeUser(signed_in)),
            // An unreachable database is logged once per outage, by the request that fails on it.
            Err(auth::Error::Unavailable(_)) => Ok(MaybeUser(None)),
            Err(err) => {
                tracing::error!(error = %err, "reading the session failed; treating as signed out");
                Ok(MaybeUser(None))
            }
        }
    }
}

/// The signed-in user whose session id a cookie carries (the session or the admin cookie).
pub async fn signed_in(
    state: &AppState,
    session_id: Option<&str>,
) -> Result<Option<SignedIn>, auth::Error> {
    let Some(id) = session_id else {
        return Ok(None);
    };
    let found = sessions::find_user_session(state, id, state.now()).await?;
    Ok(found.map(|found| SignedIn {
        auth_time: found.session.auth_time.unwrap_or(found.session.created_at),
        csrf_token: found.session.csrf_token,
        user: found.user,
        session_id: id.to_owned(),
    }))
}

/// Whether a submitted form carries the session's CSRF token (constant-time comparison).
pub fn csrf_matches(signed_in: &SignedIn, submitted: Option<&str>) -> bool {
    crate::crypto::secrets::csrf_matches(&signed_in.csrf_token, submitted)
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
}
