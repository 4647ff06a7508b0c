//! The OAuth 2.0 / OpenID Connect surface: authorization, token, revocation, introspection,
//! userinfo, end session, discovery and JWKS.

mod authorize;
mod discovery;
mod end_session;
mod error;
mod introspect;
mod jwks;
mod revoke;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};

pub use error::OAuthError;

use crate::config::Config;
use crate::http::page_language;
use crate::paths;
use crate::state::AppState;

pub fn routes(config: &Config) -> Router<AppState> {
    // The routes that answer with pages, in the request's page language.
    let pages = Router::new()
        .route(
            paths::AUTHORIZE,
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(
            paths::END_SESSION,
            get(end_session::end_session_get).post(end_session::end_session_post),
        );
    page_language::layer(pages, config)
        .route(
            paths::OPENID_CONFIGURATION,
            get(discovery::openid_configuration_get),
        )
        .route(
            paths::OAUTH_AUTHORIZATION_SERVER,
            get(discovery::authorization_server_get),
        )
        .route(paths::JWKS, get(jwks::jwks_get))
        .route(paths::TOKEN, post(token::token_post))
        .route(paths::REVOKE, post(revoke::revoke_post))
        .route(paths::INTROSPECT, post(introspect::introspect_post))
        .route(
            paths::USERINFO,
            get(userinfo::userinfo_get).post(userinfo::userinfo_get),
        )
}
