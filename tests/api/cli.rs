//! The `sesame` binary as an operator meets it: users, clients (`--json` for scripts), keys and
//! `tokens flush`, against a real SQLite file; then the created client gets a token.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;
use sea_orm::{Database, EntityTrait, QueryOrder};

use crate::support::TestApp;
use sesame::auth::accounts::{Origin, Surface};
use sesame::auth::clients::Client;
use sesame::auth::grant::{self, TokenRequest};
use sesame::entities::{audit_events, refresh_tokens, users};

pub(crate) struct Cli {
    pub(crate) dir: tempfile::TempDir,
}

impl Cli {
    pub(crate) fn new() -> Cli {
        Cli {
            dir: tempfile::TempDir::new().unwrap(),
        }
    }

    pub(crate) fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sesame"))
            .args(args)
            .current_dir(self.dir.path())
            .env("SESAME_DATABASE_URL", self.database_url())
            .env("SESAME_KEYS_DIR", self.dir.path().join("keys"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    }

    pub(crate) fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        assert!(
            output.status.success(),
            "sesame {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub(crate) fn database_url(&self) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            self.dir.path().join("sesame.db").display()
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_commands_create_what_the_token_endpoint_accepts() {
    let cli = Cli::new();
    assert!(cli.ok(&["migrate"], None).contains("migrations applied"));
    cli.ok(
        &[
            "user",
            "add",
            "alice",
            "--email",
            "alice@example.com",
            "--admin",
        ],
        Some("s3cret-password\n"),
    );
    let created = cli.ok(
        &[
            "client",
            "add",
            "--name",
            "Demo",
            "--client-id",
            "demo",
            "--grant",
            "password",
            "--grant",
            "refresh_token",
            "--json",
        ],
        None,
    );
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    assert_eq!(created["client_id"], "demo");
    let first_secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(first_secret.len(), 43, "256 bits, base64url");

    let rotated: serde_json::Value =
        serde_json::from_str(&cli.ok(&["client", "rotate-secret", "demo", "--json"], None))
            .unwrap();
    let secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(secret, first_secret);
    assert!(
        cli.ok(&["client", "list"], None)
            .contains("demo\tDemo\tconfidential")
    );
    // A native app's private-use scheme (RFC 8252 §7.1): public clients only, as in the admin UI.
    let native = [
        "client",
        "add",
        "--name",
        "Phone",
        "--client-id",
        "phone",
        "--redirect-uri",
        "com.example.app:/callback",
        "--json",
    ];
    let refused = cli.run(&native, None);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("private-use schemes are for public clients"),
        "{stderr}"
    );
    let public: Vec<&str> = native.iter().copied().chain(["--public"]).collect();
    let created: serde_json::Value = serde_json::from_str(&cli.ok(&public, None)).unwrap();
    assert_eq!(created["client_secret"], serde_json::Value::Null);
    assert!(
        cli.ok(&["client", "list"], None)
            .contains("phone\tPhone\tpublic")
    );
    assert!(
        cli.ok(&["user", "list"], None)
            .contains("alice\talice@example.com\tadmin\tactive")
    );
    let keys = cli.ok(&["keys", "list"], None);
    assert!(keys.contains("RS256") && keys.contains("Active"), "{keys}");
    assert_eq!(
        cli.ok(&["tokens", "flush"], None),
        "deleted 0 expired refresh tokens and 0 expired revocations\n\
         deleted 0 expired sessions, 0 old authorization codes and 0 old login attempts\n"
    );

    let url = cli.database_url();
    let keys_dir = cli.dir.path().join("keys");
    let app = TestApp::spawn_with(|c| {
        c.database_url = url.clone().into();
        c.keys_dir = keys_dir.clone();
        // The ring `migrate` made is sealed with the master.key it created there.
        c.key_encryption_key = None;
    })
    .await;
    let token = |secret: String| {
        let app = &app;
        async move {
            app.post("/oauth/token")
                .form(&[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "s3cret-password"),
                ])
                .basic("demo", &secret)
                .await
        }
    };
    assert_eq!(token(secret).await.status, StatusCode::OK);
    assert_eq!(token(first_secret).await.status, StatusCode::UNAUTHORIZED);

    // A pair granted two days ago (on the built-in `/api/` client): its refresh token has
    // expired, and the flush says it deleted it; the one just issued stays.
    let two_days_ago = app.now() - chrono::Duration::days(2);
    let request = TokenRequest::Password {
        username: "alice".into(),
        password: "s3cret-password".into(),
        scope: None,
    };
    let origin = Origin::new(Surface::Api, None);
    let client = Client::builtin_api();
    grant::grant_tokens(&app.state, &client, request, origin, two_days_ago)
        .await
        .unwrap();
    assert_eq!(
        cli.ok(&["tokens", "flush", "--batch", "1"], None),
        "deleted 1 expired refresh tokens and 0 expired revocations\n\
         deleted 0 expired sessions, 0 old authorization codes and 0 old login attempts\n"
    );
    let left = refresh_tokens::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].client_id, "demo");

    cli.ok(&["user", "deactivate", "alice"], None);
    let alice = users::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert!(!alice.is_active);
}

