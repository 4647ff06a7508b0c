//! Whether the database can be reached: which failures mean "unreachable" (answered 503 with
//! `Retry-After`, RFC 9110 §15.6.4, rather than 500), the URL as logs may print it, and the outage
//! log: one line naming the database and the cause when an outage is first seen, one when it ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sqlx;
use sea_orm::{DatabaseConnection, DbErr, RuntimeErr};
use url::Url;

use crate::crypto::secrets::Secret;

/// How often an outage probe pings the database until it answers again.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// How long the probe's own TCP connect may take before it reports no answer.
const DIAGNOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether `err` means the database could not be reached (no connection within the acquire
/// timeout, a connection lost, the server shutting down or unable to open its file), as opposed
/// to a query that failed on a working database.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => match runtime {
            RuntimeErr::SqlxError(sqlx_err) => sqlx_unreachable(sqlx_err),
            _ => false,
        },
        _ => false,
    }
}

fn sqlx_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unreachable_code(&code)),
        _ => false,
    }
}

/// PostgreSQL SQLSTATE class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash
/// shutdown, cannot connect now); SQLite's primary codes 10 (`SQLITE_IOERR`, with its extended
/// codes) and 14 (`SQLITE_CANTOPEN`).
fn unreachable_code(code: &str) -> bool {
    if code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03") {
        return true;
    }
    code.parse::<u32>()
        .is_ok_and(|sqlite| matches!(sqlite & 0xff, 10 | 14))
}

/// The database URL as a log line may show it: a PostgreSQL password becomes `***`.
pub fn redacted_url(url: &str) -> String {
    match Url::parse(url) {
        // `postgres:user:pw@host` parses, with everything in its path: show the scheme only.
        Ok(parsed) if parsed.cannot_be_a_base() => format!("{}:…", parsed.scheme()),
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot have a password, which this one has.
            let _ = parsed.set_password(Some("***"));
            parsed.into()
        }
        Ok(parsed) => parsed.into(),
        Err(_) => "(an unparsable URL)".into(),
    }
}

/// Why the database at `url` cannot be reached, as far as the operating system can tell: for
/// PostgreSQL a TCP connection to its host and port (`connection refused`, `no route to host`,
/// no answer within 2 seconds), for SQLite whether the file and its directory exist. `None`
/// when that much works (the cause is then in the driver's error).
pub async fn diagnose(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    if parsed.scheme() == "sqlite" {
        return diagnose_sqlite(url);
    }
    let host = parsed.host_str().unwrap_or("localhost").to_owned();
    let port = parsed.port().unwrap_or(5432);
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(DIAGNOSE_TIMEOUT, connect).await {
        Ok(Ok(_)) => None,
        Ok(Err(err)) => Some(format!("cannot connect to {host}:{port}: {err}")),
        Err(_) => Some(format!(
            "no answer from {host}:{port} within {} s",
            DIAGNOSE_TIMEOUT.as_secs()
        )),
    }
}

fn diagnose_sqlite(url: &str) -> Option<String> {
    let path = sqlite_path(url)?;
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir.filter(|dir| !dir.is_dir()) {
        return Some(format!("the directory {} does not exist", dir.display()));
    }
    match std::fs::metadata(&path) {
        Ok(_) => match std::fs::File::open(&path) {
            Ok(_) => None,
            Err(err) => Some(format!("cannot open {}: {err}", path.display())),
        },
        Err(err) => Some(format!("{}: {err}", path.display())),
    }
}

/// The file of a `sqlite:` URL, `None` for an in-memory database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    let memory = path.is_empty() || path == ":memory:" || url.contains("mode=memory");
    (!memory).then(|| std::path::PathBuf::from(path))
}

/// The outage log of one database: [`Availability::report`] is called for every request that
/// found the database unreachable; only the first of an outage is logged, with the database and
/// the cause, and a probe then pings the database every second and logs its return.
#[derive(Clone)]
pub struct Availability(Arc<Watch>);

struct Watch {
    down: AtomicBool,
    db: DatabaseConnection,
    url: Secret,
}

