//! The skip policy, in one place. A test that needs PostgreSQL or Chromium and does not find it
//! says so once per process, with how to enable it, and passes; with `CI=true` in the
//! environment the same message is a failure, so a green CI run has run everything.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Where the PostgreSQL tests connect, e.g. `postgres://postgres@127.0.0.1:5432/test`.
const POSTGRES_URL: &str = "SESAME_TEST_DATABASE_URL";

const INSTALL_CHROMIUM: &str = "apt-get update && apt-get install -y chromium chromium-driver";

/// The programs the browser tests drive.
#[derive(Clone, Debug)]
pub struct Chromium {
    pub browser: PathBuf,
    pub driver: PathBuf,
}

/// The base URL of the PostgreSQL server the tests may use, or `None` (after the note).
pub fn postgres_url() -> Option<String> {
    static SAID: OnceLock<()> = OnceLock::new();
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => missing(
            &SAID,
            &format!(
                "PostgreSQL tests: {POSTGRES_URL} is not set; set it to run them, e.g. \
                 {POSTGRES_URL}=postgres://postgres@127.0.0.1:5432/test"
            ),
        ),
    }
}

/// The directory holding PostgreSQL's `initdb` and `pg_ctl` (the newest of
/// `/usr/lib/postgresql/*/bin`), for tests that start and stop a server of their own; or `None`
/// (after the note).
pub fn postgres_server_binaries() -> Option<PathBuf> {
    static SAID: OnceLock<()> = OnceLock::new();
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|version| version.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .max();
    match newest {
        Some(bin) => Some(bin),
        None => missing(
            &SAID,
            "database outage tests: no initdb and pg_ctl under /usr/lib/postgresql/*/bin; \
             apt-get update && apt-get install -y postgresql",
        ),
    }
}

/// Raises this process's open-file limit to its hard limit; `None` (after the note) when that
/// is below `needed`, as in a container started with a low `ulimit -Hn`.
pub fn open_files(needed: u64) -> Option<u64> {
    static SAID: OnceLock<()> = OnceLock::new();
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) if files >= needed => Some(files),
        Ok(files) => missing(
            &SAID,
            &format!(
                "connection-limit tests: they need {needed} open files and the hard limit is \
                 {files}; raise it (ulimit -Hn {needed}, or the container's nofile limit)"
            ),
        ),
        Err(err) => missing(
            &SAID,
            &format!("connection-limit tests: the open-file limit cannot be raised: {err}"),
        ),
    }
}

/// Chromium and chromedriver, or `None` (after the note).
pub fn chromium() -> Option<Chromium> {
    static SAID: OnceLock<()> = OnceLock::new();
    match (find("chromium"), find("chromedriver")) {
        (Some(browser), Some(driver)) => Some(Chromium { browser, driver }),
        _ => missing(
            &SAID,
            &format!("browser tests: chromium or chromedriver not found; {INSTALL_CHROMIUM}"),
        ),
    }
}

fn find(program: &str) -> Option<PathBuf> {
    ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"]
        .iter()
        .map(|dir| PathBuf::from(dir).join(program))
        .find(|path| path.exists())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Fails under `CI=true`; elsewhere writes the note once, past libtest's capture (so a
/// plain `cargo test` shows it), and skips.
fn missing<T>(said: &OnceLock<()>, what: &str) -> Option<T> {
    assert!(!in_ci(), "{what} (CI=true: a missing requirement fails)");
    said.get_or_init(|| {
        let _ = writeln!(std::io::stderr(), "\nnote: skipped {what}\n");
    });
    None
}
