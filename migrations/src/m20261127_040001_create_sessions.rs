//! Creates `sessions`: browser sessions (and the anonymous pre-sessions that carry the login
//! form's CSRF token), so every instance behind a load balancer sees the same sessions.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `sessions` table and its indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(big_pk_auto(Sessions::Id))
                    // The cookie holds a random id; only its SHA-256 is stored.
                    .col(text_uniq(Sessions::TokenHash))
                    // NULL for a pre-session (the login form before anyone signed in).
                    .col(big_integer_null(Sessions::UserId))
                    .col(text(Sessions::CsrfToken))
                    .col(timestamp_with_time_zone_null(Sessions::AuthTime))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("sessions_user_id_fkey")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("sessions_user_id", Sessions::UserId),
            ("sessions_expires_at", Sessions::ExpiresAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Sessions::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CsrfToken,
    AuthTime,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
