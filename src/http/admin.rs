//! The admin UI at `/admin` (SPEC §7 "Admin UI"): server-rendered pages for clients, users,
//! refresh-token families, signing keys, login throttles and the audit log. Handlers only extract, call
//! `auth::admin` and render:
//!
//! - [`extract::AdminSession`]: the `sesame_admin` cookie (SameSite=Strict, Path=/admin) names a
//!   session whose user has the `admin` role; anyone else is sent to the login form or shown a
//!   403 page.
//! - [`extract::AdminForm`]: every state-changing request is a POST whose form carries the
//!   session's CSRF token; without it the request is refused with 403 before anything is read or
//!   changed.
//! - failures are `http::html::PageError`s in the admin frame.

mod audit;
mod clients;
mod dashboard;
mod extract;
mod keys;
mod throttles;
mod tokens;
mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::config::Config;
use crate::http::page_language;
use crate::paths;
use crate::state::AppState;

pub fn routes(config: &Config) -> Router<AppState> {
    let routes = Router::new()
        .route(paths::ADMIN, get(dashboard::dashboard_get))
        .merge(client_routes())
        .merge(user_routes())
        .route(paths::ADMIN_TOKENS, get(tokens::tokens_list))
        .route(paths::ADMIN_TOKEN_REVOKE, post(tokens::tokens_revoke))
        .route(paths::ADMIN_KEYS, get(keys::keys_list))
        .route(paths::ADMIN_KEYS_ROTATE, post(keys::keys_rotate))
        .route(paths::ADMIN_KEY_RETIRE, post(keys::keys_retire))
        .route(paths::ADMIN_THROTTLES, get(throttles::throttles_list))
        .route(
            paths::ADMIN_THROTTLES_CLEAR,
            post(throttles::throttles_clear),
        )
        .route(paths::ADMIN_AUDIT, get(audit::audit_list));
    page_language::layer(routes, config)
}

fn client_routes() -> Router<AppState> {
    use clients as c;
    Router::new()
        .route(
            paths::ADMIN_CLIENTS,
            get(c::clients_list).post(c::clients_create),
        )
        .route(paths::ADMIN_CLIENTS_NEW, get(c::clients_new))
        .route(
            paths::ADMIN_CLIENT,
            get(c::clients_edit).post(c::clients_update),
        )
        .route(paths::ADMIN_CLIENT_ENABLE, post(c::clients_enable))
        .route(paths::ADMIN_CLIENT_DISABLE, post(c::clients_disable))
        .route(
            paths::ADMIN_CLIENT_DELETE,
            get(c::clients_delete_confirm).post(c::clients_delete),
        )
        .route(
            paths::ADMIN_CLIENT_ROTATE_SECRET,
            post(c::clients_rotate_secret),
        )
        .route(
            paths::ADMIN_CLIENT_REVOKE_TOKENS,
            post(c::clients_revoke_tokens),
        )
}

fn user_routes() -> Router<AppState> {
    use users as u;
    Router::new()
        .route(paths::ADMIN_USERS, get(u::users_list).post(u::users_create))
        .route(paths::ADMIN_USERS_NEW, get(u::users_new))
        .route(paths::ADMIN_USER, get(u::users_edit).post(u::users_update))
        .route(paths::ADMIN_USER_PASSWORD, post(u::users_reset_password))
        .route(
            paths::ADMIN_USER_REVOKE_TOKENS,
            post(u::users_revoke_tokens),
        )
}
