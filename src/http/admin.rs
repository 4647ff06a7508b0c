//! The admin UI at `/admin` (SPEC §7 "Admin UI"): server-rendered pages for clients, users,
//! refresh-token families, signing keys and the audit log. Handlers only extract, call
//! `auth::admin` and render; this module holds what they share:
//!
//! - [`AdminSession`]: the `sesame_admin` cookie (SameSite=Strict, Path=/admin) names a session
//!   whose user has the `admin` role; anyone else is sent to the login form or shown a 403 page.
//! - [`AdminForm`]: every state-changing request is a POST whose form carries the session's CSRF
//!   token; without it the request is refused with 403 before anything is read or changed.
//! - [`PageError`]: the one place admin failures become HTML error pages.

mod audit;
mod clients;
mod dashboard;
mod keys;
mod tokens;
mod users;

use std::net::IpAddr;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::auth::admin::AdminError;
use crate::auth::admin::users::ADMIN_ROLE;
use crate::auth::audit::Actor;
use crate::http::extract::{ClientIp, Form, FormRejection, Params};
use crate::http::session::{self, SignedIn};
use crate::state::AppState;
use crate::views::admin::{AdminErrorPage, Chrome};
use crate::views::render_status;

/// The admin cookie: the login session's id, SameSite=Strict, Path=/admin (set at login).
const ADMIN_COOKIE: &str = "sesame_admin";

/// The admin UI's stylesheet, served at [`STYLESHEET`].
const STYLESHEET: &str = "/static/admin.css";
const STYLESHEET_BODY: &str = include_str!("../../static/admin.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(STYLESHEET, get(stylesheet_get))
        .route("/admin", get(dashboard::dashboard_get))
        .route(
            "/admin/clients",
            get(clients::clients_list).post(clients::clients_create),
        )
        .route("/admin/clients/new", get(clients::clients_new))
        .route(
            "/admin/clients/{client_id}",
            get(clients::clients_edit).post(clients::clients_update),
        )
        .route(
            "/admin/clients/{client_id}/enable",
            post(clients::clients_enable),
        )
        .route(
            "/admin/clients/{client_id}/disable",
            post(clients::clients_disable),
        )
        .route(
            "/admin/clients/{client_id}/delete",
            get(clients::clients_delete_confirm).post(clients::clients_delete),
        )
        .route(
            "/admin/clients/{client_id}/rotate-secret",
            post(clients::clients_rotate_secret),
        )
        .route(
            "/admin/clients/{client_id}/revoke-tokens",
            post(clients::clients_revoke_tokens),
        )
        .route(
            "/admin/users",
            get(users::users_list).post(users::users_create),
        )
        .route("/admin/users/new", get(users::users_new))
        .route(
            "/admin/users/{id}",
            get(users::users_edit).post(users::users_update),
        )
        .route(
            "/admin/users/{id}/password",
            post(users::users_reset_password),
        )
        .route(
            "/admin/users/{id}/revoke-tokens",
            post(users::users_revoke_tokens),
        )
        .route("/admin/tokens", get(tokens::tokens_list))
        .route(
            "/admin/tokens/{family_id}/revoke",
            post(tokens::tokens_revoke),
        )
        .route("/admin/keys", get(keys::keys_list))
        .route("/admin/keys/rotate", post(keys::keys_rotate))
        .route("/admin/keys/{kid}/retire", post(keys::keys_retire))
        .route("/admin/audit", get(audit::audit_list))
}