#[test]
fn unknown_settings_and_bad_input_fail_with_a_message() {
    let cli = Cli::new();
    std::fs::write(
        cli.dir.path().join("sesame.toml"),
        "acess_token_lifetime = \"5m\"\n",
    )
    .unwrap();
    let output = cli.run(&["migrate"], None);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("acess_token_lifetime"));
    std::fs::remove_file(cli.dir.path().join("sesame.toml")).unwrap();
    cli.ok(&["migrate"], None);
    let empty_password = cli.run(&["user", "add", "bob"], Some("\n"));
    assert!(!empty_password.status.success());
    let unknown_grant = cli.run(&["client", "add", "--name", "x", "--grant", "magic"], None);
    assert!(!unknown_grant.status.success());
    assert!(String::from_utf8_lossy(&unknown_grant.stderr).contains("unknown grant `magic`"));
}

#[test]
fn user_commands_name_users_by_the_canonical_rule() {
    let cli = Cli::new();
    cli.ok(&["migrate"], None);
    cli.ok(
        &["user", "add", "Élodie", "--phone", "+1 (555) 010-9999"],
        Some("s3cret-password\n"),
    );
    let duplicates = [
        (
            "ÉLODIE",
            "+1 555 0100",
            "username: already belongs to another user",
        ),
        (
            "zoe",
            "+15550109999",
            "phone: already belongs to another user",
        ),
    ];
    for (username, phone, message) in duplicates {
        let duplicate = cli.run(
            &["user", "add", username, "--phone", phone],
            Some("s3cret-password\n"),
        );
        assert!(!duplicate.status.success(), "{username}");
        assert!(
            String::from_utf8_lossy(&duplicate.stderr).contains(message),
            "{}",
            String::from_utf8_lossy(&duplicate.stderr)
        );
    }
    assert!(
        cli.ok(&["user", "deactivate", "élodie"], None)
            .contains("deactivated élodie")
    );
    let listed = cli.ok(&["user", "list"], None);
    assert!(
        listed.contains("\tÉlodie\t") && listed.contains("inactive"),
        "{listed}"
    );
    assert!(!listed.contains("zoe"), "{listed}");
}

#[test]
fn a_flush_batch_below_one_is_refused_before_anything_runs() {
    let cli = Cli::new();
    let output = cli.run(&["tokens", "flush", "--batch", "0"], None);
    assert_eq!(output.status.code(), Some(2), "clap's usage error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--batch"), "{stderr}");
    assert!(stderr.contains("0 is not in 1.."), "{stderr}");
    assert!(
        !cli.dir.path().join("sesame.db").exists(),
        "nothing was opened"
    );
}

impl Cli {
    /// A run that must fail; answers its standard error.
    fn refused(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!output.status.success(), "{args:?} succeeded: {stderr}");
        stderr
    }

    /// `(action, actor, target)` of every audit event, oldest first.
    async fn audit_trail(&self) -> Vec<(String, String, Option<String>)> {
        let db = Database::connect(self.database_url()).await.unwrap();
        let events = audit_events::Entity::find()
            .order_by_asc(audit_events::Column::Id)
            .all(&db)
            .await
            .unwrap();
        events
            .into_iter()
            .map(|e| (e.action, e.actor, e.target))
            .collect()
    }
}

#[test]
fn operator_commands_in_an_empty_directory_create_nothing() {
    let cli = Cli::new();
    for args in [
        &["user", "list"][..],
        &["client", "list"],
        &["keys", "list"],
        &["tokens", "flush"],
    ] {
        let stderr = cli.refused(args, None);
        assert!(stderr.contains("database: sqlite://"), "{stderr}");
        assert!(stderr.contains("there is no database at"), "{stderr}");
        assert!(stderr.contains("sesame migrate"), "{stderr}");
    }
    let created: Vec<_> = std::fs::read_dir(cli.dir.path()).unwrap().collect();
    assert!(created.is_empty(), "{created:?}");
}

#[test]
fn a_named_settings_file_must_exist() {
    let cli = Cli::new();
    let stderr = cli.refused(&["--config", "nope.toml", "migrate"], None);
    assert!(
        stderr.contains("the settings file nope.toml does not exist"),
        "{stderr}"
    );
    assert!(!cli.dir.path().join("sesame.db").exists());
}

