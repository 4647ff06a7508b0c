//! `/admin/audit`: the audit log, filtered by action (or category), actor and target, paged.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::{AdminSession, PageError, query};
use crate::auth::audit::{self, Action, ActionFilter, AuditQuery};
use crate::state::AppState;
use crate::views::admin::audit::{ActionOption, AuditPage, EventRow};
use crate::views::admin::{Pager, encode};
use crate::views::render;

const PER_PAGE: u64 = 50;

/// The filter's choices: each category, then each action.
fn action_options(selected: &str) -> Vec<ActionOption> {
    let mut categories: Vec<&str> = Action::ALL.iter().map(|a| a.category()).collect();
    categories.dedup();
    let categories = categories
        .into_iter()
        .map(|c| (format!("{c}.*"), format!("all {c} events")));
    let actions = Action::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), a.as_str().to_owned()));
    categories
        .chain(actions)
        .map(|(value, label)| ActionOption {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

pub async fn audit_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let text = |name: &str| params.get(name).unwrap_or_default().trim().to_owned();
    let (action, actor, target) = (text("action"), text("actor"), text("target"));
    let filter = AuditQuery {
        action: ActionFilter::parse(&action),
        actor: Some(actor.clone()).filter(|a| !a.is_empty()),
        target: Some(target.clone()).filter(|t| !t.is_empty()),
    };
    let page_no = params
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1u64)
        .max(1);
    let offset = (page_no - 1).saturating_mul(PER_PAGE);
    let (events, total) = audit::list_events(&state, &filter, offset, PER_PAGE).await?;
    let href = |n: u64| {
        format!(
            "/admin/audit?action={}&actor={}&target={}&page={n}",
            encode(&action),
            encode(&actor),
            encode(&target)
        )
    };
    let page = AuditPage {
        chrome: admin.chrome("audit", None),
        rows: events.iter().map(EventRow::from).collect(),
        actions: action_options(&action),
        pager: Pager::new(page_no, PER_PAGE, total, href),
        actor,
        target,
    };
    Ok(render(&page))
}
