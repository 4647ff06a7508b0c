//! `GET /admin`: the dashboard.

use axum::extract::State;
use axum::response::Response;

use super::extract::AdminSession;
use crate::auth::admin::{AdminError, overview};
use crate::auth::audit::{self, AuditQuery};
use crate::http::html::PageError;
use crate::state::AppState;
use crate::views::admin::audit::EventRow;
use crate::views::admin::dashboard::DashboardPage;
use crate::views::admin::time;
use crate::views::render;

/// How many of the newest audit events the dashboard shows.
const RECENT: u64 = 8;

pub async fn dashboard_get(
    State(state): State<AppState>,
    admin: AdminSession,
) -> Result<Response, PageError> {
    let now = state.now();
    let o = overview::overview(&state, now).await?;
    let (recent, _) = audit::list_events(&state, &AuditQuery::default(), 0, RECENT)
        .await
        .map_err(AdminError::from)?;
    let page = DashboardPage {
        chrome: admin.chrome("dashboard", None),
        users: o.users,
        clients: o.clients,
        outstanding_families: o.outstanding_families,
        logins_24h: o.logins_24h,
        login_failures_24h: o.login_failures_24h,
        algorithm: o.algorithm.to_string(),
        shared_secret: o.shared_secret.map(|alg| alg.to_string()),
        signing_key: o.signing_key.map(|k| (k.kid, time(k.created_at))),
        upcoming_key: o
            .upcoming_key
            .map(|k| (k.kid, k.activates_at.map(time).unwrap_or_default())),
        recent: recent.iter().map(EventRow::from).collect(),
    };
    Ok(render(&page))
}
