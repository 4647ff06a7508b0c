//! Device cookies (OWASP "Blocking Brute Force Attacks", device cookies): a successful login on
//! the form gives the browser a signed cookie naming the account. A later attempt on that account
//! that carries it is throttled as its own source, apart from the anonymous crowd behind the same
//! address (see `throttle`). The cookie proves only that this browser once knew the password; it
//! signs nobody in.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::crypto::secrets;
use crate::state::AppState;

/// How long a device cookie is honoured after it was issued.
pub const LIFETIME: Duration = Duration::from_secs(180 * 24 * 3600);

/// What the cookie key signs device cookies for.
const PURPOSE: &str = "device";

/// A verified device cookie: the account it was issued for and its random id (the throttle's
/// source key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub user_id: i64,
    pub id: String,
}

/// A new device cookie value for `user_id`: `<user_id>.<issued, Unix seconds>.<random id>`,
/// signed.
pub fn issue(state: &AppState, user_id: i64, now: DateTime<Utc>) -> String {
    let value = format!(
        "{user_id}.{}.{}",
        now.timestamp(),
        secrets::random_token(16)
    );
    state.keys().cookie_key().sign(PURPOSE, &value)
}

/// The device a cookie value names, if its signature holds and it was issued within
/// [`LIFETIME`] before `now`.
pub fn read(state: &AppState, cookie: &str, now: DateTime<Utc>) -> Option<Device> {
    let keys = state.keys();
    let value = keys.cookie_key().verify(PURPOSE, cookie)?;
    let mut parts = value.splitn(3, '.');
    let user_id = parts.next()?.parse().ok()?;
    let issued = DateTime::from_timestamp(parts.next()?.parse().ok()?, 0)?;
    let id = parts.next()?.to_owned();
    let lifetime = chrono::Duration::from_std(LIFETIME).ok()?;
    (issued <= now && now < issued + lifetime).then_some(Device { user_id, id })
}
