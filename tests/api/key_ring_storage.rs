//! Issue 10: the key ring in the database, sealed under the key-encryption key. An upgrade from a
//! `keys/` directory keeps its kids and the tokens they signed; an instance with another
//! key-encryption key, or none, refuses to start and writes nothing; a malformed
//! `SESAME_KEY_ENCRYPTION_KEY` is a configuration error.

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use jsonwebtoken::{EncodingKey, Header};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::{Backend, TestApp};
use sesame::clock::SharedClock;
use sesame::entities::{key_ring, signing_keys};
use sesame::server;

const FIXTURE_KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/fixtures/keys");

/// The kids of the fixture's manifest, in order.
fn fixture_kids() -> Vec<String> {
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(Path::new(FIXTURE_KEYS).join("keyring.json")).unwrap(),
    )
    .unwrap();
    manifest["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// A token as the version before the upgrade signed it: `alg` with `key` under `kid`.
fn signed_before(
    alg: jsonwebtoken::Algorithm,
    kid: &str,
    key: &EncodingKey,
    claims: &Value,
) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

async fn an_upgrade_from_a_keys_directory_keeps_its_kids_and_their_tokens(app: TestApp) {
    let alice = app.user("alice").create().await;
    let kids = fixture_kids();
    assert_eq!(app.jwks_kids().await, kids, "JWKS kids before == after");

    let now = app.now().timestamp();
    let claims = |token_type: &str| {
        json!({
            "token_type": token_type, "exp": now + 300, "iat": now,
            "jti": format!("before-upgrade-{token_type}"), "user_id": alice.id.to_string(),
        })
    };
    let pem = std::fs::read(Path::new(FIXTURE_KEYS).join(format!("{}.pem", kids[0]))).unwrap();
    let rsa = EncodingKey::from_rsa_pem(&pem).unwrap();
    let access = signed_before(
        jsonwebtoken::Algorithm::RS256,
        &kids[0],
        &rsa,
        &claims("access"),
    );
    let refresh_key = std::fs::read(Path::new(FIXTURE_KEYS).join("refresh.key")).unwrap();
    // A refresh token needs its row: the claims of one issued now, signed as before with the
    // imported refresh.key.
    let (_, issued_now) = app.api_tokens("alice").await;
    let (header, refresh_claims) = jwt_parts(&issued_now);
    let refresh_kid = header["kid"].as_str().unwrap();
    let hmac = EncodingKey::from_secret(&refresh_key);
    let refresh = signed_before(
        jsonwebtoken::Algorithm::HS256,
        refresh_kid,
        &hmac,
        &refresh_claims,
    );
    assert_ne!(refresh, issued_now);
    for token in [&access, &refresh] {
        let verified = app
            .post("/api/token/verify/")
            .json(&json!({ "token": token }))
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
    }
    let me = app.get("/api/me/").bearer(&access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());

    let rows = signing_keys::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 2, "the RS256 key and the refresh key");
    for row in &rows {
        let clear = |needle: &[u8]| row.ciphertext.windows(needle.len()).any(|w| w == needle);
        assert!(
            !clear(b"PRIVATE KEY") && !clear(&pem[28..92]),
            "{}",
            row.kid
        );
        assert!(!clear(&refresh_key[..16]), "{}", row.kid);
    }
    let kept = std::fs::read(app.dir.path().join("keys").join(format!("{}.pem", kids[0])));
    assert_eq!(kept.unwrap(), pem, "the files stay, as a backup");
}

on_both_databases!(an_upgrade_from_a_keys_directory_keeps_its_kids_and_their_tokens);

/// Every row of the ring and its version.
async fn ring_rows(app: &TestApp) -> (Vec<signing_keys::Model>, Vec<key_ring::Model>) {
    (
        signing_keys::Entity::find().all(app.db()).await.unwrap(),
        key_ring::Entity::find().all(app.db()).await.unwrap(),
    )
}

/// What starting another instance of `app` with `kek` and an empty keys directory says.
async fn start_another(app: &TestApp, kek: Option<&str>, keys_dir: &Path) -> String {
    let mut config = app.state.config.clone();
    config.key_encryption_key = kek.map(|kek| kek.to_owned().into());
    config.keys_dir = keys_dir.to_owned();
    let refused = server::build_state(config, None, SharedClock::default())
        .await
        .map(drop)
        .expect_err("an instance that cannot open the ring must not start");
    format!("{refused:#}")
}

async fn another_key_encryption_key_refuses_to_start_and_writes_nothing(app: TestApp) {
    let before = ring_rows(&app).await;
    let empty = tempfile::tempdir().unwrap();
    let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let said = start_another(&app, Some(other), empty.path()).await;
    assert_eq!(
        said,
        format!(
            "loading the key ring: the key ring in the database cannot be opened with the \
             key-encryption key from the key_encryption_key setting: key {} does not decrypt (it \
             was sealed with another key-encryption key, or its row was altered). Use the same \
             key_encryption_key as the other instances on this database, or restore the \
             master.key that created the ring. Nothing was generated",
            fixture_kids()[0]
        )
    );
    let said = start_another(&app, None, empty.path()).await;
    assert!(
        said.contains("this instance has none: set key_encryption_key"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "restore the {}/master.key",
            empty.path().display()
        )),
        "{said}"
    );
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "no master.key made"
    );
    assert_eq!(ring_rows(&app).await, before, "nothing was written");
    assert_eq!(
        app.get("/.well-known/jwks.json").await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_key_encryption_key_refuses_to_start_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    let app = TestApp::spawn_with(|c| c.database_url = url.into()).await;
    another_key_encryption_key_refuses_to_start_and_writes_nothing(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_key_encryption_key_refuses_to_start_on_postgres() {
    if let Some(app) = TestApp::on(Backend::Postgres, |_| {}).await {
        another_key_encryption_key_refuses_to_start_and_writes_nothing(app).await;
    }
}

#[test]
fn a_malformed_key_encryption_key_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let secretish = "c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0";
    let output = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .arg("migrate")
        .current_dir(dir.path())
        .env(
            "SESAME_DATABASE_URL",
            format!("sqlite://{}/s.db?mode=rwc", dir.path().display()),
        )
        .env("SESAME_KEY_ENCRYPTION_KEY", secretish)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "configuration: key_encryption_key must be 32 random bytes in base64url (43 \
             characters of A-Z a-z 0-9 - _, e.g. from `head -c 32 /dev/urandom | basenc \
             --base64url`): it decodes to 24 bytes, not 32"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains(secretish),
        "the value is never printed: {stderr}"
    );
    let created: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(created.is_empty(), "nothing was created: {created:?}");
}
