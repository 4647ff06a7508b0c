//! Queries on `login_attempts`: recording an attempt, summarising the attempts of an account or
//! an IP, clearing an account after a successful login, flushing old rows.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use crate::entities::login_attempts::{ActiveModel, Column, Entity};

/// How many attempts matched and when the latest was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub latest: Option<DateTime<Utc>>,
}

/// Records an attempt.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    account_key: &str,
    ip_key: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        account_key: Set(account_key.to_owned()),
        ip_key: Set(ip_key.map(str::to_owned)),
        attempted_at: Set(at),
        ..Default::default()
    };
    Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

async fn summarize<C: ConnectionTrait>(
    db: &C,
    filter: sea_orm::sea_query::SimpleExpr,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = Entity::find()
        .select_only()
        .expr(Func::count(Expr::col(Column::Id)))
        .expr(Func::max(Expr::col(Column::AttemptedAt)))
        .filter(filter)
        .filter(Column::AttemptedAt.gte(since))
        .into_tuple()
        .one(db)
        .await?;
    let (count, latest) = row.unwrap_or_default();
    Ok(Summary {
        count: u64::try_from(count).unwrap_or_default(),
        latest,
    })
}

/// The attempts against one account since `since`.
pub async fn summarize_account<C: ConnectionTrait>(
    db: &C,
    account_key: &str,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    summarize(db, Column::AccountKey.eq(account_key), since).await
}

/// The attempts from one IP since `since`.
pub async fn summarize_ip<C: ConnectionTrait>(
    db: &C,
    ip_key: &str,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    summarize(db, Column::IpKey.eq(ip_key), since).await
}

/// Forgets the attempts against an account (after it logged in).
pub async fn delete_for_account<C: ConnectionTrait>(
    db: &C,
    account_key: &str,
) -> Result<u64, DbErr> {
    let res = Entity::delete_many()
        .filter(Column::AccountKey.eq(account_key))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Deletes at most `batch` attempts older than `before`; answers how many.
pub async fn delete_older_than<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    super::delete_batch::<Entity, _>(db, Column::Id, Column::AttemptedAt.lt(before), batch).await
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::{test_db, test_now};

    #[tokio::test]
    async fn summaries_count_and_find_the_latest() {
        let (_dir, db) = test_db().await;
        let t = test_now();
        insert(&db, "user:1", Some("10.0.0.1"), t - Duration::minutes(20))
            .await
            .unwrap();
        insert(&db, "user:1", Some("10.0.0.1"), t - Duration::minutes(5))
            .await
            .unwrap();
        insert(&db, "name:bob", Some("10.0.0.1"), t).await.unwrap();
        insert(&db, "user:1", None, t - Duration::minutes(1))
            .await
            .unwrap();

        let account = summarize_account(&db, "user:1", t - Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(account.count, 3);
        assert_eq!(account.latest, Some(t - Duration::minutes(1)));
        let ip = summarize_ip(&db, "10.0.0.1", t - Duration::minutes(10))
            .await
            .unwrap();
        assert_eq!(
            ip,
            Summary {
                count: 2,
                latest: Some(t)
            }
        );
        let none = summarize_ip(&db, "10.9.9.9", t - Duration::minutes(10))
            .await
            .unwrap();
        assert_eq!(none, Summary::default());

        assert_eq!(delete_for_account(&db, "user:1").await.unwrap(), 3);
        assert_eq!(
            delete_older_than(&db, t + Duration::seconds(1), 10)
                .await
                .unwrap(),
            1
        );
    }
}
