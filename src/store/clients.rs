//! Queries on `clients`: registration, lookup by `client_id`, secret rotation, and the admin
//! UI's edits (settings, enable/disable, delete).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{InsertError, join_list};
use crate::entities::clients::{ActiveModel, Column, Entity, Model};

/// A client to register.
#[derive(Clone, Debug)]
pub struct NewClient {
    pub client_id: String,
    /// Hex SHA-256 of the secret; `None` for a public client.
    pub secret_hash: Option<String>,
    pub name: String,
    /// `confidential` or `public`.
    pub kind: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub access_token_lifetime_secs: Option<i64>,
    pub refresh_token_lifetime_secs: Option<i64>,
    pub first_party: bool,
    /// An `https` URL (RFC 7591 §2 `logo_uri`), checked by the caller.
    pub logo_uri: Option<String>,
}

/// Registers a client, active from `now`. A taken `client_id` answers
/// [`InsertError::Duplicate`].
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewClient,
    now: DateTime<Utc>,
) -> Result<Model, InsertError> {
    ActiveModel {
        client_id: Set(new.client_id),
        secret_hash: Set(new.secret_hash),
        name: Set(new.name),
        kind: Set(new.kind),
        redirect_uris: Set(join_list(&new.redirect_uris)),
        post_logout_redirect_uris: Set(join_list(&new.post_logout_redirect_uris)),
        grant_types: Set(join_list(&new.grant_types)),
        scopes: Set(join_list(&new.scopes)),
        audience: Set(new.audience),
        access_token_lifetime_secs: Set(new.access_token_lifetime_secs),
        refresh_token_lifetime_secs: Set(new.refresh_token_lifetime_secs),
        first_party: Set(new.first_party),
        logo_uri: Set(new.logo_uri),
        is_active: Set(true),
        created_at: Set(now),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(InsertError::from_db)
}

/// Finds a client by its public identifier.
pub async fn find_by_client_id<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::ClientId.eq(client_id))
        .one(db)
        .await
}

/// Every client, ordered by id.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

/// Replaces a client's secret hash; answers whether the client exists.
pub async fn set_secret_hash<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    hash: &str,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::SecretHash, Expr::val(hash))
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records that a client authenticated or was issued a token.
pub async fn touch_last_used<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LastUsedAt, Expr::val(now))
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// A client's editable settings, as the admin UI saves them.
#[derive(Clone, Debug)]
pub struct ClientChanges {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub access_token_lifetime_secs: Option<i64>,
    pub refresh_token_lifetime_secs: Option<i64>,
    pub first_party: bool,
    pub logo_uri: Option<String>,
}

impl ClientChanges {
    /// The names of the settings that differ from `current`.
    pub fn changed_fields(&self, current: &Model) -> Vec<&'static str> {
        let checks = [
            ("name", self.name == current.name),
            (
                "redirect_uris",
                join_list(&self.redirect_uris) == current.redirect_uris,
            ),
            (
                "post_logout_redirect_uris",
                join_list(&self.post_logout_redirect_uris) == current.post_logout_redirect_uris,
            ),
            (
                "grant_types",
                join_list(&self.grant_types) == current.grant_types,
            ),
            ("scopes", join_list(&self.scopes) == current.scopes),
            ("audience", self.audience == current.audience),
            (
                "access_token_lifetime",
                self.access_token_lifetime_secs == current.access_token_lifetime_secs,
            ),
            (
                "refresh_token_lifetime",
                self.refresh_token_lifetime_secs == current.refresh_token_lifetime_secs,
            ),
            ("first_party", self.first_party == current.first_party),
            ("logo_uri", self.logo_uri == current.logo_uri),
        ];
        checks
            .iter()
            .filter(|(_, same)| !same)
            .map(|(name, _)| *name)
            .collect()
    }
}

