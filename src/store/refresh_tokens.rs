//! Queries on `refresh_tokens`: recording issued tokens, single-use rotation, family and
//! bulk revocation, flushing expired rows, and the admin UI's view of outstanding families.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::refresh_tokens::{ActiveModel, Column, Entity, Model};

/// A refresh token to record at issue.
#[derive(Clone, Debug)]
pub struct NewRefreshToken {
    pub jti: String,
    /// The rotation family: the first token's own id, inherited by every successor.
    pub family_id: String,
    /// The token this one replaced, if it came from a rotation.
    pub parent_jti: Option<String>,
    pub user_id: i64,
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    /// When the user authenticated (OIDC `auth_time`), unchanged across rotations.
    pub auth_time: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Records an issued refresh token.
pub async fn insert<C: ConnectionTrait>(db: &C, new: NewRefreshToken) -> Result<(), DbErr> {
    Entity::insert(active_model(new))
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Records several issued refresh tokens in one statement.
pub async fn insert_many<C: ConnectionTrait>(
    db: &C,
    new: impl IntoIterator<Item = NewRefreshToken>,
) -> Result<(), DbErr> {
    let rows: Vec<ActiveModel> = new.into_iter().map(active_model).collect();
    if rows.is_empty() {
        return Ok(());
    }
    Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

fn active_model(new: NewRefreshToken) -> ActiveModel {
    ActiveModel {
        jti: Set(new.jti),
        family_id: Set(new.family_id),
        parent_jti: Set(new.parent_jti),
        user_id: Set(new.user_id),
        client_id: Set(new.client_id),
        scope: Set(new.scope),
        auth_time: Set(new.auth_time),
        issued_at: Set(new.issued_at),
        expires_at: Set(new.expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        revoke_reason: Set(None),
        ..Default::default()
    }
}

/// Finds a refresh token by its `jti`.
pub async fn find_by_jti<C: ConnectionTrait>(db: &C, jti: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Jti.eq(jti)).one(db).await
}

/// Marks each of `jtis` used if it is neither used nor revoked; answers the ones this call marked.
///
/// This is one conditional UPDATE, never a read followed by a write, so of two concurrent
/// presentations of one token exactly one is marked.
pub async fn mark_used<C: ConnectionTrait>(
    db: &C,
    jtis: impl IntoIterator<Item = String>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let marked = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::val(now))
        .filter(Column::Jti.is_in(jtis))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .exec_with_returning(db)
        .await?;
    Ok(marked.into_iter().map(|row| row.jti).collect())
}

/// Revokes the not-yet-revoked tokens matching `filter`; answers how many.
async fn revoke_where<C: ConnectionTrait>(
    db: &C,
    filter: sea_orm::sea_query::SimpleExpr,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::val(now))
        .col_expr(Column::RevokeReason, Expr::val(reason))
        .filter(filter)
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Revokes every token of a rotation family (reuse detection, RFC 7009 revocation).
pub async fn revoke_family<C: ConnectionTrait>(
    db: &C,
    family_id: &str,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    revoke_where(db, Column::FamilyId.eq(family_id), now, reason).await
}

/// Revokes every token of a user (deactivation, password change, logout everywhere).
pub async fn revoke_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    revoke_where(db, Column::UserId.eq(user_id), now, reason).await
}

/// Revokes every token a user holds through one client (logging out of that client).
pub async fn revoke_for_user_and_client<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    client_id: &str,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    let filter = Column::UserId
        .eq(user_id)
        .and(Column::ClientId.eq(client_id));
    revoke_where(db, filter, now, reason).await
}

/// Revokes every token issued to a client (client disabled or deleted).
pub async fn revoke_for_client<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    revoke_where(db, Column::ClientId.eq(client_id), now, reason).await
}

/// Which outstanding families to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FamilyFilter {
    All,
    User(i64),
    Client(String),
}

