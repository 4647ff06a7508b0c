//! `POST /api/register/` (when `registration_enabled`): a DRF `ModelSerializer`-style registration
//! over the domain's rules, answering 201 with the new user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::body::Body;
use super::error::ApiError;
use super::me::UserBody;
use crate::auth::registration::{self, Registration};
use crate::state::AppState;

/// `POST /api/register/`: `username`, `password`, optional `email` and `phone`.
#[tracing::instrument(skip_all)]
pub async fn register_post(
    State(state): State<AppState>,
    Body(data): Body,
) -> Result<Response, ApiError> {
    let mut fields = data.fields()?;
    let username = fields.required("username");
    let password = fields.required("password");
    let email = fields.optional("email");
    let phone = fields.optional("phone");
    let (username, password) = fields.finish(username.zip(password))?;
    let registration = Registration {
        username,
        password,
        email,
        phone,
    };
    let user = registration::register_user(&state, registration, state.now()).await?;
    Ok((StatusCode::CREATED, Json(UserBody::from(&user))).into_response())
}
