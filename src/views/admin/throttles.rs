//! The login throttles in force.

use askama::Template;

use super::users::user_href;
use super::{Chrome, RowForm, time};
use crate::auth::admin::throttles::Throttle;
use crate::http::failure::retry_after_secs;
use crate::paths;

/// One source's failures on one account, with what the clear form posts back.
#[derive(Clone, Debug)]
pub struct ThrottleRow {
    pub account: String,
    pub account_href: Option<String>,
    pub source: String,
    pub failures: u64,
    pub latest: String,
    pub waiting: String,
    pub clear: RowForm,
}

impl From<&Throttle> for ThrottleRow {
    fn from(throttle: &Throttle) -> ThrottleRow {
        let pair = &throttle.pair;
        let user_id = pair
            .account_key
            .strip_prefix("user:")
            .and_then(|id| id.parse().ok());
        let account = match (&throttle.username, pair.account_key.strip_prefix("name:")) {
            (Some(username), _) => username.clone(),
            (None, Some(name)) => format!("{name} (no such account)"),
            (None, None) => pair.account_key.clone(),
        };
        let address = pair.ip_key.as_deref().unwrap_or("unknown address");
        let source = match &pair.device_key {
            Some(_) => format!("a browser that signed in before, at {address}"),
            None => address.to_owned(),
        };
        ThrottleRow {
            account,
            account_href: user_id.map(user_href),
            source,
            failures: throttle.failures,
            latest: time(throttle.latest),
            waiting: throttle.wait.map_or_else(
                || "no".to_owned(),
                |wait| format!("{} s", retry_after_secs(wait)),
            ),
            clear: RowForm {
                action: paths::ADMIN_THROTTLES_CLEAR,
                hidden: vec![
                    ("account", pair.account_key.clone()),
                    ("ip", pair.ip_key.clone().unwrap_or_default()),
                    ("device", pair.device_key.clone().unwrap_or_default()),
                ],
                label: "Clear",
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
}
