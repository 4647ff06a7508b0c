//! The `sesame` binary as an operator meets it: users, clients (`--json` for scripts), keys and
//! `tokens flush`, against a real SQLite file; then the created client gets a token.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;
use sea_orm::EntityTrait;

use crate::support::TestApp;
use sesame::entities::users;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::TempDir::new().unwrap(),
        }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
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

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        assert!(
            output.status.success(),
            "sesame {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn database_url(&self) -> String {
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
    assert!(
        cli.ok(&["user", "list"], None)
            .contains("alice\talice@example.com\tadmin\tactive")
    );
    let keys = cli.ok(&["keys", "list"], None);
    assert!(keys.contains("RS256") && keys.contains("Active"), "{keys}");
    assert!(
        cli.ok(&["tokens", "flush"], None)
            .starts_with("deleted 0 expired refresh tokens")
    );

    let url = cli.database_url();
    let keys_dir = cli.dir.path().join("keys");
    let app = TestApp::spawn_with(|c| {
        c.database_url = url.clone().into();
        c.keys_dir = keys_dir.clone();
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
        ("ÉLODIE", "+1 555 0100", "Username is already taken"),
        ("zoe", "+15550109999", "Phone is already taken"),
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
