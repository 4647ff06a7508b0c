//! Page structs of the admin UI: one per page, each rendered by `templates/admin/<page>.html`,
//! which extends `admin/layout.html` (itself extending `base.html`). Askama escapes every value.
//!
//! Values arrive formatted (times, durations, hrefs), so templates only place them.

pub mod audit;
pub mod clients;
pub mod dashboard;
pub mod keys;
pub mod throttles;
pub mod tokens;
pub mod users;

use askama::Template;
use chrono::{DateTime, Utc};

use super::PageLanguage;

/// What every admin page shows around its content: the navigation, who is signed in, the CSRF
/// token for its forms, and a one-line notice after a change.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub username: String,
    pub csrf_token: String,
    /// The navigation entry to highlight: `dashboard`, `clients`, `users`, `tokens`, `keys`,
    /// `throttles`, `audit`.
    pub section: &'static str,
    pub notice: Option<&'static str>,
    /// The language of the frame (the navigation, sign out); the pages inside are English.
    pub lang: PageLanguage,
}

/// Links to the previous and next page of a list.
#[derive(Clone, Debug, Default)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pager {
    /// Page `page` (1-based) of `total` items, `per_page` each; `href(n)` links page `n`.
    pub fn new(page: u64, per_page: u64, total: u64, href: impl Fn(u64) -> String) -> Pager {
        let pages = total.div_ceil(per_page.max(1)).max(1);
        Pager {
            page,
            pages,
            total,
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// A one-button form on a table row (`admin/row_form.html`): it posts the page's CSRF token and
/// `hidden` to `action`.
#[derive(Clone, Debug)]
pub struct RowForm {
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub label: &'static str,
}

/// `2026-11-26 14:03 UTC`.
pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time, or `never`.
pub fn time_or_never(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "never".to_owned(), time)
}

/// A percent-encoded path segment or query value.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An error inside the admin UI (404, 403, a refused action, an internal failure).
#[derive(Template)]
#[template(path = "admin/error.html")]
pub struct AdminErrorPage {
    pub title: String,
    pub message: String,
    /// Links back into the admin UI; off for someone who is not an admin.
    pub show_nav: bool,
    pub lang: PageLanguage,
}
