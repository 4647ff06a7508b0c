//! Queries on `authorization_codes`: recording a code, finding it by hash, the single-use
//! conditional update, recording what its exchange issued, flushing old rows.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use crate::entities::authorization_codes::{ActiveModel, Column, Entity, Model};

/// A code to record.
#[derive(Clone, Debug)]
pub struct NewAuthorizationCode {
    /// SHA-256 (hex) of the code.
    pub code_hash: String,
    pub client_id: String,
    pub user_id: i64,
    pub redirect_uri: Option<String>,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub auth_time: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Records a code.
pub async fn insert<C: ConnectionTrait>(db: &C, new: NewAuthorizationCode) -> Result<Model, DbErr> {
    ActiveModel {
        code_hash: Set(new.code_hash),
        client_id: Set(new.client_id),
        user_id: Set(new.user_id),
        redirect_uri: Set(new.redirect_uri),
        scope: Set(new.scope),
        nonce: Set(new.nonce),
        code_challenge: Set(new.code_challenge),
        code_challenge_method: Set(new.code_challenge_method),
        auth_time: Set(new.auth_time),
        created_at: Set(new.created_at),
        expires_at: Set(new.expires_at),
        used_at: Set(None),
        family_id: Set(None),
        access_jti: Set(None),
        access_expires_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Finds a code by the hash of its value.
pub async fn find_by_hash<C: ConnectionTrait>(
    db: &C,
    code_hash: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::CodeHash.eq(code_hash))
        .one(db)
        .await
}

/// Finds a code by its row id.
pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Marks a code used if nobody has; answers whether this call did.
///
/// One conditional UPDATE, never a read followed by a write: of two concurrent exchanges of
/// one code exactly one sees `true`.
pub async fn mark_used<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::val(now))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// What the exchange of a code issued.
#[derive(Clone, Debug)]
pub struct Issued {
    pub family_id: Option<String>,
    pub access_jti: String,
    pub access_expires_at: DateTime<Utc>,
}

/// Records what the exchange of a code issued.
pub async fn record_issued<C: ConnectionTrait>(
    db: &C,
    id: i64,
    issued: Issued,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::FamilyId, Expr::val(issued.family_id))
        .col_expr(Column::AccessJti, Expr::val(issued.access_jti))
        .col_expr(Column::AccessExpiresAt, Expr::val(issued.access_expires_at))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::users::{self, NewUser};
    use crate::store::{test_db, test_now};

    #[tokio::test]
    async fn a_code_is_used_once_and_remembers_what_it_issued() {
        let (_dir, db) = test_db().await;
        let user = NewUser {
            username: "alice".into(),
            email: None,
            phone: None,
            password_hash: "x".into(),
            is_active: true,
            roles: vec![],
            display_name: None,
            avatar_url: None,
        };
        let uid = users::insert(&db, user, test_now()).await.unwrap().id;
        let new = NewAuthorizationCode {
            code_hash: "h".into(),
            client_id: "app".into(),
            user_id: uid,
            redirect_uri: Some("https://app.example/cb".into()),
            scope: "openid".into(),
            nonce: Some("n".into()),
            code_challenge: Some("c".into()),
            code_challenge_method: Some("S256".into()),
            auth_time: test_now(),
            created_at: test_now(),
            expires_at: test_now() + Duration::seconds(60),
        };
        let row = insert(&db, new).await.unwrap();
        assert!(mark_used(&db, row.id, test_now()).await.unwrap());
        assert!(!mark_used(&db, row.id, test_now()).await.unwrap());
        let issued = Issued {
            family_id: Some("f".into()),
            access_jti: "j".into(),
            access_expires_at: test_now() + Duration::minutes(5),
        };
        record_issued(&db, row.id, issued).await.unwrap();
        let found = find_by_hash(&db, "h").await.unwrap().unwrap();
        assert_eq!(found.used_at, Some(test_now()));
        assert_eq!(found.family_id.as_deref(), Some("f"));
        assert_eq!(found.access_jti.as_deref(), Some("j"));
        assert_eq!(found.nonce.as_deref(), Some("n"));

        assert_eq!(
            crate::store::delete_expired::<Entity, _>(&db, test_now(), 10)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            crate::store::delete_expired::<Entity, _>(&db, test_now() + Duration::minutes(2), 10)
                .await
                .unwrap(),
            1
        );
    }
}