#[test]
fn the_cli_applies_the_admin_rules() {
    let cli = Cli::new();
    let migrated = cli.ok(&["migrate"], None);
    assert!(migrated.contains("signing key "), "{migrated}");
    let short = cli.refused(&["user", "add", "bob"], Some("short\n"));
    assert!(short.contains("password:"), "{short}");
    let spaced = cli.refused(&["user", "add", "george smith"], Some("s3cret-password\n"));
    assert!(spaced.contains("username:"), "{spaced}");
    let no_redirect = cli.refused(&["client", "add", "--name", "y"], None);
    assert!(
        no_redirect.contains("the authorization-code grant needs at least one redirect URI"),
        "{no_redirect}"
    );
    let plain_http = cli.refused(
        &[
            "client",
            "add",
            "--name",
            "y",
            "--redirect-uri",
            "http://example.com/cb",
        ],
        None,
    );
    assert!(plain_http.contains("redirect_uris:"), "{plain_http}");
    let script_logo = cli.refused(
        &[
            "client",
            "add",
            "--name",
            "y",
            "--grant",
            "client_credentials",
            "--logo-uri",
            "javascript:alert(1)",
        ],
        None,
    );
    assert!(
        script_logo.contains("logo_uri: an https URL"),
        "{script_logo}"
    );
    let users = cli.ok(&["user", "list"], None);
    assert!(users.is_empty(), "{users}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cli_change_is_in_the_audit_trail_with_the_operator_as_actor() {
    let cli = Cli::new();
    cli.ok(&["migrate"], None);
    cli.ok(&["user", "add", "carol"], Some("s3cret-password\n"));
    cli.ok(&["user", "grant", "carol", "--role", "staff"], None);
    cli.ok(&["user", "passwd", "carol"], Some("an0ther-password\n"));
    let client = cli.ok(
        &[
            "client",
            "add",
            "--name",
            "Svc",
            "--client-id",
            "svc",
            "--grant",
            "client_credentials",
            "--json",
        ],
        None,
    );
    assert!(client.contains("\"client_id\":\"svc\""), "{client}");
    cli.ok(&["client", "rotate-secret", "svc"], None);
    cli.ok(&["keys", "rotate"], None);
    cli.ok(&["user", "deactivate", "carol"], None);

    let trail = cli.audit_trail().await;
    let actions: Vec<&str> = trail.iter().map(|(action, _, _)| action.as_str()).collect();
    assert_eq!(
        actions,
        // No token.revoke: carol never had a token to revoke.
        [
            "user.create",
            "user.update",
            "user.reset_password",
            "client.create",
            "client.rotate_secret",
            "key.rotate",
            "user.update",
        ]
    );
    for (action, actor, _) in &trail {
        assert!(
            actor == "cli" || actor.starts_with("cli:"),
            "{action} by {actor}"
        );
    }
    assert_eq!(trail[0].2.as_deref(), Some("user:1"));
    assert_eq!(trail[3].2.as_deref(), Some("client:svc"));
}

#[test]
fn keys_rotate_keeps_the_servers_algorithm_unless_told_to_change_it() {
    let cli = Cli::new();
    cli.ok(&["migrate"], None);
    let refused = cli.refused(&["keys", "rotate", "--alg", "ES256"], None);
    assert!(refused.contains("the server signs with RS256"), "{refused}");
    assert!(refused.contains("--change-algorithm"), "{refused}");
    assert_eq!(cli.ok(&["keys", "list"], None).lines().count(), 1);

    let same = cli.ok(&["keys", "rotate", "--alg", "RS256"], None);
    assert!(same.starts_with("published RS256 key "), "{same}");
    let switched = cli.ok(
        &["keys", "rotate", "--alg", "ES256", "--change-algorithm"],
        None,
    );
    assert!(switched.starts_with("published ES256 key "), "{switched}");
    assert!(
        switched.contains("tokens are signed with ES256, not RS256"),
        "{switched}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_that_skips_anyone_exits_non_zero_and_says_how_to_keep_every_id() {
    let cli = Cli::new();
    cli.ok(&["migrate"], None);
    crate::django_import::django_database(cli.dir.path()).await;
    let django = format!(
        "sqlite://{}",
        cli.dir.path().join("django.sqlite3").display()
    );
    let first = cli.ok(&["import", "django", "--database", &django], None);
    assert!(first.contains("imported 4 users, skipped 0"), "{first}");
    let again = cli.run(&["import", "django", "--database", &django], None);
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("4 users were not imported"), "{stderr}");
    assert!(
        stderr.contains("import into an empty database first"),
        "{stderr}"
    );
}

#[test]
fn completions_and_the_man_page_are_generated() {
    let cli = Cli::new();
    let bash = cli.ok(&["completions", "bash"], None);
    assert!(
        bash.contains("_sesame()"),
        "{}",
        &bash[..bash.len().min(200)]
    );
    assert!(bash.contains("rotate-secret"));
    let man = cli.ok(&["man"], None);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH sesame"),
        "{}",
        &man[..man.len().min(200)]
    );
}
