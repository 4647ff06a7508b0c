//! The login form's CSRF protection, kept in a signed cookie instead of a database row (OWASP
//! "signed double-submit cookie"): nothing an anonymous visitor does writes to the database
//! before a credential has been checked (issue 15).
//!
//! Showing the form sets a cookie holding `<issued, Unix seconds>.<random token>`, signed with the
//! cookie key; the form carries the token. A submission must bring both, the token in the form
//! equal to the one in the cookie, the cookie's signature valid and its age under [`LIFETIME`].
//! A cross-site page can make the browser send the cookie, but can neither read the token to put
//! it in the form nor make a cookie of its own that verifies.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::crypto::secrets;
use crate::state::AppState;

/// How long the login form stays valid before it must be reloaded.
pub const LIFETIME: Duration = Duration::from_secs(3600);

/// What the cookie key signs these cookies for.
const PURPOSE: &str = "login-csrf";

/// The token to put in the form, and the cookie to set when a new one was made.
#[derive(Clone, Debug)]
pub struct FormToken {
    pub token: String,
    /// The signed cookie value to set; `None` when the browser's cookie is still good.
    pub cookie: Option<String>,
}

/// A new token and its signed cookie value.
pub fn issue(state: &AppState, now: DateTime<Utc>) -> FormToken {
    let token = secrets::random_token(32);
    let value = format!("{}.{token}", now.timestamp());
    let cookie = state.keys().cookie_key().sign(PURPOSE, &value);
    FormToken {
        token,
        cookie: Some(cookie),
    }
}

/// The token of the form to show: the one in the browser's cookie while it is valid (several tabs
/// share it), else a new one.
pub fn for_form(state: &AppState, cookie: Option<&str>, now: DateTime<Utc>) -> FormToken {
    match cookie.and_then(|c| read(state, c, now)) {
        Some(token) => FormToken {
            token,
            cookie: None,
        },
        None => issue(state, now),
    }
}

/// Whether `submitted` is the token of a valid cookie, compared in constant time.
pub fn verify(
    state: &AppState,
    cookie: Option<&str>,
    submitted: Option<&str>,
    now: DateTime<Utc>,
) -> bool {
    cookie
        .and_then(|c| read(state, c, now))
        .is_some_and(|expected| secrets::csrf_matches(&expected, submitted))
}

/// The token in a cookie whose signature holds and whose age is under [`LIFETIME`].
fn read(state: &AppState, cookie: &str, now: DateTime<Utc>) -> Option<String> {
    let keys = state.keys();
    let value = keys.cookie_key().verify(PURPOSE, cookie)?;
    let (issued, token) = value.split_once('.')?;
    let issued = DateTime::from_timestamp(issued.parse().ok()?, 0)?;
    let lifetime = chrono::Duration::from_std(LIFETIME).ok()?;
    let fresh = issued <= now && now < issued + lifetime;
    (fresh && !token.is_empty()).then(|| token.to_owned())
}
