//! `sesame import django`: a Django `auth_user` table made here, with real `pbkdf2_sha256` hashes,
//! moves in with ids and hashes kept; its users log in with their old passwords at once, and the
//! hash is upgraded to argon2id on that login.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::json;
use sha2::Sha256;

use crate::on_both_databases;
use crate::support::TestApp;
use sesame::auth::audit::Actor;
use sesame::auth::django_import::{ImportReport, TakenIds, import_django_users};
use sesame::progress::Silent;
use sesame::store;

/// Django 5.2's `auth_user` on SQLite, as `manage.py migrate` creates it.
const AUTH_USER: &str = r#"CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)"#;

/// Django's `PBKDF2PasswordHasher.encode(password, salt, iterations)`, computed here.
fn django_hash(password: &str, salt: &str, iterations: u32) -> String {
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    format!(
        "pbkdf2_sha256${iterations}${salt}${}",
        STANDARD.encode(derived)
    )
}

pub(crate) async fn django_database(dir: &std::path::Path) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rwc", dir.join("django.sqlite3").display());
    let db = Database::connect(&url).await.unwrap();
    db.execute_unprepared(AUTH_USER).await.unwrap();
    let alice = django_hash("lètmein", "seasalt", 1_000);
    // The same hash Python's hashlib.pbkdf2_hmac (Django's hasher) gives.
    assert_eq!(
        alice,
        "pbkdf2_sha256$1000$seasalt$JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A="
    );
    let admin = django_hash("adm1n-Passw0rd", "NaClNaClNaCl", 1_200);
    let inactive = django_hash("gone-Passw0rd", "pepper", 1_000);
    let rows = format!(
        "INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email, is_staff, is_active, date_joined, first_name) VALUES \
         (42, '{alice}', '2024-05-01 10:20:30.123456', 0, 'alice', 'Liddell', 'alice@example.com', 0, 1, '2020-01-02 03:04:05.000006', 'Alice'), \
         (43, '{admin}', NULL, 1, 'root', '', 'root@example.com', 1, 1, '2020-01-03 00:00:00', ''), \
         (44, '{inactive}', NULL, 0, 'gone', '', 'alice@example.com', 0, 0, '2021-01-01 00:00:00', ''), \
         (45, 'md5$salt$0123456789abcdef', NULL, 0, 'legacy', '', '', 0, 1, '2021-01-01 00:00:00', '')"
    );
    db.execute_unprepared(&rows).await.unwrap();
    db
}

/// Imports `source`'s `auth_user` table now, as the CLI would, without progress.
async fn import_auth_user(app: &TestApp, source: &DatabaseConnection) -> ImportReport {
    import_django_users(
        &app.state,
        &Actor::cli(),
        source,
        "auth_user",
        TakenIds::Skip,
        app.now(),
        &Silent,
    )
    .await
    .unwrap()
}

async fn imported_users_log_in_with_their_django_password_and_get_argon2id(app: TestApp) {
    let source = django_database(app.dir.path()).await;
    let report = import_auth_user(&app, &source).await;
    assert_eq!(report.imported, 4);
    assert_eq!(report.adjusted, [("gone".to_owned(), "email".to_owned())]);
    assert_eq!(report.unverifiable, ["legacy"]);
    let event = app
        .assert_last_event("user.import", &Actor::cli().name, "table:auth_user")
        .await;
    assert_eq!(
        event
            .details
            .as_deref()
            .map(serde_json::from_str::<serde_json::Value>)
            .unwrap()
            .unwrap(),
        json!({ "imported": 4, "skipped": 0, "renumbered": 0, "unverifiable": 1 })
    );

    let alice = store::users::find_by_id(app.db(), 42)
        .await
        .unwrap()
        .expect("id kept");
    assert_eq!(alice.username, "alice");
    assert_eq!(alice.display_name.as_deref(), Some("Alice Liddell"));
    assert!(alice.password_hash.starts_with("pbkdf2_sha256$1000$"));
    assert_eq!(
        alice.created_at,
        Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::microseconds(6)
    );
    assert_eq!(
        alice.last_login.map(|t| t.timestamp()),
        Some(
            Utc.with_ymd_and_hms(2024, 5, 1, 10, 20, 30)
                .unwrap()
                .timestamp()
        )
    );
    let root = store::users::find_by_id(app.db(), 43)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(root.roles(), ["admin"]);
    let gone = store::users::find_by_id(app.db(), 44)
        .await
        .unwrap()
        .unwrap();
    assert!(!gone.is_active);

    for identifier in ["alice", "alice@example.com"] {
        let login = app
            .post("/api/token/")
            .json(&json!({ "username": identifier, "password": "lètmein" }))
            .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    }
    let upgraded = store::users::find_by_id(app.db(), 42)
        .await
        .unwrap()
        .unwrap();
    assert!(
        upgraded.password_hash.starts_with("$argon2id$"),
        "{}",
        upgraded.password_hash
    );
    let login = app
        .post("/api/token/")
        .json(&json!({ "username": "alice", "password": "lètmein" }))
        .await;
    assert_eq!(login.status, StatusCode::OK, "the upgraded hash verifies");
    let refused = app
        .post("/api/token/")
        .json(&json!({ "username": "gone", "password": "gone-Passw0rd" }))
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // Running it again changes nothing; new users get ids after the imported ones.
    let again = import_auth_user(&app, &source).await;
    assert_eq!((again.imported, again.skipped.len()), (0, 4));
    let registered = app
        .post("/api/register/")
        .json(&json!({ "username": "newcomer", "password": "Tr0ub4dor&3xyz" }))
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text()
    );
    assert!(registered.json()["id"].as_i64().unwrap() > 45);
}

