//! Queries on `audit_events`: appending to the trail, the filtered and paged view, and the
//! dashboard's counts.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::audit_events::{ActiveModel, Column, Entity, Model};

/// An event to append.
#[derive(Clone, Debug)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    /// JSON text.
    pub details: Option<String>,
}

/// Appends an event.
pub async fn insert<C: ConnectionTrait>(db: &C, event: NewAuditEvent) -> Result<(), DbErr> {
    let row = ActiveModel {
        at: Set(event.at),
        actor_id: Set(event.actor_id),
        actor: Set(event.actor),
        action: Set(event.action),
        target: Set(event.target),
        ip: Set(event.ip),
        details: Set(event.details),
        ..Default::default()
    };
    Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Which events to list; every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Exactly these actions (one action, or every action of a category).
    pub actions: Option<Vec<String>>,
    /// The actor's name, compared case-insensitively.
    pub actor: Option<String>,
    /// The target, exactly (`client:web`, `user:3`).
    pub target: Option<String>,
}

/// One page of events, newest first, and the number matching `filter` across all pages.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    let mut query = Entity::find();
    if let Some(actions) = &filter.actions {
        query = query.filter(Column::Action.is_in(actions.iter().map(String::as_str)));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(
            Expr::expr(Func::lower(Expr::col(Column::Actor)))
                .eq(Func::lower(Expr::val(actor.as_str()))),
        );
    }
    if let Some(target) = &filter.target {
        query = query.filter(Column::Target.eq(target.as_str()));
    }
    let total = query.clone().count(db).await?;
    let page = query
        .order_by_desc(Column::Id)
        .offset(super::row_count(offset))
        .limit(super::row_count(limit))
        .all(db)
        .await?;
    Ok((page, total))
}

/// How many `action` events happened at or after `since`.
pub async fn count_since<C: ConnectionTrait>(
    db: &C,
    action: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::Action.eq(action))
        .filter(Column::At.gte(since))
        .count(db)
        .await
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::{test_db, test_now};

    fn event(action: &str, actor: &str, minutes_ago: i64) -> NewAuditEvent {
        NewAuditEvent {
            at: test_now() - Duration::minutes(minutes_ago),
            actor_id: None,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: Some(format!("client:{actor}")),
            ip: Some("127.0.0.1".to_owned()),
            details: None,
        }
    }

    #[tokio::test]
    async fn lists_newest_first_with_filters_and_counts_by_action() {
        let (_dir, db) = test_db().await;
        for (action, actor, ago) in [
            ("login.success", "alice", 30 * 60),
            ("login.failure", "alice", 10),
            ("client.create", "Root", 5),
            ("login.success", "bob", 1),
        ] {
            insert(&db, event(action, actor, ago)).await.unwrap();
        }
        let (page, total) = list(&db, &AuditFilter::default(), 0, 2).await.unwrap();
        assert_eq!(total, 4);
        let actions: Vec<_> = page.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["login.success", "client.create"]);

        let logins = AuditFilter {
            actions: Some(vec!["login.success".into(), "login.failure".into()]),
            actor: Some("ALICE".into()),
            ..AuditFilter::default()
        };
        let (page, total) = list(&db, &logins, 0, 10).await.unwrap();
        assert_eq!((page.len(), total), (2, 2));

        let by_target = AuditFilter {
            target: Some("client:Root".into()),
            ..AuditFilter::default()
        };
        assert_eq!(list(&db, &by_target, 0, 10).await.unwrap().1, 1);

        let day_ago = test_now() - Duration::hours(24);
        assert_eq!(count_since(&db, "login.success", day_ago).await.unwrap(), 1);
        assert_eq!(count_since(&db, "login.failure", day_ago).await.unwrap(), 1);
    }
}
