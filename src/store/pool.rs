//! The connection pool's occupancy, for the ops listener's gauges.

use sea_orm::{DatabaseConnection, DbBackend};

/// A snapshot of the pool: connections open (`size`), idle among them, and the configured ceiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolStats {
    /// Connections checked out by a query or a transaction right now.
    pub fn in_use(self) -> u32 {
        self.size.saturating_sub(self.idle)
    }
}

/// Reads the sqlx pool under `db`; `None` for a connection that has no pool (a mock, a closed one).
pub fn stats(db: &DatabaseConnection) -> Option<PoolStats> {
    // sea-orm's pool getters panic on the wrong backend, so the backend is asked first.
    let (size, idle, max) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => return None,
    };
    Some(PoolStats {
        size,
        idle: u32::try_from(idle).unwrap_or(u32::MAX),
        max,
    })
}
