//! Long CLI work (`migrate`, `tokens flush`, `import django`) shows its progress; with standard
//! error not a terminal (here, a pipe) as plain lines: one every few seconds while it runs
//! (pinned by `cli::progress`'s unit tests) and one when each phase ends, with the count, the time
//! and the rate.

use chrono::{Duration, Utc};
use migration::MigratorTrait as _;
use sea_orm::{ActiveValue::Set, Database, EntityTrait};
use sesame::entities::revocations;

use crate::cli::Cli;

/// The `<what>: <n> done in <time> (<rate>/s)` line of a phase, if stderr has it.
fn summary<'a>(stderr: &'a str, what: &str) -> Option<&'a str> {
    stderr
        .lines()
        .find(|line| line.starts_with(&format!("{what}: ")) && line.contains(" done in "))
}

fn stderr_of(cli: &Cli, args: &[&str]) -> String {
    let output = cli.run(args, None);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "sesame {args:?}: {stderr}");
    stderr
}

/// Rows whose `jti`s are `revoked-<n>`, all expired an hour ago.
async fn expired_revocations(cli: &Cli, count: usize) {
    let db = Database::connect(cli.database_url()).await.unwrap();
    let hour_ago = Utc::now() - Duration::hours(1);
    let rows = (0..count).map(|n| revocations::ActiveModel {
        jti: Set(format!("revoked-{n}")),
        token_type: Set("access".into()),
        expires_at: Set(hour_ago),
        revoked_at: Set(hour_ago - Duration::minutes(5)),
        reason: Set("test".into()),
        ..Default::default()
    });
    revocations::Entity::insert_many(rows)
        .exec(&db)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_work_ends_each_phase_with_a_line_off_a_terminal() {
    let cli = Cli::new();
    let stderr = stderr_of(&cli, &["migrate"]);
    let line = summary(&stderr, "applying migrations").unwrap_or_else(|| panic!("{stderr}"));
    let migrations = migration::Migrator::migrations().len();
    assert!(
        line.starts_with(&format!("applying migrations: {migrations} done in ")),
        "{line}"
    );
    assert!(line.ends_with("/s)"), "{line}");
    assert!(!stderr.contains('\u{1b}'), "no terminal codes: {stderr:?}");
    // Run again, nothing is pending: the phase still ends with its line.
    let again = stderr_of(&cli, &["migrate"]);
    assert!(again.contains("applying migrations: 0 done in "), "{again}");

    expired_revocations(&cli, 25).await;
    let stderr = stderr_of(&cli, &["tokens", "flush", "--batch", "10"]);
    assert!(
        stderr.contains("flushing revocations: 25 done in "),
        "{stderr}"
    );
    for table in ["refresh_tokens", "sessions", "authorization_codes"] {
        assert!(
            stderr.contains(&format!("flushing {table}: 0 done in ")),
            "{stderr}"
        );
    }

    crate::django_import::django_database(cli.dir.path()).await;
    let django = format!(
        "sqlite://{}",
        cli.dir.path().join("django.sqlite3").display()
    );
    let stderr = stderr_of(&cli, &["import", "django", "--database", &django]);
    assert!(stderr.contains("importing users: 4 done in "), "{stderr}");
}
