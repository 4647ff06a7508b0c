//! The login throttles in force.

use askama::Template;

use super::users::user_href;
use super::{Chrome, PageLanguage, RowForm};
use crate::auth::admin::throttles::Throttle;
use crate::http::failure::retry_after_secs;
use crate::paths;

/// One source's failures on one account, with what the clear form posts back.
#[derive(Clone, Debug)]
pub struct ThrottleRow {
    pub account: String,
    pub account_href: Option<String>,
    pub source: String,
    pub failures: String,
    pub latest: String,
    pub waiting: String,
    pub clear: RowForm,
}

impl ThrottleRow {
    /// The line of `throttle`, in `lang`.
    pub fn new(throttle: &Throttle, lang: PageLanguage) -> ThrottleRow {
        let pair = &throttle.pair;
        let user_id = pair
            .account_key
            .strip_prefix("user:")
            .and_then(|id| id.parse().ok());
        let account = match (&throttle.username, pair.account_key.strip_prefix("name:")) {
            (Some(username), _) => username.clone(),
            (None, Some(name)) => lang.text("throttles-no-account", &[("name", name)]),
            (None, None) => pair.account_key.clone(),
        };
        let address = pair
            .ip_key
            .clone()
            .unwrap_or_else(|| lang.t("throttles-unknown-address"));
        let source = match &pair.device_key {
            Some(_) => lang.text("throttles-known-browser", &[("address", &address)]),
            None => address,
        };
        ThrottleRow {
            account,
            account_href: user_id.map(user_href),
            source,
            failures: lang.number(throttle.failures),
            latest: lang.datetime(throttle.latest),
            waiting: throttle.wait.map_or_else(
                || lang.t("throttles-not-waiting"),
                |wait| lang.duration(std::time::Duration::from_secs(retry_after_secs(wait))),
            ),
            clear: RowForm {
                action: paths::ADMIN_THROTTLES_CLEAR,
                hidden: vec![
                    ("account", pair.account_key.clone()),
                    ("ip", pair.ip_key.clone().unwrap_or_default()),
                    ("device", pair.device_key.clone().unwrap_or_default()),
                ],
                label: "throttles-clear",
            },
        }
    }
}

#[derive(Template)]
#[template(path = "admin/throttles.html")]
pub struct ThrottlesPage {
    pub chrome: Chrome,
    pub rows: Vec<ThrottleRow>,
    /// The list was cut at this many rows.
    pub limit: u64,
    /// `limit`, formatted for the language.
    pub limit_text: String,
}
