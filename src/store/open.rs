//! Opening the database at start-up and in the CLI, with errors an operator can act on: each
//! names the cause and the fix instead of the driver's words (`code: 14 unable to open database
//! file`, `pool timed out`).

use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};
use url::Url;

use super::availability::{diagnose, redacted_url, sqlite_path};

/// Why the database could not be opened; the message says what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct OpenError {
    message: String,
    #[source]
    source: Option<DbErr>,
}

impl OpenError {
    fn new(message: String) -> OpenError {
        OpenError {
            message,
            source: None,
        }
    }
}

/// Checks `url`, then connects as [`super::connect`] does (within `acquire_timeout`).
pub async fn open(
    url: &str,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, OpenError> {
    check(url)?;
    match super::connect(url, max_connections, acquire_timeout).await {
        Ok(db) => Ok(db),
        Err(err) => Err(explain(url, err).await),
    }
}

/// What can be told before connecting: the URL parses, and a SQLite file's directory (and, unless
/// `mode=rwc` asks for it to be created, the file) exists.
fn check(url: &str) -> Result<(), OpenError> {
    let expected = "expected sqlite://PATH?mode=rwc or postgres://USER:PASSWORD@HOST:PORT/DATABASE";
    let scheme_ok = matches!(
        Url::parse(url).as_ref().map(Url::scheme),
        Ok("sqlite" | "postgres" | "postgresql")
    );
    if !scheme_ok {
        let why = match Url::parse(url) {
            Ok(parsed) => format!("its scheme `{}` is not supported", parsed.scheme()),
            Err(err) => format!("it is not a URL ({err})"),
        };
        // Shown as written unless it may hold a password.
        let shown = if url.contains('@') {
            redacted_url(url)
        } else {
            url.to_owned()
        };
        return Err(OpenError::new(format!(
            "database_url `{shown}` cannot be used: {why}; {expected}"
        )));
    }
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir.filter(|dir| !dir.is_dir()) {
        return Err(OpenError::new(format!(
            "the directory of the SQLite database {} does not exist: create it \
             (mkdir -p {}) or point database_url at another path",
            path.display(),
            dir.display()
        )));
    }
    if !path.exists() && !creates(url) {
        return Err(OpenError::new(format!(
            "the SQLite database {} does not exist, and database_url does not ask for it to be \
             created: add ?mode=rwc (database_url = \"sqlite://{}?mode=rwc\") to create it, or \
             fix the path",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

fn creates(url: &str) -> bool {
    url.split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|pair| pair == "mode=rwc"))
}

/// The failure of a connection attempt, with what the operating system says about the address.
async fn explain(url: &str, err: DbErr) -> OpenError {
    let database = redacted_url(url);
    let message = match (sqlite_path(url), diagnose(url).await) {
        (Some(path), reason) => format!(
            "cannot open the SQLite database {}: {}; check that this user may read and write \
             it and its directory",
            path.display(),
            reason.unwrap_or_else(|| err.to_string())
        ),
        (None, Some(reason)) => format!(
            "cannot reach PostgreSQL ({reason}); check that the server is running and listens \
             there, and database_url (`{database}`)"
        ),
        (None, None) => format!(
            "PostgreSQL at `{database}` refused the connection: {err}; check the user, password \
             and database name in database_url"
        ),
    };
    OpenError {
        message,
        source: Some(err),
    }
}