impl Availability {
    pub fn new(db: DatabaseConnection, url: Secret) -> Availability {
        Availability(Arc::new(Watch {
            down: AtomicBool::new(false),
            db,
            url,
        }))
    }

    /// Whether an outage has been reported and the database has not answered since.
    pub fn is_down(&self) -> bool {
        self.0.down.load(Ordering::SeqCst)
    }

    /// Records that a request found the database unreachable because of `cause`. Answers whether
    /// this began an outage (and so was logged, and a probe started).
    pub fn report(&self, cause: &str) -> bool {
        if self.0.down.swap(true, Ordering::SeqCst) {
            return false;
        }
        let watch = Arc::clone(&self.0);
        let cause = cause.to_owned();
        tokio::spawn(async move { watch.until_back(cause).await });
        true
    }
}

impl Watch {
    async fn until_back(&self, cause: String) {
        let database = redacted_url(self.url.expose());
        let reason = diagnose(self.url.expose())
            .await
            .unwrap_or_else(|| "the server accepts TCP connections; see the error".into());
        tracing::error!(
            %database, error = %cause, %reason,
            "database unreachable: answering 503 with Retry-After until it is back"
        );
        let started = Instant::now();
        loop {
            tokio::time::sleep(PROBE_INTERVAL).await;
            if super::ping(&self.db).await.is_ok() {
                break;
            }
        }
        self.down.store(false, Ordering::SeqCst);
        tracing::info!(
            %database,
            down_for_secs = started.elapsed().as_secs(),
            "database reachable again"
        );
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_and_nothing_else() {
        assert_eq!(
            redacted_url("postgres://app:hunter2@db:5433/sesame?sslmode=require"),
            "postgres://app:***@db:5433/sesame?sslmode=require"
        );
        assert_eq!(
            redacted_url("postgres://app@db/sesame"),
            "postgres://app@db/sesame"
        );
        assert_eq!(
            redacted_url("sqlite://sesame.db?mode=rwc"),
            "sqlite://sesame.db?mode=rwc"
        );
        assert_eq!(redacted_url("postgres://a:b@[::1"), "(an unparsable URL)");
        assert_eq!(redacted_url("postgres:user:pw@@"), "postgres:…");
    }

    #[test]
    fn sqlite_paths_and_memory() {
        assert_eq!(
            sqlite_path("sqlite:///srv/s.db?mode=rwc"),
            Some("/srv/s.db".into())
        );
        assert_eq!(sqlite_path("sqlite://s.db"), Some("s.db".into()));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }

    #[test]
    fn connection_failures_are_unavailable_and_query_failures_are_not() {
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::Timeout
        )));
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let lost = DbErr::Query(RuntimeErr::SqlxError(Arc::new(sqlx::Error::Io(io))));
        assert!(is_unavailable(&lost));
        let missing = DbErr::Query(RuntimeErr::SqlxError(Arc::new(sqlx::Error::RowNotFound)));
        assert!(!is_unavailable(&missing));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
        assert!(unreachable_code("08006") && unreachable_code("57P01"));
        assert!(unreachable_code("14") && unreachable_code("522"));
        assert!(!unreachable_code("23505") && !unreachable_code("2067"));
    }

    #[tokio::test]
    async fn an_outage_is_logged_by_its_first_report_only() {
        let db = crate::store::connect("sqlite::memory:", None, Duration::from_secs(1))
            .await
            .unwrap();
        let availability = Availability::new(db, Secret::from("sqlite::memory:".to_owned()));
        assert!(!availability.is_down());
        assert!(
            availability.report("pool timed out"),
            "the first report logs"
        );
        assert!(!availability.report("pool timed out"), "the rest do not");
        assert!(availability.is_down());
    }

    #[tokio::test]
    async fn a_closed_port_is_named_with_the_os_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let why = diagnose(&format!("postgres://u@127.0.0.1:{port}/db"))
            .await
            .unwrap();
        assert!(
            why.starts_with(&format!("cannot connect to 127.0.0.1:{port}: ")),
            "{why}"
        );
        assert!(why.contains("refused"), "{why}");
    }
}
