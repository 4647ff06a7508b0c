//! Two real `sesame serve` processes on one PostgreSQL database, each with its own empty keys
//! directory and the same `SESAME_KEY_ENCRYPTION_KEY`, as two containers run them (issue 10):
//! they behave as one server. Real processes keep real time, so the propagation checks poll
//! until a deadline instead of moving a clock.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::support::Backend;

/// The same for both processes: 32 bytes, base64url.
const KEY_ENCRYPTION_KEY: &str = "c2VzYW1lLXR3by1wcm9jZXNzZXMtdGVzdC1rZXktMzI";

/// A `sesame` command on `database_url` with its own keys directory `dir/keys`.
fn sesame(dir: &Path, database_url: &str, args: &[&str], log: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sesame"));
    command
        .args(args)
        .current_dir(dir)
        .env("SESAME_DATABASE_URL", database_url)
        .env("SESAME_KEYS_DIR", dir.join("keys"))
        .env("SESAME_KEY_ENCRYPTION_KEY", KEY_ENCRYPTION_KEY)
        .env("SESAME_LISTEN", "127.0.0.1:0")
        .env("SESAME_ISSUER", "http://sesame.test")
        .env("SESAME_CACHE_TTL", "1h")
        .env("RUST_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(File::create(dir.join(log)).unwrap());
    command
}

/// One running instance: killed when dropped, whatever happens to the test.
struct Instance {
    child: Child,
    url: String,
    _dir: TempDir,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// `sesame serve` in a fresh directory, once it logged the address it listens on.
    fn start(database_url: &str) -> Instance {
        let dir = TempDir::new().unwrap();
        let child = sesame(dir.path(), database_url, &["serve"], "serve.log")
            .spawn()
            .unwrap();
        let log: PathBuf = dir.path().join("serve.log");
        let started = Instant::now();
        let url = loop {
            let written = std::fs::read_to_string(&log).unwrap();
            let listen = written
                .lines()
                .find(|line| line.contains("sesame started"))
                .and_then(|line| line.split("listen=").nth(1))
                .and_then(|rest| rest.split_whitespace().next());
            if let Some(address) = listen {
                break format!("http://{address}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{written}");
            std::thread::sleep(Duration::from_millis(50));
        };
        Instance {
            child,
            url,
            _dir: dir,
        }
    }

    /// Runs `sesame args` against the same database (from a directory of its own), feeding
    /// `stdin`; its stdout.
    fn cli(database_url: &str, args: &[&str], stdin: &str) -> String {
        use std::io::Write as _;
        let dir = TempDir::new().unwrap();
        let mut child = sesame(dir.path(), database_url, args, "cli.log")
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let log = std::fs::read_to_string(dir.path().join("cli.log")).unwrap();
        assert!(out.status.success(), "sesame {args:?}: {log}");
        String::from_utf8(out.stdout).unwrap()
    }
}

async fn jwks(client: &reqwest::Client, instance: &Instance) -> String {
    let url = format!("{}/.well-known/jwks.json", instance.url);
    client.get(url).send().await.unwrap().text().await.unwrap()
}

fn kids(jwks: &str) -> Vec<String> {
    let jwks: Value = serde_json::from_str(jwks).unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Polls `check` every 50 ms until it holds or `within` has passed; how long it took.
async fn within<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_on_one_postgres_database_are_one_server() {
    let Some(database) = Backend::Postgres.provision().await else {
        return;
    };
    let url = database.url.clone();
    let (a, b) = (Instance::start(&url), Instance::start(&url));
    let http = reqwest::Client::new();

    Instance::cli(&url, &["user", "add", "ada"], "correct horse battery\n");
    let client: Value = serde_json::from_str(&Instance::cli(
        &url,
        &[
            "client",
            "add",
            "--name",
            "app",
            "--grant",
            "password",
            "--grant",
            "refresh_token",
            "--json",
        ],
        "",
    ))
    .unwrap();
    let (id, secret) = (
        client["client_id"].as_str().unwrap().to_owned(),
        client["client_secret"].as_str().unwrap().to_owned(),
    );
    let token = |at: &Instance, form: Vec<(&'static str, String)>| {
        http.post(format!("{}/oauth/token", at.url))
            .basic_auth(&id, Some(&secret))
            .form(&form)
            .send()
    };
    let password = || {
        vec![
            ("grant_type", "password".to_owned()),
            ("username", "ada".to_owned()),
            ("password", "correct horse battery".to_owned()),
        ]
    };

    // One ring: byte-identical JWKS.
    let published = jwks(&http, &a).await;
    assert_eq!(published, jwks(&http, &b).await);

    // Tokens from each are accepted by the other, access and refresh alike.
    for (from, to) in [(&a, &b), (&b, &a)] {
        let issued: Value = token(from, password()).await.unwrap().json().await.unwrap();
        let access = issued["access_token"].as_str().unwrap();
        let me = http
            .get(format!("{}/api/me/", to.url))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200, "{}", me.text().await.unwrap());
        let refresh = issued["refresh_token"].as_str().unwrap().to_owned();
        let rotated = token(
            to,
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh),
            ],
        )
        .await
        .unwrap();
        assert_eq!(rotated.status(), 200, "{}", rotated.text().await.unwrap());
    }

    // A revocation through A is refused by B within a second, though B caches for an hour.
    let issued: Value = token(&a, password()).await.unwrap().json().await.unwrap();
    let access = issued["access_token"].as_str().unwrap().to_owned();
    let me_at_b = || {
        http.get(format!("{}/api/me/", b.url))
            .bearer_auth(&access)
            .send()
    };
    assert_eq!(
        me_at_b().await.unwrap().status(),
        200,
        "B has seen the token"
    );
    let revoked = http
        .post(format!("{}/oauth/revoke", a.url))
        .basic_auth(&id, Some(&secret))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    within(
        Duration::from_secs(1),
        "B refuses the revoked token",
        || async { me_at_b().await.unwrap().status() == 401 },
    )
    .await;

    // `sesame keys rotate` (another process) is published by both within 5 seconds.
    Instance::cli(&url, &["keys", "rotate"], "");
    let before = kids(&published);
    for instance in [&a, &b] {
        within(
            Duration::from_secs(5),
            "the rotated key is published",
            || async { kids(&jwks(&http, instance).await).len() == before.len() + 1 },
        )
        .await;
    }
    assert_eq!(jwks(&http, &a).await, jwks(&http, &b).await);
}
