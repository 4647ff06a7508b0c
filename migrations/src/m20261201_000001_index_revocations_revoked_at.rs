//! Indexes `revocations.revoked_at`: each instance asks once per `cache_ttl` which tokens were
//! revoked lately, to correct what its directory cache believes.

use sea_orm_migration::prelude::*;

/// Adds `revocations_revoked_at`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "revocations_revoked_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Revocations::Table)
                    .col(Revocations::RevokedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Revocations::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Revocations {
    Table,
    RevokedAt,
}
