//! `TestApp`: the state and router of one test, built the way `sesame serve` builds them, on the
//! test's own database, keys directory and clock.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::Method;
use chrono::{DateTime, Utc};
use tempfile::TempDir;
use tokio::net::TcpListener;

use sesame::clock::{Clock, SharedClock};
use sesame::config::Config;
use sesame::server::connections::{self, ConnectionLimits};
use sesame::{AppState, build_ops_router, build_router, server};

use super::database::{Backend, PgSchema, TestDatabase};
use super::requests::TestRequest;

/// The app's clock: it stands still until the test moves it, so what a test sees never depends
/// on how fast the machine is.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// One test's server: state, router, database backend, directory and clock.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub backend: Backend,
    /// The test's directory: `keys/` is in it, and room for files a test makes.
    pub dir: TempDir,
    clock: TestClock,
    // Last: the schema is dropped after the pool that uses it.
    _schema: Option<PgSchema>,
}

/// A key directory as versions before the ring moved into the database left it (one RS256 key,
/// its manifest, `refresh.key`), copied into every test's `keys/`: each app's first start imports
/// it, so every test runs the upgrade path, and none pays for generating an RSA key.
const FIXTURE_KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/fixtures/keys");

/// The key-encryption key of every test app (`key_encryption_key`): instances of one test share
/// their ring through it, as the instances of one deployment do.
pub const TEST_KEK: &str = "BsEUbI_04d4h1yGHQiOmaQBwKD01V9hjO4spBO-e9ds";

/// What a new app finds in its `keys/` directory.
#[derive(Clone, Copy)]
enum KeysDir {
    /// The fixture's key directory.
    Fixture,
    /// Nothing, as a further instance on a shared database has.
    Empty,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy key");
    }
}

/// Serves `router` on `listener` until the test's runtime ends.
/// Serves `router` on `listener` as `sesame serve` does, within `config`'s connection limits,
/// until the test's runtime ends.
fn serve_on(listener: TcpListener, router: Router, config: &Config) {
    let limits = ConnectionLimits::from_config(config);
    tokio::spawn(connections::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
}

async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, url)
}

impl TestApp {
    /// SQLite with the test settings.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// SQLite, with settings changed by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::on(Backend::Sqlite, configure)
            .await
            .expect("SQLite is always there")
    }

    /// `backend` with settings changed by `configure`, or `None` when the backend is skipped.
    pub async fn on(backend: Backend, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let database = backend.provision().await?;
        Some(TestApp::build(backend, database, KeysDir::Fixture, configure).await)
    }

    /// An app on the PostgreSQL server at `url`, which the test runs itself (see
    /// [`super::cluster::PgCluster`]), with settings changed by `configure`.
    pub async fn on_postgres_url(url: String, configure: impl FnOnce(&mut Config)) -> TestApp {
        let database = TestDatabase { url, schema: None };
        TestApp::build(Backend::Postgres, database, KeysDir::Fixture, configure).await
    }

    async fn build(
        backend: Backend,
        database: TestDatabase,
        keys: KeysDir,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let dir = TempDir::new().expect("temp dir");
        let keys_dir = dir.path().join("keys");
        match keys {
            KeysDir::Fixture => copy_dir(Path::new(FIXTURE_KEYS), &keys_dir),
            KeysDir::Empty => std::fs::create_dir(&keys_dir).expect("mkdir"),
        }
        let mut config = Config {
            issuer: "http://sesame.test".into(),
            database_url: database.url.into(),
            database_max_connections: Some(4),
            keys_dir,
            key_encryption_key: Some(TEST_KEK.to_owned().into()),
            argon2: super::passwords::TEST_COST,
            ..Config::default()
        };
        configure(&mut config);
        config.validate().expect("valid test config");
        let clock = TestClock(Arc::new(Mutex::new(Utc::now())));
        let metrics = sesame::telemetry::metrics_handle();
        let state = server::build_state(config, metrics, SharedClock::new(clock.clone()))
            .await
            .expect("state");
        TestApp {
            router: build_router(state.clone()),
            state,
            backend,
            dir,
            clock,
            _schema: database.schema,
        }
    }

    /// An app served on a real listener at 127.0.0.1:0 whose issuer is that listener's URL, as
    /// a relying party or a browser needs; `None` when the backend is skipped.
    pub async fn served(backend: Backend) -> Option<TestApp> {
        TestApp::served_with(backend, |_| {}).await
    }

    /// [`TestApp::served`] with settings changed by `configure`.
    pub async fn served_with(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let (listener, issuer) = bind().await;
        let app = TestApp::on(backend, |c| {
            c.issuer = issuer;
            configure(c);
        })
        .await?;
        serve_on(listener, app.router.clone(), &app.state.config);
        Some(app)
    }

    /// Another app on the same backend as this one, with settings changed by `configure`.
    pub async fn sibling(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::on(self.backend, configure)
            .await
            .expect("the backend of a running app is there")
    }

    /// Another instance of the same server: its own state, caches, an empty keys directory and
    /// its clock (set to this one's time), on this app's database and with its key-encryption
    /// key, as a second `sesame serve` on the same PostgreSQL database is. Only for PostgreSQL
    /// apps: an in-memory SQLite database has one process's pool.
    pub async fn instance(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        assert_eq!(
            self.backend,
            Backend::Postgres,
            "instances share a PostgreSQL database"
        );
        let database = TestDatabase {
            url: self.state.config.database_url.expose().to_owned(),
            schema: None,
        };
        let issuer = self.state.config.issuer.clone();
        let kek = self.state.config.key_encryption_key.clone();
        let app = TestApp::build(self.backend, database, KeysDir::Empty, |c| {
            c.issuer = issuer;
            c.key_encryption_key = kek;
            configure(c);
        })
        .await;
        *app.clock.0.lock().unwrap() = self.now();
        app
    }

    /// Serves the router on 127.0.0.1:0 and returns its base URL (the issuer stays as it was).
    pub async fn serve(&self) -> String {
        let (listener, url) = bind().await;
        serve_on(listener, self.router.clone(), &self.state.config);
        url
    }

    /// Serves the ops router (what `ops_listen` serves) on 127.0.0.1:0 and returns its base URL.
    pub async fn serve_ops(&self) -> String {
        let (listener, url) = bind().await;
        serve_on(
            listener,
            build_ops_router(self.state.clone()),
            &self.state.config,
        );
        url
    }

    /// `GET path` through the ops router.
    pub fn ops_get(&self, path: &str) -> TestRequest {
        TestRequest::new(build_ops_router(self.state.clone()), Method::GET, path)
    }

    /// The app's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.now()
    }

    /// Moves the app's clock on by `by`: what expires or is cached for less than that has
    /// expired by the next request.
    pub fn advance(&self, by: std::time::Duration) {
        *self.clock.0.lock().unwrap() += chrono::Duration::from_std(by).unwrap();
    }

    /// Moves the clock past `refresh_reuse_grace`: a rotated refresh token presented after this
    /// is reuse, no longer a retry.
    pub fn outlast_reuse_grace(&self) {
        self.advance(self.state.config.refresh_reuse_grace + std::time::Duration::from_secs(1));
    }

    /// The test's database (for setting up and asserting rows).
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.db
    }

    /// `GET path` through the router.
    pub fn get(&self, path: &str) -> TestRequest {
        self.request(Method::GET, path)
    }

    /// `POST path` through the router.
    pub fn post(&self, path: &str) -> TestRequest {
        self.request(Method::POST, path)
    }

    /// `method path` through the router.
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        TestRequest::new(self.router.clone(), method, path)
    }
}
