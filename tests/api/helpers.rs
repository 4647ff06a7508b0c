//! `TestApp`: a real router over a real, freshly migrated database (a SQLite file in a temp dir, or
//! a fresh PostgreSQL schema when `SESAME_TEST_DATABASE_URL` is set), with builders for users and
//! clients and helpers that speak HTTP to it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

use sesame::auth::accounts::{self, NewAccount};
use sesame::auth::clients::{self, ClientKind, ClientRegistration, GrantType};
use sesame::clock::{Clock, SharedClock};
use sesame::config::Config;
use sesame::crypto::keys::{Algorithm, KeyRing};
use sesame::entities::users;
use sesame::{AppState, build_router, server};

pub const PASSWORD: &str = "correct horse battery staple";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                    super::$name(app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::try_spawn_postgres(|_| {}).await {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
}

/// A response, read whole.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The app's clock: the real time plus however far the test has moved it on.
#[derive(Clone, Default)]
pub struct TestClock(Arc<Mutex<chrono::Duration>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap()
    }
}

pub struct TestApp {
    pub state: AppState,
    pub clock: TestClock,
    pub router: Router,
    pub backend: Backend,
    pub dir: TempDir,
    pg_schema: Option<(String, String)>,
}

/// One RSA key generated per test process and copied into every test's `keys/`.
fn shared_keys() -> &'static Path {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        KeyRing::load_or_init(dir.path(), Algorithm::RS256, None, Utc::now()).expect("key ring");
        dir
    })
    .path()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy key");
    }
}

/// Said once per process, outside libtest's capture, so a run without PostgreSQL says so.
fn say_postgres_skipped() {
    static SAID: OnceLock<()> = OnceLock::new();
    SAID.get_or_init(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\nnote: PostgreSQL tests skipped: SESAME_TEST_DATABASE_URL is not set \
             (e.g. postgres://postgres@127.0.0.1:5432/test)\n"
        );
    });
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        match backend {
            Backend::Sqlite => TestApp::spawn_with(|_| {}).await,
            Backend::Postgres => TestApp::try_spawn_postgres(|_| {})
                .await
                .expect("SESAME_TEST_DATABASE_URL"),
        }
    }

    /// An app served on a real listener at 127.0.0.1:0 whose issuer is that listener's URL, as
    /// a relying party needs; `None` when the backend is PostgreSQL and none is configured.
    pub async fn try_spawn_served(backend: Backend) -> Option<TestApp> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let set_issuer = |c: &mut Config| c.issuer = issuer.clone();
        let app = match backend {
            Backend::Sqlite => TestApp::spawn_with(set_issuer).await,
            Backend::Postgres => TestApp::try_spawn_postgres(set_issuer).await?,
        };
        let router = app.router.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Some(app)
    }

    /// SQLite, with settings changed by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let dir = TempDir::new().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("sesame.db").display()
        );
        TestApp::build(dir, url, Backend::Sqlite, None, configure).await
    }

    /// PostgreSQL in a fresh schema, or `None` (and a note) when no server is configured.
    pub async fn try_spawn_postgres(configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let Ok(base) = std::env::var("SESAME_TEST_DATABASE_URL") else {
            say_postgres_skipped();
            return None;
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&base)
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create schema");
        admin.close().await.expect("close");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        let dir = TempDir::new().expect("temp dir");
        Some(TestApp::build(dir, url, Backend::Postgres, Some((base, schema)), configure).await)
    }

    async fn build(
        dir: TempDir,
        url: String,
        backend: Backend,
        pg_schema: Option<(String, String)>,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let keys_dir = dir.path().join("keys");
        copy_dir(shared_keys(), &keys_dir);
        let mut config = Config {
            issuer: "http://sesame.test".into(),
            database_url: url.into(),
            database_max_connections: Some(4),
            keys_dir,
            ..Config::default()
        };
        configure(&mut config);
        config.validate().expect("valid test config");
        let clock = TestClock::default();
        let state = server::build_state(
            config,
            sesame::telemetry::metrics_handle(),
            SharedClock::new(clock.clone()),
        )
        .await
        .expect("state");
        let router = build_router(state.clone());
        TestApp {
            state,
            clock,
            router,
            backend,
            dir,
            pg_schema,
        }
    }

    /// Moves the app's clock on by `by`: what expires or is cached for less than that has
    /// expired by the next request.
    pub fn advance(&self, by: std::time::Duration) {
        *self.clock.0.lock().unwrap() += chrono::Duration::from_std(by).unwrap();
    }

    /// Sends a request through the real router.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> TestResponse {
        let mut request = Request::builder().method(Method::GET).uri(path);
        if let Some(token) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// POSTs form parameters, with `client_secret_basic` credentials when given.
    pub async fn post_form(
        &self,
        path: &str,
        params: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> TestResponse {
        let body = form(params);
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            request = request.header(header::AUTHORIZATION, basic_auth(id, secret));
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// POSTs raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    pub fn user(&self, username: &str) -> UserBuilder<'_> {
        UserBuilder {
            app: self,
            account: NewAccount {
                username: username.into(),
                password: PASSWORD.into(),
                ..NewAccount::default()
            },
        }
    }

    pub fn client(&self, client_id: &str) -> ClientBuilder<'_> {
        ClientBuilder {
            app: self,
            registration: ClientRegistration {
                client_id: Some(client_id.into()),
                name: format!("{client_id} app"),
                kind: ClientKind::Confidential,
                redirect_uris: vec![],
                grant_types: vec![GrantType::Password, GrantType::RefreshToken],
                scopes: vec![
                    "openid".into(),
                    "profile".into(),
                    "email".into(),
                    "read".into(),
                ],
                audience: None,
                first_party: true,
            },
        }
    }

    /// Serves the router on 127.0.0.1:0 and returns its base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = self.router.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        format!("http://{addr}")
    }

    /// Runs a statement against the test's database (for asserting rows).
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.db
    }

    /// Password-grant tokens for `username` through `client`.
    pub async fn password_tokens(&self, client: &(String, String), username: &str) -> Value {
        let response = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "password"),
                    ("username", username),
                    ("password", PASSWORD),
                ],
                Some((&client.0, &client.1)),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some((base, schema)) = self.pg_schema.take() else {
            return;
        };
        // Dropping needs async I/O; do it on a runtime of its own so no test runtime is blocked.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(db) = Database::connect(&base).await {
                    let _ = db
                        .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

