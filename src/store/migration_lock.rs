//! Instances that start at once on one empty PostgreSQL database (two containers of one
//! deployment) migrate one after the other: the first applies the migrations, the others wait and
//! then find nothing pending. Without it both ran `CREATE TABLE` and the second failed on
//! `pg_type_typname_nsp_index` (found by `bench/cluster.sh`).

use std::sync::Arc;

use sea_orm::sqlx::{self, Connection as _, PgConnection};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};

/// The advisory-lock class of the migrations ("SEMG"); the second key is the schema's hash, so
/// servers in other schemas of one database (the test suite's) do not wait for each other.
const LOCK_CLASS: i32 = 0x5345_4d47;

/// A session-level advisory lock held on a connection of its own (PostgreSQL); nothing elsewhere.
/// Released by [`MigrationLock::release`], or by PostgreSQL when the connection ends (a process that
/// dies mid-migration does not leave it held).
pub(super) struct MigrationLock(Option<PgConnection>);

impl MigrationLock {
    /// Waits for the lock (PostgreSQL). The connection is detached from the pool, which may open a
    /// replacement, so a pool of one connection still has one to migrate with.
    pub async fn acquire(db: &DatabaseConnection) -> Result<MigrationLock, DbErr> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(MigrationLock(None));
        }
        let pool = db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(sqlx_error)?.detach();
        sqlx::query("SELECT pg_advisory_lock($1, hashtext(current_schema()))")
            .bind(LOCK_CLASS)
            .execute(&mut conn)
            .await
            .map_err(sqlx_error)?;
        Ok(MigrationLock(Some(conn)))
    }

    /// Ends the lock's session, which releases it.
    pub async fn release(self) {
        if let Some(conn) = self.0
            && let Err(err) = conn.close().await
        {
            tracing::debug!(error = %err, "closing the migration lock's connection");
        }
    }
}

fn sqlx_error(err: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)))
}
