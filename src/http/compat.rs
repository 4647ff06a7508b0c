//! The seed Vue admin front end's profile (SPEC §7; `[compat] vue_admin = true`, absent
//! otherwise): `POST /login/`, `POST /userInfo/` and `POST /logout/` in its `{code, msg, data}`
//! envelope, over the same domain calls as `/api/`.
//!
//! A refused login is a 200 whose `detail` is the body `/api/token/` would have answered. A
//! refused Bearer token on `/userInfo/` or `/logout/` is simplejwt's 401, as the seed's DRF views
//! (plain `JWTAuthentication`) answered it, so the front end's "log in again" handling still runs.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use sea_orm::DbErr;
use serde::Serialize;
use serde_json::Value;

use crate::auth::accounts::{Origin, Surface};
use crate::auth::{Error, blacklist};
use crate::config::Config;
use crate::entities::users;
use crate::http::extract::ClientOrigin;
use crate::http::failure::{count_throttled, mark_unavailable};
use crate::http::simplejwt::{self, ApiError, Body};
use crate::paths;
use crate::state::AppState;

/// The profile's routes, or none when it is off.
pub fn routes(config: &Config) -> Router {
    if !config.compat.vue_admin {
        return Router::new();
    }
    let router = Router::new()
        .route(paths::COMPAT_LOGIN, simplejwt::post_only(login_post))
        .route(
            paths::COMPAT_USER_INFO,
            simplejwt::post_only(user_info_post),
        )
        .route(paths::COMPAT_LOGOUT, simplejwt::post_only(logout_post));
    simplejwt::with_surface_layers(router, config)
}

type Router = axum::Router<AppState>;

/// The envelope of every answer but a failed login.
#[derive(Serialize)]
struct Envelope<T: Serialize> {
    code: u16,
    msg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<T>,
}

fn success<T: Serialize>(data: Option<T>) -> Json<Envelope<T>> {
    Json(Envelope {
        code: 200,
        msg: "success",
        data,
    })
}

#[derive(Serialize)]
struct LoginData {
    username: String,
    #[serde(rename = "accessToken")]
    access_token: String,
    refresh: String,
}

#[derive(Serialize)]
struct UserInfo {
    roles: Vec<String>,
    ability: [&'static str; 1],
    username: String,
    avatar: String,
}

impl From<&users::Model> for UserInfo {
    fn from(user: &users::Model) -> Self {
        UserInfo {
            roles: user.roles(),
            ability: ["READ"],
            username: user.username.clone(),
            avatar: user.avatar_url.clone().unwrap_or_default(),
        }
    }
}

/// The one place errors become this profile's answers.
#[derive(Debug)]
enum CompatError {
    /// A login that failed the way `/api/token/` fails.
    Login(ApiError),
    /// A Bearer token refused (answered as `/api/` answers it), or a failure after it.
    Api(ApiError),
}

/// The failed-login envelope: `{"code":500,"msg":"用户名或者密码错误","detail":{...}}`.
#[derive(Serialize)]
struct LoginFailure {
    code: u16,
    msg: &'static str,
    detail: Value,
}

/// The envelope of a request that found the database unreachable: 503, `Retry-After`, and the
/// front end's `{code, msg}` so its generic error handling shows the message.
fn unavailable(cause: &DbErr) -> Response {
    let envelope = Envelope::<()> {
        code: 503,
        msg: "Service temporarily unavailable, try again later.",
        data: None,
    };
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(envelope)).into_response();
    mark_unavailable(&mut response, cause);
    response
}

impl IntoResponse for CompatError {
    fn into_response(self) -> Response {
        let (CompatError::Login(err) | CompatError::Api(err)) = &self;
        if let Some(cause) = err.unavailable() {
            return unavailable(cause);
        }
        match self {
            CompatError::Login(err) => {
                if let ApiError::Domain(Error::Throttled { scope, .. }) = &err {
                    count_throttled("compat", *scope);
                }
                let (status, detail) = err.status_and_body();
                if status.is_server_error() {
                    return err.into_response();
                }
                let msg = "用户名或者密码错误";
                (
                    StatusCode::OK,
                    Json(LoginFailure {
                        code: 500,
                        msg,
                        detail,
                    }),
                )
                    .into_response()
            }
            CompatError::Api(err) => err.into_response(),
        }
    }
}

/// `POST /login/`: the password grant of `/api/token/`, in the envelope.
#[tracing::instrument(skip_all)]
async fn login_post(
    State(state): State<AppState>,
    ClientOrigin { ip: client_ip, .. }: ClientOrigin,
    jar: CookieJar,
    body: Result<Body, ApiError>,
) -> Result<Response, CompatError> {
    let Body(data) = body.map_err(CompatError::Login)?;
    let granted = simplejwt::obtain_pair(&state, Origin::new(Surface::Compat, client_ip), &data)
        .await
        .map_err(CompatError::Login)?;
    // A password grant always acts for a user.
    let username = granted.user.map(|user| user.username).unwrap_or_default();
    let issued = granted.tokens;
    let refresh = issued.refresh_token.unwrap_or_default();
    let jar = simplejwt::set_refresh_cookie(&state.config, jar, &refresh);
    let data = LoginData {
        username,
        access_token: issued.access_token,
        refresh,
    };
    Ok((jar, success(Some(data))).into_response())
}

/// `POST /userInfo/`: the caller's roles, name and avatar.
async fn user_info_post(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, CompatError> {
    let caller = simplejwt::authenticate(&state, &headers)
        .await
        .map_err(|err| CompatError::Api(err.into()))?;
    Ok(success(Some(UserInfo::from(&caller.user))).into_response())
}

/// `POST /logout/`: revokes the caller's refresh tokens and blacklists the access token.
async fn logout_post(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, CompatError> {
    let caller = simplejwt::authenticate(&state, &headers)
        .await
        .map_err(|err| CompatError::Api(err.into()))?;
    blacklist::log_out(&state, &caller.access, state.now())
        .await
        .map_err(|err| CompatError::Api(ApiError::Domain(err)))?;
    let jar = simplejwt::clear_refresh_cookie(&state.config, jar);
    Ok((jar, success(None::<()>)).into_response())
}
