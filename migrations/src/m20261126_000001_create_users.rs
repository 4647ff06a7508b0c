//! Creates `users` with case-insensitive unique indexes on username and email.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `users` table and its unique indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(text(Users::Username))
                    .col(text_null(Users::Email))
                    .col(text_null(Users::Phone))
                    .col(text(Users::PasswordHash))
                    .col(boolean(Users::IsActive).default(true))
                    .col(text(Users::Roles).default(""))
                    .col(text_null(Users::DisplayName))
                    .col(text_null(Users::AvatarUrl))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone_null(Users::LastLogin))
                    .col(timestamp_with_time_zone(Users::PasswordChangedAt))
                    .to_owned(),
            )
            .await?;
        create_unique_indexes(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table drops its indexes on both databases.
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}

/// The unique indexes of the first schema: username and email under `lower(...)`, phone as is.
/// m20261201_010001_users_canonical_identifiers replaces them and puts them back on `down`.
pub(crate) async fn create_unique_indexes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // sea-query cannot express an index on `lower(col)`; this statement is the same on
    // SQLite and PostgreSQL.
    let db = manager.get_connection();
    db.execute_unprepared("CREATE UNIQUE INDEX users_username_lower ON users (lower(username))")
        .await?;
    db.execute_unprepared("CREATE UNIQUE INDEX users_email_lower ON users (lower(email))")
        .await?;
    manager
        .create_index(
            Index::create()
                .name("users_phone_key")
                .table(Users::Table)
                .col(Users::Phone)
                .unique()
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    Email,
    Phone,
    PasswordHash,
    IsActive,
    Roles,
    DisplayName,
    AvatarUrl,
    CreatedAt,
    LastLogin,
    PasswordChangedAt,
}
