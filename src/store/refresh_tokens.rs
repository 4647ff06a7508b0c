//! Queries on `refresh_tokens`: recording issued tokens, single-use rotation, family and
//! bulk revocation, flushing expired rows, and the admin UI's view of outstanding families.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
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

impl From<Model> for NewRefreshToken {
    fn from(row: Model) -> NewRefreshToken {
        NewRefreshToken {
            jti: row.jti,
            family_id: row.family_id,
            parent_jti: row.parent_jti,
            user_id: row.user_id,
            client_id: row.client_id,
            scope: row.scope,
            auth_time: row.auth_time,
            issued_at: row.issued_at,
            expires_at: row.expires_at,
        }
    }
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

/// The token a rotation of `parent` recorded (the oldest, should the family have forked), or
/// `None`. Looked up through the family's index: a family holds one row per rotation.
pub async fn find_successor<C: ConnectionTrait>(
    db: &C,
    parent: &Model,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::FamilyId.eq(parent.family_id.as_str()))
        .filter(Column::ParentJti.eq(parent.jti.as_str()))
        .order_by_asc(Column::Id)
        .one(db)
        .await
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
    mark_used_statement(jtis, now)
        .exec_with_returning(db)
        .await
        .map(|marked| marked.into_iter().map(|row| row.jti).collect())
}

/// [`mark_used`]'s UPDATE. "Neither used nor revoked" is written `COALESCE(used_at, revoked_at)
/// IS NULL`, not as the two `IS NULL`s: those are the condition of the partial index on
/// `user_id`, and PostgreSQL's planner then ANDs a scan of that whole index (every outstanding
/// token) with the `jti` lookups, for every rotation group.
pub(crate) fn mark_used_statement(
    jtis: impl IntoIterator<Item = String>,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<Entity> {
    let neither_used_nor_revoked = Expr::expr(Func::coalesce([
        Expr::col(Column::UsedAt),
        Expr::col(Column::RevokedAt),
    ]))
    .is_null();
    Entity::update_many()
        .col_expr(Column::UsedAt, Expr::val(now))
        .filter(Column::Jti.is_in(jtis))
        .filter(neither_used_nor_revoked)
}

/// Which refresh tokens a revocation takes, a whole family at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FamilySelector {
    /// One rotation family (reuse detection, RFC 7009, an admin).
    Family(String),
    /// Every outstanding token of a user (deactivation, password change). Their used tokens stay
    /// as they are: presenting one again is reuse anyway (its successor is revoked), and only
    /// the outstanding ones are indexed by user (`refresh_tokens_outstanding_user_id`).
    User(i64),
    /// Every outstanding token a user holds through one client (logging out of that client).
    UserAndClient(i64, String),
    /// Every token issued to a client (client disabled, deleted, or an admin).
    Client(String),
}

/// Revokes the not-yet-revoked tokens `selector` names, recording `reason`; answers how many.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    selector: &FamilySelector,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    let res = revocation(selector, now, reason).exec(db).await?;
    Ok(res.rows_affected)
}

/// The UPDATE that [`revoke`] runs.
pub(crate) fn revocation(
    selector: &FamilySelector,
    now: DateTime<Utc>,
    reason: &str,
) -> sea_orm::UpdateMany<Entity> {
    // `used_at IS NULL AND revoked_at IS NULL` is the condition of the partial index on
    // `user_id`: a query by user that does not say both cannot use it.
    let filter = match selector {
        FamilySelector::Family(family_id) => Column::FamilyId.eq(family_id.as_str()),
        FamilySelector::User(user_id) => Column::UserId.eq(*user_id).and(Column::UsedAt.is_null()),
        FamilySelector::UserAndClient(user_id, client_id) => Column::UserId
            .eq(*user_id)
            .and(Column::UsedAt.is_null())
            .and(Column::ClientId.eq(client_id.as_str())),
        FamilySelector::Client(client_id) => Column::ClientId.eq(client_id.as_str()),
    };
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::val(now))
        .col_expr(Column::RevokeReason, Expr::val(reason))
        .filter(filter)
        .filter(Column::RevokedAt.is_null())
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

#[cfg(test)]
#[path = "refresh_tokens_tests.rs"]
mod tests;
