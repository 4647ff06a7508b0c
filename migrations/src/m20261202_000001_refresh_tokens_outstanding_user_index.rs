//! Narrows `refresh_tokens`' index on `user_id` to the outstanding tokens (neither used nor
//! revoked), the only ones a revocation by user changes (issue 14).
//!
//! User ids are random keys in token order, so the full index cost every rotation and, above all,
//! every expiry cleanup one random leaf page per row: deleting a batch of expired tokens dirtied
//! about a quarter of the index's pages. Most rows are used or revoked (a token is used the moment
//! it is rotated), so the partial index holds a fraction of the rows and the cleanup of used
//! tokens never touches it. The price: deleting a user finds their used and revoked tokens (its
//! `ON DELETE CASCADE`) by reading the table, which is rare and an administrator's action.

use sea_orm_migration::prelude::*;

/// Replaces `refresh_tokens_user_id` with `refresh_tokens_outstanding_user_id`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const FULL: &str = "refresh_tokens_user_id";
const OUTSTANDING: &str = "refresh_tokens_outstanding_user_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OUTSTANDING)
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::UserId)
                    .and_where(Expr::col(RefreshTokens::UsedAt).is_null())
                    .and_where(Expr::col(RefreshTokens::RevokedAt).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(FULL)
                    .table(RefreshTokens::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(FULL)
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OUTSTANDING)
                    .table(RefreshTokens::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    UserId,
    UsedAt,
    RevokedAt,
}
