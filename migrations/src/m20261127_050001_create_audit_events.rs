//! Creates `audit_events`: who did what, when and from where (logins, failures, refresh-token
//! reuse, revocations, every admin change).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `audit_events` table and the indexes its views filter on.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    // No foreign key: the trail outlives the users and clients it mentions.
                    .col(big_integer_null(AuditEvents::ActorId))
                    .col(text(AuditEvents::Actor))
                    .col(text(AuditEvents::Action))
                    .col(text_null(AuditEvents::Target))
                    .col(text_null(AuditEvents::Ip))
                    .col(text_null(AuditEvents::Details))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("audit_events_at", vec![AuditEvents::At]),
            (
                "audit_events_action_at",
                vec![AuditEvents::Action, AuditEvents::At],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvents::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    Actor,
    Action,
    Target,
    Ip,
    Details,
}
