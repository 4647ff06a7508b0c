//! `/admin/keys`: the key ring, rotating, retiring.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::extract::{AdminForm, AdminSession, notice, query};
use crate::auth::admin::keys;
use crate::http::html::{PageError, see_other};
use crate::paths;
use crate::state::AppState;
use crate::views::admin::keys::{KeyLine, KeysPage};
use crate::views::render;

pub async fn keys_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let now = state.now();
    let rows = keys::list_keys(&state, now).await?;
    let ring = state.keys();
    let algorithm = ring.id_token_algorithm(now);
    let shared = Some(ring.algorithm(now)).filter(|alg| alg.is_symmetric());
    let chrome = admin.chrome("keys", notice(&params));
    let lang = chrome.lang;
    let page = KeysPage {
        chrome,
        rows: rows.iter().map(|row| KeyLine::new(row, lang)).collect(),
        algorithm: algorithm.to_string(),
        publish_ahead: lang.duration(state.config.jwks_max_age),
        shared_secret: shared.map(|alg| alg.to_string()),
    };
    Ok(render(&page))
}

pub async fn keys_rotate(
    State(state): State<AppState>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let now = state.now();
    let alg = state.keys().id_token_algorithm(now);
    keys::rotate_key(&state, &form.session.actor(), alg, now).await?;
    Ok(see_other(&format!("{}?notice=rotated", paths::ADMIN_KEYS)))
}

pub async fn keys_retire(
    State(state): State<AppState>,
    Path(kid): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    keys::retire_key(&state, &form.session.actor(), &kid, state.now()).await?;
    Ok(see_other(&format!("{}?notice=retired", paths::ADMIN_KEYS)))
}
