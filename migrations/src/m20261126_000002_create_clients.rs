//! Creates `clients`, the registered OAuth applications.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `clients` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(big_pk_auto(Clients::Id))
                    // UNIQUE inside CREATE TABLE, not a later CREATE INDEX: a pooled SQLite
                    // connection that cached the schema in between would reject an
                    // `ON CONFLICT (...)` naming the column. PostgreSQL names it `<table>_<col>_key`.
                    .col(text_uniq(Clients::ClientId))
                    .col(text_null(Clients::SecretHash))
                    .col(text(Clients::Name))
                    .col(text(Clients::Kind))
                    .col(text(Clients::RedirectUris).default(""))
                    .col(text(Clients::PostLogoutRedirectUris).default(""))
                    .col(text(Clients::GrantTypes).default(""))
                    .col(text(Clients::Scopes).default(""))
                    .col(text_null(Clients::Audience))
                    .col(big_integer_null(Clients::AccessTokenLifetimeSecs))
                    .col(big_integer_null(Clients::RefreshTokenLifetimeSecs))
                    .col(boolean(Clients::FirstParty).default(false))
                    .col(boolean(Clients::IsActive).default(true))
                    .col(timestamp_with_time_zone(Clients::CreatedAt))
                    .col(timestamp_with_time_zone_null(Clients::LastUsedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Clients::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
    ClientId,
    SecretHash,
    Name,
    Kind,
    RedirectUris,
    PostLogoutRedirectUris,
    GrantTypes,
    Scopes,
    Audience,
    AccessTokenLifetimeSecs,
    RefreshTokenLifetimeSecs,
    FirstParty,
    IsActive,
    CreatedAt,
    LastUsedAt,
}
