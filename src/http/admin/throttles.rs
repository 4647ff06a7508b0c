//! `/admin/throttles`: the login throttles in force, and clearing one.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::extract::{AdminForm, AdminSession, notice, query};
use crate::auth::admin::throttles;
use crate::http::html::{PageError, see_other};
use crate::paths;
use crate::state::AppState;
use crate::store::login_attempts::Pair;
use crate::views::admin::throttles::{ThrottleRow, ThrottlesPage};
use crate::views::render;

const LIMIT: u64 = 200;

pub async fn throttles_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let rows = throttles::list_throttles(&state, state.now(), LIMIT).await?;
    let chrome = admin.chrome("throttles", notice(&params));
    let lang = chrome.lang;
    let page = ThrottlesPage {
        chrome,
        rows: rows.iter().map(|t| ThrottleRow::new(t, lang)).collect(),
        limit: LIMIT,
        limit_text: lang.number(LIMIT),
    };
    Ok(render(&page))
}

pub async fn throttles_clear(
    State(state): State<AppState>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let pair = Pair {
        account_key: form.text("account"),
        ip_key: optional("ip"),
        device_key: optional("device"),
    };
    let actor = form.session.actor();
    let cleared = throttles::clear_throttle(&state, &actor, &pair, state.now()).await?;
    let notice = if cleared > 0 {
        "cleared"
    } else {
        "nothing_cleared"
    };
    Ok(see_other(&format!(
        "{}?notice={notice}",
        paths::ADMIN_THROTTLES
    )))
}
