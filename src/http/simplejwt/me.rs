//! `GET /api/me/`: the protected resource of the surface, authenticated as simplejwt's
//! `JWTAuthentication` does; it answers the caller's account (never the hash).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use serde::Serialize;

use super::auth;
use super::error::ApiError;
use super::metadata::View;
use crate::auth::tokens;
use crate::entities::users;
use crate::state::AppState;

/// A user as the surface shows it (`/api/me/`, `/api/register/`).
#[derive(Serialize)]
pub struct UserBody {
    id: i64,
    username: String,
    email: Option<String>,
    phone: Option<String>,
    name: String,
    avatar: Option<String>,
    roles: Vec<String>,
    date_joined: String,
    last_login: Option<String>,
}

impl From<&users::Model> for UserBody {
    fn from(user: &users::Model) -> Self {
        // DRF's DateTimeField format.
        let iso =
            |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(SecondsFormat::Micros, true);
        UserBody {
            id: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
            phone: user.phone.clone(),
            name: tokens::display_name(user).to_owned(),
            avatar: user.avatar_url.clone(),
            roles: user.roles(),
            date_joined: iso(user.created_at),
            last_login: user.last_login.map(iso),
        }
    }
}

/// `GET /api/me/`.
pub async fn me_get(
    State(state): State<AppState>,
    // The request rather than a `HeaderMap`: that extractor copies every header.
    request: Request,
) -> Result<Response, ApiError> {
    let caller = auth::authenticate(&state, request.headers()).await?;
    Ok(Json(UserBody::from(&caller.user)).into_response())
}

/// Any other method: DRF authenticates before it looks at the method, so an anonymous `POST`
/// is a 401, an authenticated one a 405, and an authenticated `OPTIONS` the view's metadata.
pub async fn me_other(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    match auth::authenticate(&state, &headers).await {
        Err(err) => ApiError::from(err).into_response(),
        Ok(_) if method == Method::OPTIONS => Json(View::Me.metadata()).into_response(),
        Ok(_) => ApiError::MethodNotAllowed(method).into_response(),
    }
}
