//! STAND-IN for issue 4's session queries (replaced at merge).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use crate::entities::sessions::{ActiveModel, Entity, Model};

/// Records a new session.
pub async fn insert<C: ConnectionTrait>(db: &C, session: Model) -> Result<(), DbErr> {
    let row = ActiveModel {
        id: Set(session.id),
        user_id: Set(session.user_id),
        csrf_token: Set(session.csrf_token),
        created_at: Set(session.created_at),
        expires_at: Set(session.expires_at),
    };
    Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Finds a session that has not expired at `now`.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let found = Entity::find_by_id(id.to_owned()).one(db).await?;
    Ok(found.filter(|s| s.expires_at > now))
}
