//! Adds `login_attempts.device_key`: the device cookie (OWASP "device cookies") an attempt on the
//! login form came with, so a browser that signed in to the account before is throttled on its own
//! and not with every other client behind its address.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the nullable `device_key` column.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LoginAttempts::Table)
                    .add_column(text_null(LoginAttempts::DeviceKey))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LoginAttempts::Table)
                    .drop_column(LoginAttempts::DeviceKey)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    DeviceKey,
}
