//! The `sesame` binary's own words (issue 13): the start-up line, logs without terminal escape
//! codes when written to a file, and database mistakes explained with their cause and fix, at
//! start-up and in the CLI.

use std::fs::File;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::support::cluster::PgCluster;

/// The binary, run in `dir` with `database_url` and its stderr written to `dir/stderr.log`.
fn sesame(dir: &Path, database_url: &str, args: &[&str]) -> (Command, PathBuf) {
    let log = dir.join("stderr.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sesame"));
    command
        .args(args)
        .current_dir(dir)
        .env("SESAME_DATABASE_URL", database_url)
        .env("SESAME_KEYS_DIR", dir.join("keys"))
        .env("SESAME_LISTEN", "127.0.0.1:0")
        .env("SESAME_ISSUER", "http://sesame.test:8080")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&log).unwrap());
    (command, log)
}

/// `sesame migrate` on `database_url`: how it exited, what it wrote, and how long it took.
fn migrate(dir: &Path, database_url: &str) -> (ExitStatus, String, Duration) {
    let (mut command, log) = sesame(dir, database_url, &["migrate"]);
    let started = Instant::now();
    let status = command.status().unwrap();
    let took = started.elapsed();
    let written = std::fs::read_to_string(log).unwrap();
    assert!(!written.contains('\u{1b}'), "an escape code: {written:?}");
    (status, written, took)
}

/// Stops the server this test started, whatever happens to the test.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `sesame serve` until it logs that it started: the server, that line, and the log file.
fn serve(dir: &Path, database_url: &str) -> (Server, String, PathBuf) {
    let (mut command, log) = sesame(dir, database_url, &["serve"]);
    let server = Server(command.spawn().unwrap());
    let started = Instant::now();
    loop {
        let written = std::fs::read_to_string(&log).unwrap();
        if let Some(line) = written.lines().find(|line| line.contains("sesame started")) {
            assert!(!written.contains('\u{1b}'), "an escape code: {written:?}");
            return (server, line.to_owned(), log);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no start-up line: {written}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_start_up_line_says_version_database_address_key_and_admin_url_without_escape_codes() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());

    let (server, first, _) = serve(dir.path(), &url);
    drop(server);
    let version = format!("version=\"{}\"", env!("CARGO_PKG_VERSION"));
    for expected in [
        version.as_str(),
        &format!("database={url}"),
        "listen=127.0.0.1:",
        "key_alg=RS256",
        "kid=",
        "key_generated=true",
        "admin=http://sesame.test:8080/admin",
    ] {
        assert!(first.contains(expected), "no `{expected}` in {first}");
    }
    assert!(
        !first.contains("listen=127.0.0.1:0 "),
        "the bound port: {first}"
    );

    // Without key_encryption_key the ring is sealed with keys/master.key, made 0600 on first
    // start and read, unchanged, afterwards; no key file is written beside it.
    let master = dir.path().join("keys/master.key");
    let mode = std::fs::metadata(&master).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let kek = std::fs::read(&master).unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");

    let (_server, again, _) = serve(dir.path(), &url);
    assert!(again.contains("key_generated=false"), "{again}");
    assert_eq!(std::fs::read(&master).unwrap(), kek);
}

#[test]
fn a_missing_sqlite_file_without_mode_rwc_is_explained() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("absent.db");
    let (status, said, _) = migrate(dir.path(), &format!("sqlite://{}", path.display()));
    assert!(!status.success());
    assert!(
        said.contains(&format!(
            "the SQLite database {} does not exist",
            path.display()
        )),
        "{said}"
    );
    assert!(said.contains("add ?mode=rwc"), "{said}");
    assert!(!path.exists(), "nothing was created");
}

#[test]
fn a_missing_directory_is_explained_at_start_up_too() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("no/such/dir");
    let url = format!("sqlite://{}/s.db?mode=rwc", missing.display());
    let (status, said, _) = migrate(dir.path(), &url);
    assert!(!status.success());
    assert!(said.contains("does not exist: create it"), "{said}");
    assert!(
        said.contains(&format!("mkdir -p {}", missing.display())),
        "{said}"
    );

    let (mut serve, log) = sesame(dir.path(), &url, &["serve"]);
    assert!(!serve.status().unwrap().success());
    let said = std::fs::read_to_string(log).unwrap();
    assert!(
        said.contains(&format!("mkdir -p {}", missing.display())),
        "{said}"
    );
}

#[test]
fn an_unreachable_postgres_is_named_with_host_port_and_os_error_within_seconds() {
    let dir = TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://app:hunter2@127.0.0.1:{port}/sesame");
    let (status, said, took) = migrate(dir.path(), &url);
    assert!(!status.success());
    assert!(
        said.contains(&format!(
            "cannot reach PostgreSQL (cannot connect to 127.0.0.1:{port}: Connection refused"
        )),
        "{said}"
    );
    assert!(said.contains("check that the server is running"), "{said}");
    assert!(
        !said.contains("hunter2"),
        "the password is redacted: {said}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn an_unparsable_url_is_explained() {
    let dir = TempDir::new().unwrap();
    let (status, said, _) = migrate(dir.path(), "sesame.db");
    assert!(!status.success());
    assert!(
        said.contains("database_url `sesame.db` cannot be used: it is not a URL"),
        "{said}"
    );
    assert!(said.contains("expected sqlite://PATH?mode=rwc"), "{said}");

    let (_, said, _) = migrate(dir.path(), "mysql://root@db/sesame");
    assert!(
        said.contains("its scheme `mysql` is not supported"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_logged_once_and_its_end_once_however_many_requests_fail() {
    let Some(cluster) = PgCluster::start() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (_server, line, log) = serve(dir.path(), &cluster.url());
    let listen = line
        .split("listen=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let token = format!("http://{listen}/api/token/");
    let http = reqwest::Client::new();
    let credentials = serde_json::json!({ "username": "alice", "password": "wrong" });

    cluster.stop();
    let attempts: Vec<_> = (0..5)
        .map(|_| tokio::spawn(http.post(&token).json(&credentials).send()))
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap().unwrap().status(), 503);
    }
    cluster.resume();
    let started = Instant::now();
    let back = loop {
        let answer = http.post(&token).json(&credentials).send().await.unwrap();
        if answer.status() == 401 {
            break started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(back < Duration::from_secs(5), "back after {back:?}");
    // The outage probe pings once a second; a ping waiting on a refused port retries within 0.6 s.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let written = std::fs::read_to_string(log).unwrap();
    let count = |needle: &str| written.lines().filter(|l| l.contains(needle)).count();
    assert_eq!(count("database unreachable"), 1, "{written}");
    assert_eq!(count("database reachable again"), 1, "{written}");
    let down = written
        .lines()
        .find(|l| l.contains("database unreachable"))
        .unwrap();
    let port = cluster
        .url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        down.contains(&format!(
            "cannot connect to 127.0.0.1:{port}: Connection refused"
        )),
        "{down}"
    );
    assert_eq!(
        count(" ERROR "),
        1,
        "nothing else at error level: {written}"
    );
}
