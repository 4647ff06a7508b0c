//! Queries on `signing_keys` and `key_ring`: the sealed rows of the key ring, its version (moved
//! in the transaction of every ring write), and the lock under which an empty ring is filled.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use crate::entities::key_ring;
use crate::entities::signing_keys::{ActiveModel, Column, Entity, Model};

/// The one row of `key_ring`.
const RING_ID: i32 = 1;

/// The first key of PostgreSQL's two-key advisory lock for the ring; the second is the schema's
/// hash, so installations in separate schemas of one database do not wait on each other.
const LOCK_CLASS: i32 = 0x5345_4b52; // "SEKR"

/// Every key of the ring, retired ones included, oldest first (ties by `kid`, so every instance
/// sees one order and publishes one JWKS).
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Kid)
        .all(db)
        .await
}

/// Whether the ring has any key.
pub async fn is_empty<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    let any: Option<String> = Entity::find()
        .select_only()
        .column(Column::Kid)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(any.is_none())
}

/// Adds a key. The caller moves the version in the same transaction ([`bump_version`]).
pub async fn insert<C: ConnectionTrait>(db: &C, key: Model) -> Result<(), DbErr> {
    let row = ActiveModel {
        kid: Set(key.kid),
        alg: Set(key.alg),
        key_use: Set(key.key_use),
        created_at: Set(key.created_at),
        publishes_at: Set(key.publishes_at),
        activates_at: Set(key.activates_at),
        retired_at: Set(key.retired_at),
        nonce: Set(key.nonce),
        ciphertext: Set(key.ciphertext),
    };
    Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// Sets `retired_at` of `kid` if it is not retired yet; answers whether it changed.
pub async fn retire<C: ConnectionTrait>(
    db: &C,
    kid: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::RetiredAt, Expr::value(at))
        .filter(Column::Kid.eq(kid))
        .filter(Column::RetiredAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The ring's version: 0 before its first key.
pub async fn version<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let version: Option<i64> = key_ring::Entity::find_by_id(RING_ID)
        .select_only()
        .column(key_ring::Column::Version)
        .into_tuple()
        .one(db)
        .await?;
    Ok(version.unwrap_or(0))
}

/// Moves the version on by one (creating the row at 1); call it in the transaction that changed
/// the ring, so no instance can read the new version with the old keys.
pub async fn bump_version<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<(), DbErr> {
    let row = key_ring::ActiveModel {
        id: Set(RING_ID),
        version: Set(1),
        changed_at: Set(now),
    };
    let next = Expr::col((key_ring::Entity, key_ring::Column::Version)).add(1);
    let on_conflict = OnConflict::column(key_ring::Column::Id)
        .value(key_ring::Column::Version, next)
        .update_column(key_ring::Column::ChangedAt)
        .to_owned();
    key_ring::Entity::insert(row)
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes the ring's lock for the rest of the transaction `txn`, so that instances starting at
/// once fill an empty ring once: PostgreSQL's transaction-scoped advisory lock; on SQLite a first
/// statement that writes, which takes the database's one writer lock (a later instance waits in
/// the busy handler) before anything is read.
pub async fn lock_ring<C: ConnectionTrait>(txn: &C, now: DateTime<Utc>) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let lock =
            format!("SELECT pg_advisory_xact_lock({LOCK_CLASS}, hashtext(current_schema()))");
        txn.execute_raw(Statement::from_string(backend, lock))
            .await?;
    }
    let row = key_ring::ActiveModel {
        id: Set(RING_ID),
        version: Set(0),
        changed_at: Set(now),
    };
    let res = key_ring::Entity::insert(row)
        .on_conflict(
            OnConflict::column(key_ring::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await;
    match res {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(err) => Err(err),
    }
}
