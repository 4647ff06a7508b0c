//! Queries on `sessions`: creating, finding by the hash of the cookie's id, ending, and flushing
//! expired rows.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use crate::entities::sessions::{ActiveModel, Column, Entity, Model};

/// A session to record.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// SHA-256 (hex) of the id the cookie carries.
    pub token_hash: String,
    /// `None` only for an older version's pre-session.
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub auth_time: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Records a session.
pub async fn insert<C: ConnectionTrait>(db: &C, new: NewSession) -> Result<Model, DbErr> {
    ActiveModel {
        token_hash: Set(new.token_hash),
        user_id: Set(new.user_id),
        csrf_token: Set(new.csrf_token),
        auth_time: Set(new.auth_time),
        created_at: Set(new.created_at),
        expires_at: Set(new.expires_at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Finds a session, expired or not, by the hash of its id.
pub async fn find_by_token_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Deletes a session; answers whether there was one.
pub async fn delete_by_token_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<bool, DbErr> {
    let res = Entity::delete_many()
        .filter(Column::TokenHash.eq(token_hash))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Deletes every session of a user (sign out everywhere); answers how many.
pub async fn delete_for_user<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, DbErr> {
    let res = Entity::delete_many()
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::{test_db, test_now};

    fn session(hash: &str, expires_in: Duration) -> NewSession {
        NewSession {
            token_hash: hash.to_owned(),
            user_id: None,
            csrf_token: "csrf".to_owned(),
            auth_time: None,
            created_at: test_now(),
            expires_at: test_now() + expires_in,
        }
    }

    #[tokio::test]
    async fn insert_find_delete_and_flush() {
        let (_dir, db) = test_db().await;
        insert(&db, session("a", Duration::hours(1))).await.unwrap();
        insert(&db, session("old", Duration::seconds(-1)))
            .await
            .unwrap();
        let found = find_by_token_hash(&db, "a").await.unwrap().unwrap();
        assert_eq!(found.csrf_token, "csrf");
        assert_eq!(found.user_id, None);
        assert!(insert(&db, session("a", Duration::hours(1))).await.is_err());

        assert_eq!(
            crate::store::delete_expired::<Entity, _>(&db, test_now(), 10)
                .await
                .unwrap(),
            1
        );
        assert!(find_by_token_hash(&db, "old").await.unwrap().is_none());
        assert!(delete_by_token_hash(&db, "a").await.unwrap());
        assert!(!delete_by_token_hash(&db, "a").await.unwrap());
    }
}