/// The newest token of each outstanding family (neither used, revoked nor expired at `now`)
/// matching `filter`, with its user, most recently issued first; at most `limit`.
///
/// Each family has at most one such token, so these rows are the families themselves.
pub async fn outstanding_families<C: ConnectionTrait>(
    db: &C,
    filter: &FamilyFilter,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(Model, Option<crate::entities::users::Model>)>, DbErr> {
    let mut query = Entity::find()
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now));
    match filter {
        FamilyFilter::All => {}
        FamilyFilter::User(id) => query = query.filter(Column::UserId.eq(*id)),
        FamilyFilter::Client(id) => query = query.filter(Column::ClientId.eq(id.as_str())),
    }
    query
        .find_also_related(crate::entities::users::Entity)
        .order_by_desc(Column::IssuedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The number of outstanding families at `now`.
pub async fn count_outstanding_families<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .count(db)
        .await
}

/// When each client was last issued a refresh token.
pub async fn last_issued_by_client<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(String, DateTime<Utc>)>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::ClientId)
        .column_as(Column::IssuedAt.max(), "last_issued")
        .group_by(Column::ClientId)
        .into_tuple()
        .all(db)
        .await
}

/// Deletes at most `batch` tokens that expired before `before`; answers how many. The
/// caller loops until it gets 0, so no single statement holds locks for long.
pub async fn delete_expired<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    // Neither database takes DELETE ... LIMIT portably: pick the ids first.
    let ids: Vec<i64> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::ExpiresAt.lt(before))
        .order_by_asc(Column::Id)
        .limit(batch)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let res = Entity::delete_many()
        .filter(Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::users::{self, NewUser};
    use crate::store::{test_db, test_now};

    async fn user(db: &sea_orm::DatabaseConnection, name: &str) -> i64 {
        let new = NewUser {
            username: name.to_owned(),
            email: None,
            phone: None,
            password_hash: "x".to_owned(),
            is_active: true,
            roles: vec![],
            display_name: None,
            avatar_url: None,
        };
        users::insert(db, new, test_now()).await.unwrap().id
    }

    fn token(jti: &str, family: &str, user_id: i64, expires_in: Duration) -> NewRefreshToken {
        NewRefreshToken {
            jti: jti.to_owned(),
            family_id: family.to_owned(),
            parent_jti: None,
            user_id,
            client_id: "app".to_owned(),
            scope: "openid profile".to_owned(),
            auth_time: test_now() - Duration::minutes(5),
            issued_at: test_now(),
            expires_at: test_now() + expires_in,
        }
    }

    #[tokio::test]
    async fn insert_then_find_by_jti() {
        let (_dir, db) = test_db().await;
        let uid = user(&db, "alice").await;
        let mut new = token("t1", "f1", uid, Duration::days(1));
        new.parent_jti = Some("t0".into());
        insert(&db, new.clone()).await.unwrap();
        let got = find_by_jti(&db, "t1").await.unwrap().unwrap();
        assert_eq!(got.family_id, "f1");
        assert_eq!(got.parent_jti.as_deref(), Some("t0"));
        assert_eq!(got.auth_time, new.auth_time);
        assert_eq!(got.expires_at, new.expires_at);
        assert_eq!((got.used_at, got.revoked_at), (None, None));
        assert!(find_by_jti(&db, "nope").await.unwrap().is_none());
        assert!(insert(&db, new).await.is_err(), "jti is unique");
    }

    #[tokio::test]
    async fn mark_used_succeeds_exactly_once() {
        let (_dir, db) = test_db().await;
        let uid = user(&db, "alice").await;
        insert(&db, token("t1", "f1", uid, Duration::days(1)))
            .await
            .unwrap();
        insert(&db, token("t2", "f2", uid, Duration::days(1)))
            .await
            .unwrap();
        let marked = mark_used(&db, ["t1".into(), "missing".into()], test_now()).await;
        assert_eq!(marked.unwrap(), ["t1"]);
        assert!(
            mark_used(&db, ["t1".into()], test_now())
                .await
                .unwrap()
                .is_empty()
        );

        revoke_family(&db, "f2", test_now(), "test").await.unwrap();
        assert!(
            mark_used(&db, ["t2".into()], test_now())
                .await
                .unwrap()
                .is_empty(),
            "revoked tokens stay unused"
        );
        let t1 = find_by_jti(&db, "t1").await.unwrap().unwrap();
        assert_eq!(t1.used_at, Some(test_now()));
    }

    #[tokio::test]
    async fn concurrent_mark_used_has_one_winner() {
        let (_dir, db) = test_db().await;
        let uid = user(&db, "alice").await;
        insert(&db, token("t1", "f1", uid, Duration::days(1)))
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { mark_used(&db, ["t1".into()], test_now()).await })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += task.await.unwrap().unwrap().len();
        }
        assert_eq!(winners, 1);
    }

    #[tokio::test]
    async fn revocation_counts_only_unrevoked_rows() {
        let (_dir, db) = test_db().await;
        let alice = user(&db, "alice").await;
        let bob = user(&db, "bob").await;
        for (jti, family, uid) in [
            ("a1", "fa", alice),
            ("a2", "fa", alice),
            ("a3", "fb", alice),
        ] {
            insert(&db, token(jti, family, uid, Duration::days(1)))
                .await
                .unwrap();
        }
        let mut other_client = token("b1", "fc", bob, Duration::days(1));
        other_client.client_id = "other".into();
        insert(&db, other_client).await.unwrap();

        assert_eq!(
            revoke_family(&db, "fa", test_now(), "reuse").await.unwrap(),
            2
        );
        assert_eq!(
            revoke_family(&db, "fa", test_now(), "reuse").await.unwrap(),
            0
        );
        let a1 = find_by_jti(&db, "a1").await.unwrap().unwrap();
        assert_eq!(a1.revoke_reason.as_deref(), Some("reuse"));
        assert_eq!(a1.revoked_at, Some(test_now()));

        assert_eq!(
            revoke_for_user(&db, alice, test_now(), "password")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            revoke_for_client(&db, "other", test_now(), "gone")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            revoke_for_client(&db, "app", test_now(), "gone")
                .await
                .unwrap(),
            0
        );
        let a1 = find_by_jti(&db, "a1").await.unwrap().unwrap();
        assert_eq!(
            a1.revoke_reason.as_deref(),
            Some("reuse"),
            "first reason is kept"
        );
    }

    #[tokio::test]
    async fn delete_expired_works_in_batches() {
        let (_dir, db) = test_db().await;
        let uid = user(&db, "alice").await;
        for i in 0..5 {
            let expires_in = Duration::milliseconds(-1 - i);
            insert(&db, token(&format!("old{i}"), "f", uid, expires_in))
                .await
                .unwrap();
        }
        // Expires a fraction of a second after the cut-off: must survive.
        insert(&db, token("edge", "f", uid, Duration::milliseconds(500)))
            .await
            .unwrap();
        insert(&db, token("new", "f", uid, Duration::days(1)))
            .await
            .unwrap();

        assert_eq!(delete_expired(&db, test_now(), 2).await.unwrap(), 2);
        assert_eq!(delete_expired(&db, test_now(), 2).await.unwrap(), 2);
        assert_eq!(delete_expired(&db, test_now(), 2).await.unwrap(), 1);
        assert_eq!(delete_expired(&db, test_now(), 2).await.unwrap(), 0);
        assert!(find_by_jti(&db, "edge").await.unwrap().is_some());
        assert!(find_by_jti(&db, "new").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn deleting_a_user_deletes_their_tokens() {
        let (_dir, db) = test_db().await;
        let uid = user(&db, "alice").await;
        insert(&db, token("t1", "f1", uid, Duration::days(1)))
            .await
            .unwrap();
        crate::entities::users::Entity::delete_by_id(uid)
            .exec(&db)
            .await
            .unwrap();
        assert!(find_by_jti(&db, "t1").await.unwrap().is_none());
    }
}
