//! Page structs of the admin UI: one per page, each rendered by `templates/admin/<page>.html`,
//! which extends `admin/layout.html` (itself extending `base.html`). Askama escapes every value.
//!
//! Values arrive formatted for the page's language (times, numbers, durations, hrefs), so
//! templates only place them; every word comes from `locales/<tag>/admin.ftl`.

pub mod audit;
pub mod clients;
pub mod dashboard;
pub mod keys;
pub mod messages;
pub mod throttles;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use askama::Template;

use super::{Brand, PageLanguage};

/// What every admin page shows around its content: the navigation, who is signed in, the CSRF
/// token for its forms, and a one-line notice after a change.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub username: String,
    pub csrf_token: String,
    /// The navigation entry to highlight: `dashboard`, `clients`, `users`, `tokens`, `keys`,
    /// `throttles`, `audit`.
    pub section: &'static str,
    /// The message id of the notice (`notice-saved`, ...).
    pub notice: Option<&'static str>,
    pub lang: PageLanguage,
    pub brand: Arc<Brand>,
}

impl Chrome {
    /// The message `key` in the page's language, as text (`$site` is the deployment's name).
    pub fn t(&self, key: &str) -> String {
        self.text(key, &[])
    }

    /// The message `key` with text arguments (and `$site`), as text.
    pub fn text(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        self.lang.text(key, &self.with_site(args))
    }

    /// The message `key` with arguments, as HTML: the catalogue's `<code>` and `<strong>` kept,
    /// every argument escaped. Templates print it with `|safe`.
    pub fn html(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        self.lang.html(key, &self.with_site(args))
    }

    /// [`Chrome::html`] without arguments of its own.
    pub fn markup(&self, key: &str) -> String {
        self.html(key, &[])
    }

    fn with_site<'a>(&'a self, args: &[(&'static str, &'a str)]) -> Vec<(&'static str, &'a str)> {
        let mut all = vec![("site", self.brand.site_name.as_str())];
        all.extend_from_slice(args);
        all
    }
}

/// Links to the previous and next page of a list.
#[derive(Clone, Debug, Default)]
pub struct Pager {
    pub pages: u64,
    /// "Page 2 of 3 · 63 in all", numbers formatted for the language.
    pub summary: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pager {
    /// Page `page` (1-based) of `total` items, `per_page` each, in `lang`; `href(n)` links
    /// page `n`.
    pub fn new(
        lang: PageLanguage,
        (page, per_page, total): (u64, u64, u64),
        href: impl Fn(u64) -> String,
    ) -> Pager {
        let pages = total.div_ceil(per_page.max(1)).max(1);
        let (n_page, n_pages, n_total) =
            (lang.number(page), lang.number(pages), lang.number(total));
        Pager {
            pages,
            summary: lang.text(
                "pager-summary",
                &[("page", &n_page), ("pages", &n_pages), ("total", &n_total)],
            ),
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
    /// The message id of the button's label.
    pub label: &'static str,
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
    pub brand: Arc<Brand>,
}
