//! Issue 15 item 5 at the router: any body, content type, query and `Authorization` header on
//! every route that reads one is answered with a status below 500: a clean refusal in the
//! surface's own format, never a panic or an internal error. (The parsers' own properties are
//! unit tests next to them: `*_props.rs`.)

use axum::http::Method;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::{Value, json};

use crate::support::{Backend, PASSWORD, TestApp};

/// Every route that reads a body or a query, on every surface.
const ROUTES: [(Method, &str); 20] = [
    (Method::POST, "/oauth/token"),
    (Method::POST, "/oauth/revoke"),
    (Method::POST, "/oauth/introspect"),
    (Method::POST, "/oauth/userinfo"),
    (Method::GET, "/oauth/userinfo"),
    (Method::GET, "/oauth/authorize"),
    (Method::POST, "/oauth/authorize"),
    (Method::GET, "/oauth/logout"),
    (Method::POST, "/oauth/logout"),
    (Method::GET, "/login"),
    (Method::POST, "/login"),
    (Method::POST, "/logout"),
    (Method::POST, "/api/token/"),
    (Method::POST, "/api/token/refresh/"),
    (Method::POST, "/api/token/verify/"),
    (Method::POST, "/api/token/blacklist/"),
    (Method::POST, "/api/register/"),
    (Method::GET, "/api/me/"),
    (Method::POST, "/login/"),
    (Method::POST, "/logout/"),
];

const CONTENT_TYPES: [&str; 5] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
];

/// The field names the surfaces read, so that bodies reach past "missing parameter".
const FIELDS: [&str; 12] = [
    "grant_type",
    "username",
    "password",
    "refresh",
    "token",
    "refresh_token",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "email",
    "csrf_token",
];

/// A field's value: the ones that get a request furthest (a real user and password, a grant
/// type), any text, or any other JSON type (a NaN or infinity becomes `null`).
fn leaf() -> impl Strategy<Value = Value> {
    let known = select(vec![
        json!(PASSWORD),
        json!("alice"),
        json!("password"),
        // PostgreSQL's text cannot hold U+0000: a NUL must be refused before any query.
        json!("al\u{0}ice"),
        json!([]),
        json!({}),
    ]);
    let scalar = (any::<i64>(), any::<f64>(), any::<Option<bool>>())
        .prop_map(|(i, f, b)| json!([i, f, b]))
        .prop_flat_map(|all| select(all.as_array().cloned().unwrap_or_default()));
    prop_oneof![known, scalar, ".{0,24}".prop_map(Value::String)]
}

/// A field's value, sometimes a token-shaped string (for `refresh`, `token`, ...).
fn field() -> impl Strategy<Value = Value> {
    prop_oneof![3 => leaf(), 1 => jwt_like().prop_map(Value::String)]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let fields = || proptest::collection::btree_map(select(&FIELDS[..]), field(), 0..5);
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        r#"[\[\]{}":,0-9eE.+\- a-z\\]{0,80}"#.prop_map(String::into_bytes),
        fields().prop_map(
            |f| Value::Object(f.into_iter().map(|(k, v)| (k.into(), v)).collect())
                .to_string()
                .into_bytes()
        ),
        fields().prop_map(|f| {
            let pairs = f
                .iter()
                .map(|(k, v)| (*k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)));
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
                .into_bytes()
        }),
    ]
}

/// Three base64url segments: a JOSE header with any `alg` and `kid`, any claims, any signature,
/// so tokens get past the split into the header's decoding and the key lookup.
fn jwt_like() -> impl Strategy<Value = String> {
    let segment = |json: Value| URL_SAFE_NO_PAD.encode(json.to_string());
    let alg = select(vec!["RS256", "HS256", "none", "ES256", "EdDSA", ""]);
    (alg, ".{0,12}", leaf(), leaf(), "[A-Za-z0-9_-]{0,60}").prop_map(
        move |(alg, kid, claim, exp, signature)| {
            let header = segment(json!({ "alg": alg, "kid": kid, "typ": "JWT" }));
            let claims = segment(json!({ "token_type": claim, "exp": exp, "user_id": 1 }));
            format!("{header}.{claims}.{signature}")
        },
    )
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "Basic [A-Za-z0-9+/=]{0,40}",
        "Bearer [A-Za-z0-9._-]{0,80}",
        jwt_like().prop_map(|token| format!("Bearer {token}")),
        "[ -~]{0,40}",
    ])
}

