//! Creates `revocations`: simplejwt's BlacklistedToken, for any kind of token.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `revocations` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Revocations::Table)
                    .col(big_pk_auto(Revocations::Id))
                    // UNIQUE inside CREATE TABLE, not a later CREATE INDEX: a pooled SQLite
                    // connection that cached the schema in between would reject an
                    // `ON CONFLICT (...)` naming the column. PostgreSQL names it `<table>_<col>_key`.
                    .col(text_uniq(Revocations::Jti))
                    .col(text(Revocations::TokenType))
                    .col(timestamp_with_time_zone(Revocations::ExpiresAt))
                    .col(timestamp_with_time_zone(Revocations::RevokedAt))
                    .col(text(Revocations::Reason))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("revocations_expires_at")
                    .table(Revocations::Table)
                    .col(Revocations::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Revocations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Revocations {
    Table,
    Id,
    Jti,
    TokenType,
    ExpiresAt,
    RevokedAt,
    Reason,
}
