//! A database of its own for every test: in-memory SQLite, or a schema of its own on the
//! PostgreSQL server `SESAME_TEST_DATABASE_URL` names.
//!
//! Creating, migrating and dropping a PostgreSQL schema cost ~0.5 s a test, so a process reuses
//! the schemas it made: the next test gets one emptied (rows deleted, sequences restarted), as
//! fresh as a new one. The schemas carry the process's key (`sesame_t_<key>_<n>`); the process
//! holds an advisory lock on its key while it lives, and the next run drops the schemas whose
//! key nobody holds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};

use sea_orm::sqlx::{self, Connection as _, PgConnection};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use tokio::runtime::Handle;
use url::Url;

use super::environment;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A test's database: the URL the app connects to, and the schema to give back afterwards.
pub struct TestDatabase {
    pub url: String,
    pub schema: Option<PgSchema>,
}

impl Backend {
    /// A fresh database, or `None` when this backend is skipped here.
    pub async fn provision(self) -> Option<TestDatabase> {
        match self {
            // sqlx names each in-memory database apart; the pool keeps it open.
            Backend::Sqlite => Some(TestDatabase {
                url: "sqlite::memory:".into(),
                schema: None,
            }),
            Backend::Postgres => {
                let keeper = keeper(&server_url(&environment::postgres_url()?));
                let schema = keeper.take().await;
                Some(TestDatabase {
                    url: keeper.url_for(&schema.name),
                    schema: Some(schema),
                })
            }
        }
    }
}

/// The configured URL, without TLS to a server on this machine unless it asks for it: a TLS
/// handshake costs ~100 ms of CPU per connection, most of a short test.
fn server_url(configured: &str) -> Url {
    let mut url = Url::parse(configured).unwrap_or_else(|err| {
        panic!("SESAME_TEST_DATABASE_URL is not a URL ({err}): {configured}")
    });
    let local = matches!(
        url.host_str(),
        None | Some("127.0.0.1" | "localhost" | "[::1]")
    );
    if local && !url.query_pairs().any(|(name, _)| name == "sslmode") {
        url.query_pairs_mut().append_pair("sslmode", "disable");
    }
    url
}

/// A schema lent to one test; given back to the process's pool when the test's app is dropped.
pub struct PgSchema {
    name: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Some(keeper) = KEEPER.get() {
            let name = std::mem::take(&mut self.name);
            keeper.idle.lock().unwrap().push(name);
        }
    }
}

static KEEPER: OnceLock<Keeper> = OnceLock::new();

/// This process's hold on PostgreSQL: its key and lock, a runtime that outlives every test's,
/// a connection on it, and the schemas no test is using.
struct Keeper {
    server: Url,
    key: u32,
    runtime: Handle,
    db: DatabaseConnection,
    idle: Mutex<Vec<String>>,
    made: AtomicUsize,
}

fn keeper(server: &Url) -> &'static Keeper {
    KEEPER.get_or_init(|| {
        let (ready, started) = mpsc::channel();
        let server = server.clone();
        // A runtime cannot start inside a test's runtime: the keeper's runs on a thread, for
        // as long as the process does.
        std::thread::spawn(move || keep(server, ready));
        started.recv().expect("PostgreSQL keeper")
    })
}

fn keep(server: Url, ready: mpsc::Sender<Keeper>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("keeper runtime");
    let handle = runtime.handle().clone();
    runtime.block_on(async move {
        let key = rand::random::<u32>();
        let mut lock = PgConnection::connect(server.as_str())
            .await
            .unwrap_or_else(|err| panic!("connecting to PostgreSQL at {server}: {err}"));
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(i64::from(key))
            .execute(&mut lock)
            .await
            .expect("advisory lock");
        sweep(&mut lock, key).await;
        let mut options = ConnectOptions::new(server.as_str());
        options.max_connections(2).sqlx_logging(false);
        let db = Database::connect(options).await.expect("keeper pool");
        let keeper = Keeper {
            server,
            key,
            runtime: handle,
            db,
            idle: Mutex::new(vec![]),
            made: AtomicUsize::new(0),
        };
        ready.send(keeper).expect("keeper handed over");
        // `lock` stays open, and the key locked, until the process ends.
        std::future::pending::<()>().await;
    });
}

/// Drops the schemas of processes that have ended: those whose key is not locked.
async fn sweep(lock: &mut PgConnection, own: u32) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'sesame\\_t\\_%'",
    )
    .fetch_all(&mut *lock)
    .await
    .expect("schemas");
    let key_of = |name: &str| {
        let hex = name.strip_prefix("sesame_t_")?.split('_').next()?;
        u32::from_str_radix(hex, 16).ok()
    };
    for name in names {
        let Some(key) = key_of(&name).filter(|key| *key != own) else {
            continue;
        };
        let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(i64::from(key))
            .fetch_one(&mut *lock)
            .await
            .expect("try lock");
        if free {
            let quoted = name.replace('"', "\"\"");
            let drop = format!("DROP SCHEMA IF EXISTS \"{quoted}\" CASCADE");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop.as_str()))
                .execute(&mut *lock)
                .await;
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(i64::from(key))
                .execute(&mut *lock)
                .await;
        }
    }
}

impl Keeper {
    /// Runs `sql` on the keeper's connection.
    async fn run(&self, sql: String) -> Result<(), DbErr> {
        let db = self.db.clone();
        let run = self
            .runtime
            .spawn(async move { db.execute_unprepared(&sql).await.map(drop) });
        run.await.expect("keeper task")
    }

    /// An empty schema: an idle one emptied, or a new one (the app migrates it).
    async fn take(&self) -> PgSchema {
        let idle = self.idle.lock().unwrap().pop();
        if let Some(name) = idle {
            if self.run(empty(&name)).await.is_ok() {
                return PgSchema { name };
            }
            let _ = self
                .run(format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await;
        }
        let n = self.made.fetch_add(1, Ordering::Relaxed);
        let name = format!("sesame_t_{:08x}_{n}", self.key);
        self.run(format!("CREATE SCHEMA {name}"))
            .await
            .expect("create schema");
        PgSchema { name }
    }

    /// The server's URL with `schema` first on the search path. Commits need not wait for the
    /// disk: nothing here outlives the run.
    fn url_for(&self, schema: &str) -> String {
        let mut url = self.server.clone();
        let options = format!("-c search_path={schema} -c synchronous_commit=off");
        url.query_pairs_mut().append_pair("options", &options);
        url.into()
    }
}

/// Deletes every row but the migration history and restarts every sequence. Tables go newest
/// first, so rows that refer to older tables' rows go before them.
fn empty(schema: &str) -> String {
    format!(
        "DO $$ DECLARE r record; BEGIN
           FOR r IN SELECT c.oid::regclass AS t FROM pg_class c
                    WHERE c.relnamespace = '{schema}'::regnamespace AND c.relkind = 'r'
                      AND c.relname <> 'seaql_migrations' ORDER BY c.oid DESC LOOP
             EXECUTE format('DELETE FROM %s', r.t);
           END LOOP;
           FOR r IN SELECT c.oid::regclass AS s FROM pg_class c
                    WHERE c.relnamespace = '{schema}'::regnamespace AND c.relkind = 'S' LOOP
             EXECUTE format('ALTER SEQUENCE %s RESTART', r.s);
           END LOOP;
         END $$"
    )
}