pub fn form(params: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

pub fn basic_auth(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

pub struct UserBuilder<'a> {
    app: &'a TestApp,
    account: NewAccount,
}

impl UserBuilder<'_> {
    pub fn password(mut self, password: &str) -> Self {
        self.account.password = password.into();
        self
    }
    pub fn email(mut self, email: &str) -> Self {
        self.account.email = Some(email.into());
        self
    }
    pub fn phone(mut self, phone: &str) -> Self {
        self.account.phone = Some(phone.into());
        self
    }
    pub fn display_name(mut self, name: &str) -> Self {
        self.account.display_name = Some(name.into());
        self
    }
    pub fn roles(mut self, roles: &[&str]) -> Self {
        self.account.roles = roles.iter().map(|r| (*r).to_owned()).collect();
        self
    }
    pub async fn create(self) -> users::Model {
        accounts::create_user(&self.app.state, self.account, Utc::now())
            .await
            .expect("create user")
    }
}

pub struct ClientBuilder<'a> {
    app: &'a TestApp,
    registration: ClientRegistration,
}

impl ClientBuilder<'_> {
    pub fn grants(mut self, grants: &[GrantType]) -> Self {
        self.registration.grant_types = grants.to_vec();
        self
    }
    pub fn public(mut self) -> Self {
        self.registration.kind = ClientKind::Public;
        self
    }
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        self.registration.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    pub fn redirect_uris(mut self, uris: &[&str]) -> Self {
        self.registration.redirect_uris = uris.iter().map(|u| (*u).to_owned()).collect();
        self
    }
    /// A third-party client: the user is asked to consent.
    pub fn third_party(mut self) -> Self {
        self.registration.first_party = false;
        self
    }
    /// Registers the client; returns `(client_id, secret)` (secret empty for public clients).
    pub async fn create(self) -> (String, String) {
        let registered = clients::register_client(&self.app.state, self.registration, Utc::now())
            .await
            .expect("register client");
        let secret = registered
            .secret
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        (registered.client_id, secret)
    }
}

/// The header and claims of a JWT, unverified (tests check signatures through real clients).
pub fn jwt_parts(token: &str) -> (Value, Value) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let mut decode = |what: &str| -> Value {
        let part = parts.next().unwrap_or_else(|| panic!("JWT without {what}"));
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    let header = decode("header");
    let claims = decode("claims");
    (header, claims)
}

// Helpers for the simplejwt surface and the compat profile (issue 3).

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL with settings changed by
/// `configure` (a `fn(&mut Config)`).
#[macro_export]
macro_rules! on_both_databases_with {
    ($configure:ident => $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn_with(super::$configure).await;
                    super::$name(app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::try_spawn_postgres(super::$configure).await {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
}

impl TestApp {
    /// Sends `method path` with extra headers and an optional body of a content type.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some((content_type, bytes)) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    /// POSTs a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        self.post_raw(path, "application/json", body.to_string().into_bytes())
            .await
    }

    /// POSTs a JSON body with extra headers.
    pub async fn post_json_with(
        &self,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let bytes = body.to_string().into_bytes();
        self.request(
            Method::POST,
            path,
            headers,
            Some(("application/json", bytes)),
        )
        .await
    }

    /// `GET path` with `Authorization: <value>` when given.
    pub async fn get_authorized(&self, path: &str, authorization: Option<&str>) -> TestResponse {
        let headers: Vec<(&str, &str)> = authorization
            .map(|v| ("authorization", v))
            .into_iter()
            .collect();
        self.request(Method::GET, path, &headers, None).await
    }

    /// `(access, refresh)` from `POST /api/token/` for `username` with the default password.
    pub async fn api_tokens(&self, username: &str) -> (String, String) {
        let response = self
            .post_json(
                "/api/token/",
                &serde_json::json!({ "username": username, "password": PASSWORD }),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let body = response.json();
        let field = |name: &str| body[name].as_str().expect("token").to_owned();
        (field("access"), field("refresh"))
    }
}

/// The exact JSON of a response body, for byte-level assertions.
pub fn body_json(response: &TestResponse) -> &str {
    std::str::from_utf8(&response.body).expect("UTF-8 body")
}
