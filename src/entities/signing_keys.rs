//! The `signing_keys` table: the key ring, each private part sealed under the key-encryption key
//! (see `crypto::key_encryption`).

use sea_orm::entity::prelude::*;

/// One key of the ring. `ciphertext` is AES-256-GCM of the PKCS#8 PEM (`use` = `sig`) or of the
/// raw HMAC secret (`use` = `refresh`), with `kid` as associated data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    /// The RFC 7638 thumbprint.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub kid: String,
    /// The JWS `alg` (RFC 7518 §3.1).
    #[sea_orm(column_type = "Text")]
    pub alg: String,
    /// `sig` (published in the JWKS) or `refresh` (the internal refresh-token key).
    #[sea_orm(column_name = "use", column_type = "Text")]
    pub key_use: String,
    pub created_at: DateTimeUtc,
    /// When it entered the JWKS.
    pub publishes_at: DateTimeUtc,
    /// When it starts signing; `None` for a key published but not scheduled to sign.
    pub activates_at: Option<DateTimeUtc>,
    pub retired_at: Option<DateTimeUtc>,
    /// The 96-bit AES-GCM nonce, fresh for every seal.
    #[sea_orm(column_type = "Blob")]
    pub nonce: Vec<u8>,
    /// The sealed key followed by its 128-bit tag.
    #[sea_orm(column_type = "Blob")]
    pub ciphertext: Vec<u8>,
}

/// `signing_keys` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
