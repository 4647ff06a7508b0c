//! The admin UI's landing page.

use askama::Template;

use fluent_templates::fluent_bundle::FluentValue;

use super::audit::EventRow;
use super::{Chrome, PageLanguage};

/// One figure of the dashboard, linking to its list.
#[derive(Clone, Debug)]
pub struct Stat {
    pub href: &'static str,
    /// The number, formatted for the language.
    pub figure: String,
    /// What it counts, in the language's plural form for it.
    pub label: String,
    /// Drawn as a warning (failed logins).
    pub warn: bool,
}

impl Stat {
    /// `n` under the label `key` (a message selecting its plural form on `$n`), in `lang`.
    pub fn new(href: &'static str, key: &str, n: u64, lang: PageLanguage) -> Stat {
        Stat {
            href,
            figure: lang.number(n),
            label: lang.t_with(key, &[("n", FluentValue::from(n))]),
            warn: false,
        }
    }
}

/// The landing page.
#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub stats: Vec<Stat>,
    pub algorithm: String,
    /// HS* mode: the algorithm of the secret that signs access and refresh tokens.
    pub shared_secret: Option<String>,
    /// `(kid, created)` of the key that signs now.
    pub signing_key: Option<(String, String)>,
    /// `(kid, signs from)` of a key published ahead of a rotation.
    pub upcoming_key: Option<(String, String)>,
    /// The newest audit events.
    pub recent: Vec<EventRow>,
}
