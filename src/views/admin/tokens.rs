//! The outstanding refresh-token families, filtered by user or client.

use askama::Template;

use super::clients::client_href;
use super::users::user_href;
use super::{Chrome, PageLanguage};
use crate::auth::admin::tokens::Family;
use crate::paths;

/// One outstanding family.
#[derive(Clone, Debug)]
pub struct FamilyRow {
    pub family_id: String,
    pub revoke_action: String,
    pub user: String,
    pub user_href: String,
    pub client_id: String,
    pub client_href: String,
    pub scope: String,
    pub issued: String,
    pub last_used: String,
    pub expires: String,
}

impl FamilyRow {
    /// The line of `family`, in `lang`.
    pub fn new(family: &Family, lang: PageLanguage) -> FamilyRow {
        FamilyRow {
            family_id: family.family_id.clone(),
            revoke_action: paths::fill(
                paths::ADMIN_TOKEN_REVOKE,
                &super::encode(&family.family_id),
            ),
            user: family
                .username
                .clone()
                .unwrap_or_else(|| format!("#{}", family.user_id)),
            user_href: user_href(family.user_id),
            client_id: family.client_id.clone(),
            client_href: client_href(&family.client_id),
            scope: family.scope.clone(),
            issued: lang.datetime(family.issued_at),
            last_used: lang.datetime_or_never(family.last_used_at),
            expires: lang.datetime(family.expires_at),
        }
    }
}

/// A "revoke them all" button for the user or client the list is filtered by.
#[derive(Clone, Debug)]
pub struct BulkRevoke {
    pub action: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub chrome: Chrome,
    pub heading: String,
    pub user: String,
    pub client: String,
    pub client_ids: Vec<String>,
    pub rows: Vec<FamilyRow>,
    /// Where a revocation returns to: this list, with its filter.
    pub back: String,
    pub bulk: Option<BulkRevoke>,
    /// The list was cut at this many families.
    pub limit: u64,
    /// `limit`, formatted for the language.
    pub limit_text: String,
}