#[test]
fn any_request_on_any_route_is_answered_below_500_on_sqlite() {
    answered_below_500(Backend::Sqlite, Surface::Public);
}

#[test]
fn any_request_on_any_route_is_answered_below_500_on_postgres() {
    answered_below_500(Backend::Postgres, Surface::Public);
}

#[test]
fn any_admin_form_is_answered_below_500_on_sqlite() {
    answered_below_500(Backend::Sqlite, Surface::Admin);
}

#[test]
fn any_admin_form_is_answered_below_500_on_postgres() {
    answered_below_500(Backend::Postgres, Surface::Admin);
}

#[derive(Clone, Copy, PartialEq)]
enum Surface {
    Public,
    Admin,
}

/// The admin UI's routes that read a form or a query, in a signed-in admin session whose CSRF
/// token leads every form (so bodies reach the handlers). Key rotation is left out: each one
/// generates a key, and its form has no fields.
fn admin_routes(user_id: i64, client_id: &str) -> Vec<(Method, String)> {
    let get = |path: &str| (Method::GET, path.to_owned());
    let post = |path: String| (Method::POST, path);
    vec![
        get("/admin/users"),
        get("/admin/clients"),
        get("/admin/tokens"),
        get("/admin/audit"),
        post("/admin/users".into()),
        post(format!("/admin/users/{user_id}")),
        post(format!("/admin/users/{user_id}/password")),
        post(format!("/admin/users/{user_id}/revoke-tokens")),
        post("/admin/clients".into()),
        post(format!("/admin/clients/{client_id}")),
        post(format!("/admin/clients/{client_id}/rotate-secret")),
        post("/admin/tokens/x/revoke".into()),
        post("/admin/keys/x/retire".into()),
        post("/admin/clients/%00/rotate-secret".into()),
    ]
}

/// Runs the router under a runtime of its own: proptest's runner is synchronous.
fn answered_below_500(backend: Backend, surface: Surface) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(app) = runtime.block_on(TestApp::on(backend, |c| c.compat.vue_admin = true)) else {
        return;
    };
    let alice = runtime.block_on(app.user("alice").create());
    let (client_id, _) = runtime.block_on(app.client("web").create());
    let (routes, session) = match surface {
        Surface::Public => (
            ROUTES
                .iter()
                .map(|(m, p)| (m.clone(), (*p).to_owned()))
                .collect(),
            None,
        ),
        Surface::Admin => {
            let (_, session) = runtime.block_on(app.admin());
            (admin_routes(alice.id, &client_id), Some(session))
        }
    };
    let strategy = (
        select(routes),
        select(&CONTENT_TYPES[..]),
        body(),
        "([A-Za-z0-9_=&%.~+:/-]|%00|client_id=){0,40}",
        authorization(),
    );
    let config = ProptestConfig {
        cases: 384,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(
        &strategy,
        |((method, path), content_type, mut body, query, auth)| {
            let mut request = app.request(method, &format!("{path}?{query}"));
            if let Some(session) = &session {
                request = request.session(session);
                body.splice(0..0, format!("csrf_token={}&", session.csrf).into_bytes());
            }
            let response = runtime.block_on(async {
                request
                    .authorization(auth.as_deref())
                    .body(content_type, body)
                    .await
            });
            prop_assert!(
                response.status.as_u16() < 500,
                "{} {}",
                response.status,
                response.text()
            );
            Ok(())
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
