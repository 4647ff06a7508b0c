//! `GET /admin`: the dashboard.

use axum::extract::State;
use axum::response::Response;

use super::extract::AdminSession;
use crate::auth::admin::{AdminError, overview};
use crate::auth::audit::{self, AuditQuery};
use crate::http::html::PageError;
use crate::paths;
use crate::state::AppState;
use crate::views::admin::audit::EventRow;
use crate::views::admin::dashboard::{DashboardPage, Stat};
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
    let chrome = admin.chrome("dashboard", None);
    let lang = chrome.lang;
    let failures = Stat {
        warn: o.login_failures_24h > 0,
        ..Stat::new(
            "/admin/audit?action=login.failure",
            "dashboard-failures",
            o.login_failures_24h,
            lang,
        )
    };
    let stats = vec![
        Stat::new(paths::ADMIN_USERS, "dashboard-users", o.users, lang),
        Stat::new(paths::ADMIN_CLIENTS, "dashboard-clients", o.clients, lang),
        Stat::new(
            paths::ADMIN_TOKENS,
            "dashboard-families",
            o.outstanding_families,
            lang,
        ),
        Stat::new(
            "/admin/audit?action=login.success",
            "dashboard-logins",
            o.logins_24h,
            lang,
        ),
        failures,
    ];
    let page = DashboardPage {
        chrome,
        stats,
        algorithm: o.algorithm.to_string(),
        shared_secret: o.shared_secret.map(|alg| alg.to_string()),
        signing_key: o.signing_key.map(|k| (k.kid, lang.datetime(k.created_at))),
        upcoming_key: o.upcoming_key.map(|k| {
            let from = k.activates_at.map(|at| lang.datetime(at));
            (k.kid, from.unwrap_or_default())
        }),
        recent: recent.iter().map(|e| EventRow::new(e, lang)).collect(),
    };
    Ok(render(&page))
}