/// Saves a client's settings; answers whether the client exists.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    changes: &ClientChanges,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::Name, Expr::val(changes.name.as_str()))
        .col_expr(
            Column::RedirectUris,
            Expr::val(join_list(&changes.redirect_uris)),
        )
        .col_expr(
            Column::PostLogoutRedirectUris,
            Expr::val(join_list(&changes.post_logout_redirect_uris)),
        )
        .col_expr(
            Column::GrantTypes,
            Expr::val(join_list(&changes.grant_types)),
        )
        .col_expr(Column::Scopes, Expr::val(join_list(&changes.scopes)))
        .col_expr(Column::Audience, Expr::val(changes.audience.clone()))
        .col_expr(
            Column::AccessTokenLifetimeSecs,
            Expr::val(changes.access_token_lifetime_secs),
        )
        .col_expr(
            Column::RefreshTokenLifetimeSecs,
            Expr::val(changes.refresh_token_lifetime_secs),
        )
        .col_expr(Column::FirstParty, Expr::val(changes.first_party))
        .col_expr(Column::LogoUri, Expr::val(changes.logo_uri.clone()))
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Enables or disables a client; answers whether the client exists.
pub async fn set_active<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    active: bool,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::IsActive, Expr::val(active))
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes a client; answers whether it existed.
pub async fn delete<C: ConnectionTrait>(db: &C, client_id: &str) -> Result<bool, DbErr> {
    let res = Entity::delete_many()
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The number of clients.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

/// The longest access-token lifetime any client overrides the default with.
pub async fn max_access_token_lifetime_secs<C: ConnectionTrait>(
    db: &C,
) -> Result<Option<i64>, DbErr> {
    let max: Option<Option<i64>> = Entity::find()
        .select_only()
        .column_as(Column::AccessTokenLifetimeSecs.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use super::*;
    use crate::store::{UniqueField, test_db};

    fn new_client(client_id: &str) -> NewClient {
        NewClient {
            client_id: client_id.to_owned(),
            secret_hash: Some("ab".repeat(32)),
            name: "Demo".to_owned(),
            kind: "confidential".to_owned(),
            redirect_uris: vec!["https://a.example/cb".into(), "https://b.example/cb".into()],
            post_logout_redirect_uris: vec![],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            scopes: vec!["openid".into(), "profile".into()],
            audience: None,
            access_token_lifetime_secs: Some(600),
            refresh_token_lifetime_secs: None,
            first_party: false,
            logo_uri: None,
        }
    }

    #[tokio::test]
    async fn insert_then_find_round_trips_lists() {
        let (_dir, db) = test_db().await;
        let now = crate::store::test_now();
        let created = insert(&db, new_client("demo"), now).await.unwrap();
        let found = find_by_client_id(&db, "demo").await.unwrap().unwrap();
        assert_eq!(created, found);
        assert_eq!(
            found.redirect_uris(),
            ["https://a.example/cb", "https://b.example/cb"]
        );
        assert_eq!(found.grant_types(), ["authorization_code", "refresh_token"]);
        assert!(found.post_logout_redirect_uris().is_empty());
        assert!(found.is_active);
        assert_eq!(found.access_token_lifetime_secs, Some(600));
        assert!(find_by_client_id(&db, "other").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn duplicate_client_id_is_reported() {
        let (_dir, db) = test_db().await;
        insert(&db, new_client("demo"), crate::store::test_now())
            .await
            .unwrap();
        let err = insert(&db, new_client("demo"), crate::store::test_now())
            .await
            .unwrap_err();
        assert!(
            matches!(err, InsertError::Duplicate(UniqueField::ClientId)),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn secret_rotation_and_last_used() {
        let (_dir, db) = test_db().await;
        let now = crate::store::test_now();
        insert(&db, new_client("demo"), now).await.unwrap();
        assert!(set_secret_hash(&db, "demo", "cd").await.unwrap());
        assert!(!set_secret_hash(&db, "missing", "cd").await.unwrap());
        touch_last_used(&db, "demo", now).await.unwrap();
        let found = find_by_client_id(&db, "demo").await.unwrap().unwrap();
        assert_eq!(found.secret_hash.as_deref(), Some("cd"));
        assert_eq!(found.last_used_at, Some(now));
        insert(&db, new_client("second"), now).await.unwrap();
        let ids: Vec<_> = list(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.client_id)
            .collect();
        assert_eq!(ids, ["demo", "second"]);
    }
}
