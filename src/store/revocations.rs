//! Queries on `revocations`: the deny-list of token ids (any token type), kept until
//! each token would have expired anyway.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::revocations::{ActiveModel, Column, Entity};

/// Records that the token `jti` is revoked; answers whether it was not already. Revoking an
/// already revoked token is not an error (RFC 7009 §2.2: the server answers 200 either way); the
/// first record is kept.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    jti: &str,
    token_type: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool, DbErr> {
    let row = ActiveModel {
        jti: Set(jti.to_owned()),
        token_type: Set(token_type.to_owned()),
        expires_at: Set(expires_at),
        revoked_at: Set(now),
        reason: Set(reason.to_owned()),
        ..Default::default()
    };
    let res = Entity::insert(row)
        .on_conflict(OnConflict::column(Column::Jti).do_nothing().to_owned())
        .exec_without_returning(db)
        .await;
    match res {
        Ok(inserted) => Ok(inserted > 0),
        Err(DbErr::RecordNotInserted) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Whether the token `jti` has been revoked.
pub async fn is_revoked<C: ConnectionTrait>(db: &C, jti: &str) -> Result<bool, DbErr> {
    let found = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Jti.eq(jti))
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// The ids of tokens revoked at or after `since` (by any instance's clock), oldest first.
pub async fn revoked_since<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Jti)
        .filter(Column::RevokedAt.gte(since))
        .order_by_asc(Column::RevokedAt)
        .into_tuple()
        .all(db)
        .await
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::{test_db, test_now};

    #[tokio::test]
    async fn revoking_twice_is_fine_and_keeps_the_first_record() {
        let (_dir, db) = test_db().await;
        let exp = test_now() + Duration::minutes(5);
        assert!(!is_revoked(&db, "j1").await.unwrap());
        insert(&db, "j1", "access", exp, test_now(), "logout")
            .await
            .unwrap();
        insert(&db, "j1", "access", exp, test_now(), "again")
            .await
            .unwrap();
        assert!(is_revoked(&db, "j1").await.unwrap());
        assert!(!is_revoked(&db, "j2").await.unwrap());
        let row = Entity::find()
            .filter(Column::Jti.eq("j1"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.reason, "logout");
        assert_eq!(row.expires_at, exp);
    }

    #[tokio::test]
    async fn delete_expired_works_in_batches() {
        let (_dir, db) = test_db().await;
        for i in 0..3 {
            let exp = test_now() - Duration::seconds(i + 1);
            insert(&db, &format!("old{i}"), "access", exp, test_now(), "r")
                .await
                .unwrap();
        }
        let exp = test_now() + Duration::microseconds(1);
        insert(&db, "live", "access", exp, test_now(), "r")
            .await
            .unwrap();
        assert_eq!(
            crate::store::expired_batches::<Entity>(&db, test_now(), 2)
                .await
                .unwrap(),
            [2, 1]
        );
        assert!(is_revoked(&db, "live").await.unwrap());
    }
}
