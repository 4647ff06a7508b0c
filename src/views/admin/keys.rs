//! The signing key ring.

use askama::Template;

use super::{Chrome, encode, time};
use crate::auth::admin::keys::{KeyRow, Retirement};
use crate::crypto::keys::KeyStatus;
use crate::paths;

/// One key.
#[derive(Clone, Debug)]
pub struct KeyLine {
    pub kid: String,
    pub alg: String,
    pub created: String,
    pub signs_from: String,
    pub status: &'static str,
    /// Where the retire form posts, when retiring is allowed now.
    pub retire_action: Option<String>,
    /// Why it cannot be retired (yet), or when it was.
    pub retire_note: String,
}

impl From<&KeyRow> for KeyLine {
    fn from(row: &KeyRow) -> KeyLine {
        let info = &row.info;
        let status = match info.status {
            KeyStatus::Active => "active",
            KeyStatus::Published => "published",
            KeyStatus::Retired => "retired",
        };
        let (retire_action, retire_note) = match row.retirement {
            Retirement::Allowed => (
                Some(paths::fill(paths::ADMIN_KEY_RETIRE, &encode(&info.kid))),
                String::new(),
            ),
            Retirement::SignsNow => (None, "signs new tokens".to_owned()),
            Retirement::After(at) => (None, format!("tokens valid until {}", time(at))),
            Retirement::AlreadyRetired => (None, info.retired_at.map(time).unwrap_or_default()),
        };
        KeyLine {
            kid: info.kid.clone(),
            alg: info.alg.to_string(),
            created: time(info.created_at),
            signs_from: info.activates_at.map_or_else(|| "never".to_owned(), time),
            status,
            retire_action,
            retire_note,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/keys.html")]
pub struct KeysPage {
    pub chrome: Chrome,
    pub rows: Vec<KeyLine>,
    pub algorithm: String,
    /// How long a rotated key is published before it signs (`jwks_max_age`).
    pub publish_ahead: String,
    /// HS* mode: the algorithm of the secret that signs access and refresh tokens (the ring's
    /// keys sign ID tokens).
    pub shared_secret: Option<String>,
}