async fn a_table_name_that_is_not_plain_is_refused(app: TestApp) {
    let source = django_database(app.dir.path()).await;
    let err = import_django_users(
        &app.state,
        &Actor::cli(),
        &source,
        "auth_user; DROP TABLE x",
        TakenIds::Skip,
        app.now(),
        &Silent,
    )
    .await;
    assert!(err.is_err());
    assert_eq!(store::users::count(app.db()).await.unwrap(), 0);
}

/// Django compares usernames exactly after NFKC; Sesame also folds case. Rows that are one user
/// under Sesame's rule are skipped or lose the repeated email, as for an exact duplicate.
async fn import_compares_identifiers_by_the_same_rule(app: TestApp) {
    let elodie = app.user("ÉLODIE").create().await;
    let file = app.dir.path().join("django.sqlite3");
    let source = Database::connect(format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .unwrap();
    source.execute_unprepared(AUTH_USER).await.unwrap();
    source
        .execute_unprepared(
            "INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email, is_staff, is_active, date_joined, first_name) VALUES \
             (60, '!', NULL, 0, 'élodie', '', '', 0, 1, '2021-01-01 00:00:00', ''), \
             (61, '!', NULL, 0, 'ﬁona', '', 'Fiona@Example.com', 0, 1, '2021-01-01 00:00:00', ''), \
             (62, '!', NULL, 0, 'FIONA', '', '', 0, 1, '2021-01-01 00:00:00', ''), \
             (63, '!', NULL, 0, 'Straße', '', 'FIONA@example.COM', 0, 1, '2021-01-01 00:00:00', '')",
        )
        .await
        .unwrap();
    let report = import_auth_user(&app, &source).await;
    assert_eq!(report.imported, 2);
    let taken = |name: &str| (name.to_owned(), "the username is taken".to_owned());
    assert_eq!(report.skipped, [taken("élodie"), taken("FIONA")]);
    assert_eq!(report.adjusted, [("Straße".to_owned(), "email".to_owned())]);
    let fiona = store::users::find_by_id(app.db(), 61)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fiona.username, "fiona", "stored NFKC-normalized");
    let found = store::users::find_by_login(app.db(), "élodie")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, elodie.id);
    let strasse = store::users::find_by_login(app.db(), "STRASSE")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((strasse.id, strasse.email), (63, None));
}

/// Sesame user 42 exists before the import: Django's alice (id 42) is left out, or with
/// `TakenIds::Renumber` imported as the next free id after every other Django user.
async fn a_taken_id_is_skipped_or_renumbered_on_request(app: TestApp) {
    let holder = store::users::NewUser {
        username: "first-admin".into(),
        email: None,
        phone: None,
        password_hash: "!".into(),
        is_active: true,
        roles: Vec::new(),
        display_name: None,
        avatar_url: None,
    };
    store::users::insert_imported(app.db(), 42, holder, app.now(), None)
        .await
        .unwrap();
    let source = django_database(app.dir.path()).await;
    let import = |taken_ids| {
        let (app, source) = (&app, &source);
        async move {
            import_django_users(
                &app.state,
                &Actor::cli(),
                source,
                "auth_user",
                taken_ids,
                app.now(),
                &Silent,
            )
            .await
            .unwrap()
        }
    };
    let skipped = import(TakenIds::Skip).await;
    assert_eq!(
        skipped.skipped,
        [("alice".to_owned(), "id 42 is taken".to_owned())]
    );
    assert!(skipped.renumbered.is_empty());

    let renumbered = import(TakenIds::Renumber).await;
    assert_eq!(renumbered.imported, 1, "{renumbered:?}");
    assert_eq!(renumbered.renumbered, [("alice".to_owned(), 42, 46)]);
    let alice = store::users::find_by_username(app.db(), "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.id, 46);
    let login = app
        .post("/api/token/")
        .json(&json!({ "username": "alice", "password": "lètmein" }))
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
}

on_both_databases!(
    a_taken_id_is_skipped_or_renumbered_on_request,
    imported_users_log_in_with_their_django_password_and_get_argon2id,
    a_table_name_that_is_not_plain_is_refused,
    import_compares_identifiers_by_the_same_rule,
);
