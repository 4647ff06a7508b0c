//! The `clients` table: registered OAuth 2.0 / OIDC applications.

use sea_orm::entity::prelude::*;

/// An OAuth client. List-valued fields are space-separated; see the accessor methods.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub client_id: String,
    /// Hex SHA-256 of the client secret; `None` for public clients.
    #[sea_orm(column_type = "Text", nullable)]
    pub secret_hash: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    /// `confidential` or `public`.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub redirect_uris: String,
    #[sea_orm(column_type = "Text")]
    pub post_logout_redirect_uris: String,
    #[sea_orm(column_type = "Text")]
    pub grant_types: String,
    #[sea_orm(column_type = "Text")]
    pub scopes: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub audience: Option<String>,
    pub access_token_lifetime_secs: Option<i64>,
    pub refresh_token_lifetime_secs: Option<i64>,
    pub first_party: bool,
    /// The client's logo (RFC 7591 §2 `logo_uri`): an `https` URL, or `None`.
    #[sea_orm(column_type = "Text", nullable)]
    pub logo_uri: Option<String>,
    pub is_active: bool,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

impl Model {
    /// Registered redirect URIs.
    pub fn redirect_uris(&self) -> Vec<String> {
        crate::store::split_list(&self.redirect_uris)
    }

    /// Registered post-logout redirect URIs (OIDC RP-initiated logout).
    pub fn post_logout_redirect_uris(&self) -> Vec<String> {
        crate::store::split_list(&self.post_logout_redirect_uris)
    }

    /// Grant types the client may use.
    pub fn grant_types(&self) -> Vec<String> {
        crate::store::split_list(&self.grant_types)
    }

    /// Scopes the client may request.
    pub fn scopes(&self) -> Vec<String> {
        crate::store::split_list(&self.scopes)
    }

    /// Whether the client is public (no secret; PKCE required).
    pub fn is_public(&self) -> bool {
        self.kind == "public"
    }
}

/// `clients` has no foreign keys: refresh tokens refer to it by `client_id` text.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
