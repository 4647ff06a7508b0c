//! `sesame import django`: users from a Django `auth_user` table.

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::auth::audit::Actor;
use crate::auth::django_import::{self, TakenIds};
use crate::cli::progress::Reporter;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Move users in from a Django database's `auth_user` table, keeping ids and password
    /// hashes (pbkdf2_sha256 hashes are upgraded to argon2id at each user's next login).
    Django {
        /// The Django database: `sqlite:///path/db.sqlite3?mode=ro` or `postgres://...`.
        #[arg(long)]
        database: String,
        /// The user table (a custom user model's, e.g. `accounts_user`).
        #[arg(long, default_value = "auth_user")]
        table: String,
        /// Give a Django user whose id a Sesame user holds the next free id (printed), instead
        /// of leaving them out. Resource servers that stored `user_id` will not know them by it.
        #[arg(long)]
        renumber: bool,
    },
}

pub(super) async fn import_django(
    state: &AppState,
    database: &str,
    table: &str,
    renumber: bool,
) -> anyhow::Result<()> {
    // Not store::connect: that would switch a Django SQLite file to WAL mode.
    let mut options = sea_orm::ConnectOptions::new(database);
    options.sqlx_logging(false).max_connections(1);
    let source = sea_orm::Database::connect(options)
        .await
        .context("connecting to the Django database")?;
    let progress = Reporter::for_stderr();
    let (actor, now) = (Actor::cli(), state.now());
    let taken = if renumber {
        TakenIds::Renumber
    } else {
        TakenIds::Skip
    };
    let report =
        django_import::import_django_users(state, &actor, &source, table, taken, now, &progress)
            .await?;
    for (username, why) in &report.skipped {
        eprintln!("skipped {username}: {why}");
    }
    for (username, what) in &report.adjusted {
        eprintln!("imported {username} without its {what}, which another user holds");
    }
    for (username, django_id, id) in &report.renumbered {
        eprintln!("imported {username} as id {id}: Django id {django_id} is taken");
    }
    for username in &report.unverifiable {
        eprintln!("imported {username}, whose password hash Sesame cannot verify: reset it");
    }
    println!(
        "imported {} users, skipped {}",
        report.imported,
        report.skipped.len()
    );
    if !report.skipped.is_empty() {
        // A skipped user is a person who cannot log in: that must not look like success.
        bail!(
            "{} users were not imported (above). Users already in Sesame keep their ids; to keep \
             every Django id, import into an empty database first: point database_url at a new \
             file, run `sesame migrate`, then `sesame import django` before creating anyone; or \
             run it again with --renumber to give them new ids",
            report.skipped.len()
        );
    }
    Ok(())
}
