//! The migration that adds the canonical identifier columns: on rows that collide under the rule it
//! stops, names them and changes nothing; once they are fixed it fills the columns.

use migration::{Migrator, MigratorTrait as _};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait as _, EntityTrait as _, QueryOrder as _};

use crate::on_both_databases;
use crate::support::TestApp;
use sesame::entities::users;
use sesame::store;

const CANONICAL_MIGRATION: &str = "m20261201_010001_users_canonical_identifiers";

/// A user row as the schema before the canonical columns held it.
async fn insert_legacy(
    app: &TestApp,
    id: i64,
    username: &str,
    email: Option<&str>,
    phone: Option<&str>,
) {
    let insert = Query::insert()
        .into_table(Alias::new("users"))
        .columns(
            [
                "id",
                "username",
                "email",
                "phone",
                "password_hash",
                "created_at",
                "password_changed_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            id.into(),
            username.into(),
            email.into(),
            phone.into(),
            "!".into(),
            app.now().into(),
            app.now().into(),
        ])
        .to_owned();
    app.db().execute(&insert).await.unwrap();
}

/// Rolls the schema back to just before the canonical columns.
async fn schema_before_canonical_columns(app: &TestApp) {
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let position = names.iter().position(|n| n == CANONICAL_MIGRATION).unwrap();
    let undo = u32::try_from(names.len() - position).unwrap();
    Migrator::down(app.db(), Some(undo)).await.unwrap();
}

async fn the_migration_names_legacy_rows_that_collide(app: TestApp) {
    let db = app.db();
    schema_before_canonical_columns(&app).await;
    // Rows the lower(...) indexes admitted on both databases, and one that collides with none.
    insert_legacy(
        &app,
        1,
        "straße",
        Some("ok@example.com"),
        Some("+1 (555) 010-9999"),
    )
    .await;
    insert_legacy(&app, 2, "STRASSE", None, Some("+15550109999")).await;
    insert_legacy(&app, 3, "ﬁona", None, None).await;
    insert_legacy(&app, 4, "fiona", None, None).await;
    insert_legacy(&app, 5, "Élodie", Some("Élodie@Example.fr"), None).await;

    let refused = Migrator::up(db, None).await.unwrap_err().to_string();
    insta::assert_snapshot!("migration_collisions", refused);
    let applied = Migrator::get_applied_migrations(db).await.unwrap();
    assert!(
        applied.iter().all(|m| m.name() != CANONICAL_MIGRATION),
        "nothing applied"
    );

    // Fixed as the message says, the migration fills the columns.
    db.execute_unprepared("UPDATE users SET username = 'strasse2', phone = NULL WHERE id = 2")
        .await
        .unwrap();
    db.execute_unprepared("UPDATE users SET username = 'fiona2' WHERE id = 4")
        .await
        .unwrap();
    Migrator::up(db, None).await.unwrap();
    let rows = users::Entity::find()
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
        .unwrap();
    let canonical: Vec<_> = rows
        .iter()
        .map(|u| {
            (
                u.username.as_str(),
                u.username_canonical.as_str(),
                u.email_canonical.as_deref(),
                u.phone_canonical.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        canonical,
        [
            (
                "straße",
                "strasse",
                Some("ok@example.com"),
                Some("+15550109999")
            ),
            ("strasse2", "strasse2", None, None),
            // A legacy username keeps its spelling (tokens name it); only new ones are NFKC'd.
            ("ﬁona", "fiona", None, None),
            ("fiona2", "fiona2", None, None),
            ("Élodie", "élodie", Some("élodie@example.fr"), None),
        ]
    );
    for identifier in ["STRASSE", "FIONA", "ÉLODIE@EXAMPLE.FR", "+1 555 010 9999"] {
        assert!(
            store::users::find_by_login(db, identifier)
                .await
                .unwrap()
                .is_some(),
            "{identifier}"
        );
    }
}

on_both_databases!(the_migration_names_legacy_rows_that_collide);

/// The example: SQLite's `lower()` let `Élodie` and `élodie` both in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migration_names_accounts_sqlite_folded_apart() {
    let app = TestApp::spawn().await;
    schema_before_canonical_columns(&app).await;
    insert_legacy(&app, 7, "Élodie", None, None).await;
    insert_legacy(&app, 9, "élodie", None, None).await;
    let refused = Migrator::up(app.db(), None).await.unwrap_err().to_string();
    assert!(
        refused.contains("\n  username \"élodie\": id 7 (\"Élodie\"), id 9 (\"élodie\")\n"),
        "{refused}"
    );
}
