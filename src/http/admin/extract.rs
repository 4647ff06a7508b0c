//! What admin handlers extract: the signed-in admin ([`AdminSession`]), a POSTed form whose CSRF
//! token matched their session ([`AdminForm`]), and a page's query string with the notice a
//! redirect asked it to show.

use std::net::IpAddr;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::admin::AdminError;
use crate::auth::admin::users::ADMIN_ROLE;
use crate::auth::audit::Actor;
use crate::http::cookies;
use crate::http::extract::{ClientOrigin, Form, Params};
use crate::http::html::{Failure, PageError};
use crate::http::page_language;
use crate::http::session::{self, SignedIn};
use crate::paths;
use crate::state::AppState;
use crate::views::admin::Chrome;
use crate::views::context;

/// A signed-in admin and the address they came from.
pub struct AdminSession {
    pub signed_in: SignedIn,
    pub ip: Option<IpAddr>,
}

impl AdminSession {
    /// The admin as the audit trail names them.
    pub fn actor(&self) -> Actor {
        Actor::user(&self.signed_in.user, self.ip)
    }

    /// The frame of a page in `section`, with the notice (a message id) a redirect asked for.
    pub fn chrome(&self, section: &'static str, notice: Option<&'static str>) -> Chrome {
        Chrome {
            username: self.signed_in.user.username.clone(),
            csrf_token: self.signed_in.csrf_token.clone(),
            section,
            notice,
            lang: page_language::current(),
            brand: context::brand(),
        }
    }
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(ClientOrigin { ip, .. }) = ClientOrigin::from_request_parts(parts, state).await;
        let jar = CookieJar::from_headers(&parts.headers);
        let signed_in = session::signed_in(state, cookies::admin_session_id(&jar))
            .await
            .map_err(|err| PageError::from(AdminError::from(err)).into_response())?;
        // An account deactivated since it signed in is signed out here, whatever the session says.
        let signed_in = signed_in.filter(|s| s.user.is_active);
        match signed_in {
            Some(signed_in) if signed_in.user.has_role(ADMIN_ROLE) => {
                Ok(AdminSession { signed_in, ip })
            }
            Some(signed_in) => Err(not_admin(signed_in)),
            None => match browser_user(state, &jar).await {
                // Only admins get the admin cookie: a user signed in without it is shown why the
                // admin pages are closed to them, not the login form again (which would loop).
                // An admin without it signs in again here, so that it is set.
                Some(user) if !user.user.has_role(ADMIN_ROLE) => Err(not_admin(user)),
                _ => {
                    // After signing in, come back here; a POST cannot be replayed, so go home.
                    let next = match (&parts.method, parts.uri.path_and_query()) {
                        (&Method::GET, Some(path)) => path.as_str(),
                        _ => paths::ADMIN,
                    };
                    Err(session::login_redirect(next))
                }
            },
        }
    }
}

fn not_admin(signed_in: SignedIn) -> Response {
    PageError::admin(Failure::NotAdmin(signed_in.user.username)).into_response()
}

/// The active user the `sesame_session` cookie names, if any; a failure to read it reads as
/// signed out, as on every public page.
async fn browser_user(state: &AppState, jar: &CookieJar) -> Option<SignedIn> {
    let found = session::signed_in(state, cookies::session_id(jar)).await;
    found.ok().flatten().filter(|s| s.user.is_active)
}

/// A POSTed admin form whose CSRF token matched the admin's session.
pub struct AdminForm {
    pub session: AdminSession,
    pub params: Params,
}

impl AdminForm {
    /// A submitted value, or empty.
    pub fn text(&self, name: &str) -> String {
        self.params.get(name).unwrap_or_default().to_owned()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.params.get(name).is_some()
    }
}

impl FromRequest<AppState> for AdminForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = AdminSession::from_request_parts(&mut parts, state).await?;
        let Form(params) = Form::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|err| PageError::admin(Failure::Form(err)).into_response())?;
        if !session::csrf_matches(&session.signed_in, params.get("csrf_token")) {
            return Err(PageError::admin(Failure::Csrf).into_response());
        }
        Ok(AdminForm { session, params })
    }
}

/// The query string of a page, parsed strictly (a repeated parameter is refused).
pub fn query(raw: Option<&str>) -> Result<Params, PageError> {
    Params::parse(raw.unwrap_or_default().as_bytes())
        .map_err(|err| PageError::admin(Failure::Query(err)))
}

/// The 1-based page number a list was asked for (`page`), 1 when absent or not a number.
pub fn page_number(params: &Params) -> u64 {
    params
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1u64)
        .max(1)
}

/// The notice a redirect may ask a page to show, as its message id: a page never prints query
/// text, and an unknown notice shows nothing.
pub fn notice(params: &Params) -> Option<&'static str> {
    let key = match params.get("notice")? {
        "saved" => "notice-saved",
        "enabled" => "notice-enabled",
        "disabled" => "notice-disabled",
        "deleted" => "notice-deleted",
        "created" => "notice-created",
        "password" => "notice-password",
        "revoked" => "notice-revoked",
        "nothing" => "notice-nothing",
        "rotated" => "notice-rotated",
        "retired" => "notice-retired",
        "cleared" => "notice-cleared",
        "nothing_cleared" => "notice-nothing-cleared",
        _ => return None,
    };
    Some(key)
}
