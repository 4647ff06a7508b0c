//! The simplejwt-compatible API (SPEC §7): djangorestframework-simplejwt 5.5's views at the same
//! paths, with DRF 3.18's status codes, headers and bodies, over Sesame's domain. The surface acts
//! as the built-in first-party client `sesame-api`, so its refresh tokens are bound to it.

mod auth;
mod body;
mod error;
mod language;
mod me;
mod metadata;
mod pyjson;
mod register;
mod surface;
mod tokens;

use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{MethodRouter, get, post};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

pub use self::auth::{Caller, authenticate};
pub use self::body::Body;
pub use self::error::{ApiError, translator};
use self::metadata::View;
pub use self::tokens::obtain_pair;
use crate::config::Config;
pub use crate::http::cookies::refresh::{clear as clear_refresh_cookie, set as set_refresh_cookie};
use crate::http::cors;
use crate::paths;
use crate::state::AppState;

/// The `/api/` routes, with the layers the surface shares with the compat profile.
pub fn routes(config: &Config) -> Router<AppState> {
    let mut router = Router::new()
        .route(
            paths::API_TOKEN,
            view(tokens::token_post, View::TokenObtainPair),
        )
        .route(
            paths::API_TOKEN_REFRESH,
            view(tokens::refresh_post, View::TokenRefresh),
        )
        .route(
            paths::API_TOKEN_VERIFY,
            view(tokens::verify_post, View::TokenVerify),
        )
        .route(
            paths::API_TOKEN_BLACKLIST,
            view(tokens::blacklist_post, View::TokenBlacklist),
        )
        .route(
            paths::API_TOKEN_SLIDING,
            view(tokens::sliding_post, View::TokenObtainSliding),
        )
        .route(
            paths::API_TOKEN_SLIDING_REFRESH,
            view(tokens::sliding_refresh_post, View::TokenRefreshSliding),
        )
        .route(
            paths::API_ME,
            get(me::me_get)
                .fallback(me::me_other)
                .layer(allow("GET, HEAD, OPTIONS")),
        );
    // Off: the route does not exist, as in a Django project without it (404).
    if config.registration_enabled {
        router = router.route(
            paths::API_REGISTER,
            view(register::register_post, View::Register),
        );
    }
    with_surface_layers(router, config)
}

/// A DRF `POST` view: `OPTIONS` answers its metadata, any other method DRF's 405.
fn view<H, T>(handler: H, meta: View) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler)
        .options(move || async move { axum::Json(meta.metadata()) })
        .fallback(method_not_allowed)
        .layer(allow("POST, OPTIONS"))
}

/// A `POST`-only route of another surface in this one's style (the compat profile): DRF's 405.
pub fn post_only<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler)
        .fallback(method_not_allowed)
        .layer(allow("POST, OPTIONS"))
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method)
}

/// DRF sends `Allow` with every response of a view.
fn allow(methods: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::ALLOW, HeaderValue::from_static(methods))
}

/// What every route of this surface and of the compat profile answers with: its language
/// ([`language`]), no caching of
/// tokens or accounts, simplejwt's `WWW-Authenticate` challenge on a 401 (`<first header type>
/// realm="api"`), and CORS for the configured origins.
pub fn with_surface_layers(router: Router<AppState>, config: &Config) -> Router<AppState> {
    let scheme = config
        .auth_header_types
        .first()
        .map_or("Bearer", String::as_str);
    let challenge = HeaderValue::from_str(&format!("{scheme} realm=\"api\""))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer realm=\"api\""));
    let speak = language::Speak::from_config(config);
    // One `Router::layer` call: each call boxes every route again, and each request clones the
    // route's chain of boxes (see `crate::router`). Outermost first.
    let surface = ServiceBuilder::new()
        .option_layer(cors::layer(config))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(surface::SurfaceLayer::new(speak, challenge));
    router.layer(surface)
}
