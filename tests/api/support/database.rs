//! A database of its own for every test: in-memory SQLite, or a fresh schema on the PostgreSQL
//! server `SESAME_TEST_DATABASE_URL` names, dropped when the test's app is.

use sea_orm::{ConnectionTrait, Database};
use url::Url;

use super::environment;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A test's database: the URL the app connects to, and the schema to drop afterwards.
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
                let server = server_url(&environment::postgres_url()?);
                let schema = PgSchema::create(server.clone()).await;
                let url = schema.url(&server);
                Some(TestDatabase {
                    url,
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

/// A schema made for one test.
pub struct PgSchema {
    server: Url,
    name: String,
}

impl PgSchema {
    async fn create(server: Url) -> PgSchema {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(server.as_str())
            .await
            .unwrap_or_else(|err| panic!("connecting to PostgreSQL at {server}: {err}"));
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {name}"))
            .await
            .expect("create schema");
        admin.close().await.expect("close");
        PgSchema { server, name }
    }

    /// The server's URL with this schema first on the search path. Commits need not wait for
    /// the disk: nothing here outlives the test.
    fn url(&self, server: &Url) -> String {
        let mut url = server.clone();
        url.query_pairs_mut().append_pair(
            "options",
            &format!("-c search_path={} -c synchronous_commit=off", self.name),
        );
        url.into()
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let server = self.server.to_string();
        let drop_schema = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        // Dropping needs async I/O; a runtime of its own blocks no test's runtime.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(db) = Database::connect(&server).await {
                    let _ = db.execute_unprepared(&drop_schema).await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}
