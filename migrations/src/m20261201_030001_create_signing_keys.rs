//! Creates `signing_keys`, the key ring every instance on this database signs and verifies with
//! (the published asymmetric keys and the internal refresh-token key), each private part sealed
//! with AES-256-GCM under the key-encryption key; and `key_ring`, one row whose `version` every
//! ring write moves in its own transaction, so "has the ring changed?" is a one-row read.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `signing_keys` and `key_ring` tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    // The RFC 7638 thumbprint; also the AEAD's associated data.
                    .col(text(SigningKeys::Kid).primary_key())
                    .col(text(SigningKeys::Alg))
                    // "sig": published in the JWKS; "refresh": the internal HMAC key, never published.
                    .col(text(SigningKeys::Use))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    .col(timestamp_with_time_zone(SigningKeys::PublishesAt))
                    // NULL: published, never scheduled to sign.
                    .col(timestamp_with_time_zone_null(SigningKeys::ActivatesAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::RetiredAt))
                    .col(blob(SigningKeys::Nonce))
                    .col(blob(SigningKeys::Ciphertext))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyRing::Table)
                    // Always 1: one ring per database.
                    .col(integer(KeyRing::Id).primary_key())
                    .col(big_integer(KeyRing::Version))
                    .col(timestamp_with_time_zone(KeyRing::ChangedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KeyRing::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SigningKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    Alg,
    Use,
    CreatedAt,
    PublishesAt,
    ActivatesAt,
    RetiredAt,
    Nonce,
    Ciphertext,
}

#[derive(DeriveIden)]
enum KeyRing {
    Table,
    Id,
    Version,
    ChangedAt,
}