async fn stylesheet_get() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET_BODY,
    )
        .into_response()
}

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

    /// The frame of a page in `section`, with the notice a redirect asked for.
    pub fn chrome(&self, section: &'static str, notice: Option<&'static str>) -> Chrome {
        Chrome {
            username: self.signed_in.user.username.clone(),
            csrf_token: self.signed_in.csrf_token.clone(),
            section,
            notice,
        }
    }
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        let signed_in = session::signed_in_from_cookie(state, &parts.headers, ADMIN_COOKIE)
            .await
            .map_err(|err| PageError::from(err).into_response())?;
        // An account deactivated since it signed in is signed out here, whatever the session says.
        match signed_in.filter(|s| s.user.is_active) {
            None => {
                // After signing in, come back here; a POST cannot be replayed, so go home.
                let next = match (&parts.method, parts.uri.path_and_query()) {
                    (&Method::GET, Some(path)) => path.as_str(),
                    _ => "/admin",
                };
                Err(session::login_redirect(next))
            }
            Some(signed_in) if !signed_in.user.has_role(ADMIN_ROLE) => {
                Err(PageError::NotAdmin(signed_in.user.username).into_response())
            }
            Some(signed_in) => Ok(AdminSession { signed_in, ip }),
        }
    }
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
            .map_err(|err| PageError::from(err).into_response())?;
        if !session::csrf_matches(&session.signed_in, params.get("csrf_token")) {
            return Err(PageError::Csrf.into_response());
        }
        Ok(AdminForm { session, params })
    }
}

/// The query string of a page, parsed strictly (a repeated parameter is refused).
pub fn query(raw: Option<&str>) -> Result<Params, PageError> {
    Params::parse(raw.unwrap_or_default().as_bytes()).map_err(PageError::from)
}

/// 303 to `path` (after a successful POST, so a reload does not repeat it). A path that cannot
/// be a header value goes to the dashboard instead of failing.
pub fn see_other(path: &str) -> Response {
    let location =
        HeaderValue::from_str(path).unwrap_or_else(|_| HeaderValue::from_static("/admin"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// The notices a redirect may ask a page to show, by key: a page never prints query text.
pub fn notice(params: &Params) -> Option<&'static str> {
    let text = match params.get("notice")? {
        "saved" => "Changes saved.",
        "enabled" => "The client is enabled.",
        "disabled" => "The client is disabled and its refresh tokens are revoked.",
        "deleted" => "The client is deleted and its refresh tokens are revoked.",
        "created" => "The user is created.",
        "password" => "The password is set and the user's refresh tokens are revoked.",
        "revoked" => "The refresh tokens are revoked.",
        "nothing" => "There was nothing left to revoke.",
        "rotated" => "A new key is published; it signs once JWKS caches have had time to learn it.",
        "retired" => "The key is retired: it is no longer published or accepted.",
        _ => return None,
    };
    Some(text)
}

/// An admin request that failed; rendered as an error page in [`IntoResponse`].
#[derive(Debug)]
pub enum PageError {
    NotFound,
    /// Signed in, but without the admin role.
    NotAdmin(String),
    /// The form's CSRF token was missing or wrong.
    Csrf,
    BadRequest(String),
    /// The action is refused as a whole; the message says why.
    Refused(String),
    Internal,
}

impl From<AdminError> for PageError {
    fn from(err: AdminError) -> PageError {
        match err {
            AdminError::Invalid(errors) => {
                let fields: Vec<_> = errors.fields().collect();
                PageError::BadRequest(format!("invalid fields: {}", fields.join(", ")))
            }
            AdminError::NotFound => PageError::NotFound,
            AdminError::Refused(message) => PageError::Refused(message),
            AdminError::Internal(err) => PageError::from(err),
        }
    }
}

impl From<crate::auth::Error> for PageError {
    fn from(err: crate::auth::Error) -> PageError {
        tracing::error!(error = %err, "admin request failed");
        PageError::Internal
    }
}

impl From<FormRejection> for PageError {
    fn from(err: FormRejection) -> PageError {
        PageError::BadRequest(err.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message, show_nav) = match self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here; it may have been deleted.".to_owned(),
                true,
            ),
            PageError::NotAdmin(username) => (
                StatusCode::FORBIDDEN,
                "Administrators only",
                format!("You are signed in as {username}, who is not an administrator."),
                false,
            ),
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "The form was not sent from this admin session. Go back, reload the page and try again."
                    .to_owned(),
                true,
            ),
            PageError::BadRequest(message) => (StatusCode::BAD_REQUEST, "Bad request", message, true),
            PageError::Refused(message) => (StatusCode::CONFLICT, "Not done", message, true),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The change could not be made. Try again; if it keeps failing, see the server log."
                    .to_owned(),
                true,
            ),
        };
        let page = AdminErrorPage {
            title: title.to_owned(),
            message,
            show_nav,
        };
        render_status(status, &page)
    }
}
