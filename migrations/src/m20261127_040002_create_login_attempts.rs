//! Creates `login_attempts`: failed password checks, per account and per client IP, from which
//! the login throttle computes its delays (SPEC §10). Stored in the database so the throttle holds
//! across instances.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `login_attempts` table and its indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(big_pk_auto(LoginAttempts::Id))
                    // `user:<id>` for a known account, `name:<identifier>` for an unknown one.
                    .col(text(LoginAttempts::AccountKey))
                    // The client IP (an IPv6 address reduced to its /64); NULL when unknown.
                    .col(text_null(LoginAttempts::IpKey))
                    .col(timestamp_with_time_zone(LoginAttempts::AttemptedAt))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "login_attempts_account_key",
                vec![LoginAttempts::AccountKey],
            ),
            (
                "login_attempts_ip_key_attempted_at",
                vec![LoginAttempts::IpKey, LoginAttempts::AttemptedAt],
            ),
            (
                "login_attempts_attempted_at",
                vec![LoginAttempts::AttemptedAt],
            ),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create();
            index.name(name).table(LoginAttempts::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginAttempts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Id,
    AccountKey,
    IpKey,
    AttemptedAt,
}
