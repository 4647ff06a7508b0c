//! The signing key ring.

use askama::Template;

use super::{Chrome, PageLanguage, encode};
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
    /// `active`, `published` or `retired`: the badge's colour; its words are
    /// [`KeyLine::status_key`]'s.
    pub status: &'static str,
    /// Where the retire form posts, when retiring is allowed now.
    pub retire_action: Option<String>,
    /// Why it cannot be retired (yet), or when it was.
    pub retire_note: String,
}

impl KeyLine {
    /// The message id of the status.
    pub fn status_key(&self) -> &'static str {
        match self.status {
            "active" => "key-status-active",
            "published" => "key-status-published",
            _ => "key-status-retired",
        }
    }

    /// The line of `row`, in `lang`.
    pub fn new(row: &KeyRow, lang: PageLanguage) -> KeyLine {
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
            Retirement::SignsNow => (None, lang.t("keys-note-signs")),
            Retirement::After(at) => (
                None,
                lang.text("keys-note-until", &[("time", &lang.datetime(at))]),
            ),
            Retirement::AlreadyRetired => (
                None,
                info.retired_at
                    .map(|at| lang.datetime(at))
                    .unwrap_or_default(),
            ),
        };
        KeyLine {
            kid: info.kid.clone(),
            alg: info.alg.to_string(),
            created: lang.datetime(info.created_at),
            signs_from: lang.datetime_or_never(info.activates_at),
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
