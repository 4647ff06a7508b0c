//! Creates `refresh_tokens`: simplejwt's OutstandingToken, extended with rotation families.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `refresh_tokens` table and its lookup indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(big_pk_auto(RefreshTokens::Id))
                    // UNIQUE inside CREATE TABLE, not a later CREATE INDEX: a pooled SQLite
                    // connection that cached the schema in between would reject an
                    // `ON CONFLICT (...)` naming the column. PostgreSQL names it `<table>_<col>_key`.
                    .col(text_uniq(RefreshTokens::Jti))
                    .col(text(RefreshTokens::FamilyId))
                    .col(text_null(RefreshTokens::ParentJti))
                    .col(big_integer(RefreshTokens::UserId))
                    .col(text(RefreshTokens::ClientId))
                    .col(text(RefreshTokens::Scope).default(""))
                    .col(timestamp_with_time_zone(RefreshTokens::AuthTime))
                    .col(timestamp_with_time_zone(RefreshTokens::IssuedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .col(text_null(RefreshTokens::RevokeReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("refresh_tokens_user_id_fkey")
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("refresh_tokens_family_id", RefreshTokens::FamilyId),
            ("refresh_tokens_user_id", RefreshTokens::UserId),
            ("refresh_tokens_client_id", RefreshTokens::ClientId),
            ("refresh_tokens_expires_at", RefreshTokens::ExpiresAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RefreshTokens::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RefreshTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    Jti,
    FamilyId,
    ParentJti,
    UserId,
    ClientId,
    Scope,
    AuthTime,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    RevokeReason,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
