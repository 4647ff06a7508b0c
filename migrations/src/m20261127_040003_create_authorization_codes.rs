//! Creates `authorization_codes` (RFC 6749 §4.1.2): single-use, short-lived codes bound to a
//! client, a user, a redirect URI and a PKCE challenge (RFC 7636). The code itself is never
//! stored, only its SHA-256.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `authorization_codes` table and its indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthorizationCodes::Table)
                    .col(big_pk_auto(AuthorizationCodes::Id))
                    .col(text_uniq(AuthorizationCodes::CodeHash))
                    .col(text(AuthorizationCodes::ClientId))
                    .col(big_integer(AuthorizationCodes::UserId))
                    // As sent in the authorization request; NULL when it was omitted.
                    .col(text_null(AuthorizationCodes::RedirectUri))
                    .col(text(AuthorizationCodes::Scope).default(""))
                    .col(text_null(AuthorizationCodes::Nonce))
                    .col(text_null(AuthorizationCodes::CodeChallenge))
                    .col(text_null(AuthorizationCodes::CodeChallengeMethod))
                    .col(timestamp_with_time_zone(AuthorizationCodes::AuthTime))
                    .col(timestamp_with_time_zone(AuthorizationCodes::CreatedAt))
                    .col(timestamp_with_time_zone(AuthorizationCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthorizationCodes::UsedAt))
                    // What the first exchange issued, so a second one can revoke it.
                    .col(text_null(AuthorizationCodes::FamilyId))
                    .col(text_null(AuthorizationCodes::AccessJti))
                    .col(timestamp_with_time_zone_null(
                        AuthorizationCodes::AccessExpiresAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("authorization_codes_user_id_fkey")
                            .from(AuthorizationCodes::Table, AuthorizationCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("authorization_codes_expires_at")
                    .table(AuthorizationCodes::Table)
                    .col(AuthorizationCodes::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthorizationCodes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    Id,
    CodeHash,
    ClientId,
    UserId,
    RedirectUri,
    Scope,
    Nonce,
    CodeChallenge,
    CodeChallengeMethod,
    AuthTime,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    FamilyId,
    AccessJti,
    AccessExpiresAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
