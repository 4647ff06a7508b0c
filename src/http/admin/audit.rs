//! `/admin/audit`: the audit log, filtered by action (or category), actor and target, paged.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::extract::{AdminSession, page_number, query};
use crate::auth::admin::AdminError;
use crate::auth::audit::{self, Action, ActionFilter, AuditQuery};
use crate::http::extract::Params;
use crate::http::html::PageError;
use crate::paths;
use crate::state::AppState;
use crate::views::PageLanguage;
use crate::views::admin::audit::{ActionOption, AuditPage, EventRow};
use crate::views::admin::{Pager, encode};
use crate::views::render;

const PER_PAGE: u64 = 50;

/// The filter's choices: each category, then each action (whose names stay as they are).
fn action_options(selected: &str, lang: PageLanguage) -> Vec<ActionOption> {
    let mut categories: Vec<&str> = Action::ALL.iter().map(|a| a.category()).collect();
    categories.dedup();
    let categories = categories.into_iter().map(|c| {
        let label = lang.text("audit-category", &[("category", c)]);
        (format!("{c}.*"), label)
    });
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

/// The filter form's fields, as typed (trimmed).
struct Filter {
    action: String,
    actor: String,
    target: String,
}

impl Filter {
    fn read(params: &Params) -> Filter {
        let text = |name: &str| params.get(name).unwrap_or_default().trim().to_owned();
        Filter {
            action: text("action"),
            actor: text("actor"),
            target: text("target"),
        }
    }

    fn query(&self) -> AuditQuery {
        let given = |value: &String| Some(value.clone()).filter(|v| !v.is_empty());
        AuditQuery {
            action: ActionFilter::parse(&self.action),
            actor: given(&self.actor),
            target: given(&self.target),
        }
    }

    /// Page `page` of this filter's results.
    fn href(&self, page: u64) -> String {
        format!(
            "{}?action={}&actor={}&target={}&page={page}",
            paths::ADMIN_AUDIT,
            encode(&self.action),
            encode(&self.actor),
            encode(&self.target)
        )
    }
}

pub async fn audit_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let filter = Filter::read(&params);
    let page_no = page_number(&params);
    let offset = (page_no - 1).saturating_mul(PER_PAGE);
    let (events, total) = audit::list_events(&state, &filter.query(), offset, PER_PAGE)
        .await
        .map_err(AdminError::from)?;
    let chrome = admin.chrome("audit", None);
    let lang = chrome.lang;
    let page = AuditPage {
        chrome,
        rows: events.iter().map(|e| EventRow::new(e, lang)).collect(),
        actions: action_options(&filter.action, lang),
        pager: Pager::new(lang, (page_no, PER_PAGE, total), |n| filter.href(n)),
        actor: filter.actor,
        target: filter.target,
    };
    Ok(render(&page))
}
