//! The listener's connection limits (issue 15), over real TCP: idle and slow connections cannot
//! stall the server, a header past `max_header_size` gets 431, idle and trickling connections are
//! closed after their timeouts, and past `max_connections` the listener waits instead of failing.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{PASSWORD, TestApp};
use sesame::config::Config;

/// The idle connections and slow partial headers the issue asks the server to shrug off.
const IDLE: usize = 2_000;
const SLOW: usize = 100;

async fn served(configure: impl FnOnce(&mut Config)) -> (TestApp, SocketAddr) {
    let app = TestApp::spawn_with(configure).await;
    let url = app.serve().await;
    let addr = url.trim_start_matches("http://").parse().unwrap();
    (app, addr)
}

/// Reads until the server closes the connection (or 5 s pass); what it sent and how long it took.
async fn read_to_close(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received));
    let _ = read
        .await
        .expect("the server closed the connection within 5 s");
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

/// Reads one response's bytes up to `until` (or fails after `within`).
async fn read_until(stream: &mut TcpStream, until: &str, within: Duration) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        while !String::from_utf8_lossy(&received).contains(until) {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "closed early: {}",
                String::from_utf8_lossy(&received)
            );
            received.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no `{until}` within {within:?}"));
    String::from_utf8_lossy(&received).into_owned()
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: sesame.test\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_and_slow_headers_do_not_stall_healthz_or_a_login() {
    // Each connection costs a descriptor at both ends: 2 x 2,100 and the rest of the test. The
    // limit is raised as `sesame serve` raises its own; below 5,000 the test is skipped (failed
    // under CI=true).
    if crate::support::environment::open_files(5_000).is_none() {
        return;
    }
    // Long timeouts: the connections must still be open when the requests are timed.
    let (app, addr) = served(|c| {
        c.keep_alive_timeout = Duration::from_secs(120);
        c.header_read_timeout = Duration::from_secs(120);
    })
    .await;
    app.user("alice").create().await;
    let client = app.client("cli").create().await;

    let mut idle = Vec::with_capacity(IDLE);
    for _ in 0..IDLE {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut slow = Vec::with_capacity(SLOW);
    for _ in 0..SLOW {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"POST /oauth/token HTTP/1.1\r\nHost: sesame.test\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    // The slow headers keep growing, a kilobyte at a time, while the others are served.
    let trickle = tokio::spawn(async move {
        loop {
            for stream in &mut slow {
                let _ = stream.write_all(&[b'a'; 1024]).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });

    let http = reqwest::Client::new();
    let started = Instant::now();
    let healthz = http
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    let healthz_took = started.elapsed();
    let started = Instant::now();
    let login = http
        .post(format!("http://{addr}/oauth/token"))
        .basic_auth(&client.0, Some(&client.1))
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let login_took = started.elapsed();
    trickle.abort();

    assert_eq!(healthz.status(), 200);
    assert!(
        healthz_took < Duration::from_secs(1),
        "/healthz took {healthz_took:?}"
    );
    assert_eq!(login.status(), 200);
    assert!(
        login_took < Duration::from_secs(1),
        "the login took {login_took:?}"
    );
    // The idle connections were served, not refused: each is still open.
    let mut probe = [0u8; 1];
    let still_open = idle[IDLE - 1].try_read(&mut probe);
    assert!(
        matches!(&still_open, Err(err) if err.kind() == std::io::ErrorKind::WouldBlock),
        "{still_open:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_past_max_header_size_gets_431_and_one_within_it_is_served() {
    let (_app, addr) = served(|_| {}).await;
    let header = |size: usize| {
        format!(
            "GET /healthz HTTP/1.1\r\nHost: sesame.test\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(size)
        )
    };

    let mut within = TcpStream::connect(addr).await.unwrap();
    within
        .write_all(header(20 * 1024).as_bytes())
        .await
        .unwrap();
    let (answer, _) = read_to_close(&mut within).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");

    let mut past = TcpStream::connect(addr).await.unwrap();
    // The server answers before reading it all; the rest of the write may fail.
    let _ = past.write_all(header(100 * 1024).as_bytes()).await;
    let (answer, _) = read_to_close(&mut past).await;
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_keep_alive_timeout() {
    let (_app, addr) = served(|c| c.keep_alive_timeout = Duration::from_millis(300)).await;

    let mut silent = TcpStream::connect(addr).await.unwrap();
    let (sent, took) = read_to_close(&mut silent).await;
    assert_eq!(sent, "", "closed without a word");
    assert!(took >= Duration::from_millis(250), "closed after {took:?}");
    assert!(took < Duration::from_secs(2), "closed after {took:?}");

    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(HEALTHZ).await.unwrap();
    let answer = read_until(&mut kept, "\r\n\r\nok", Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let (rest, took) = read_to_close(&mut kept).await;
    assert_eq!(rest, "");
    assert!(took < Duration::from_secs(2), "closed after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_header_is_cut_off_at_header_read_timeout() {
    let (_app, addr) = served(|c| {
        c.header_read_timeout = Duration::from_millis(500);
        c.keep_alive_timeout = Duration::from_secs(60);
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    // A byte every 100 ms: never idle, never done.
    let closed = loop {
        if stream.write_all(b"a").await.is_err() {
            break started.elapsed();
        }
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            Ok(Ok(n)) => {
                let answer = String::from_utf8_lossy(&buf[..n]);
                assert!(!answer.contains(" 200 "), "{answer}");
                break started.elapsed();
            }
            Ok(Err(_)) => break started.elapsed(),
            Err(_) => assert!(started.elapsed() < Duration::from_secs(3), "still open"),
        }
    };
    assert!(
        closed >= Duration::from_millis(400),
        "cut off after {closed:?}"
    );
    assert!(closed < Duration::from_secs(2), "cut off after {closed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_connections_the_listener_waits_instead_of_failing() {
    let (_app, addr) = served(|c| {
        c.max_connections = 20;
        c.keep_alive_timeout = Duration::from_secs(60);
        c.header_read_timeout = Duration::from_secs(60);
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // Connecting succeeds (the kernel's backlog), but nothing is served yet...
    let mut waiting = TcpStream::connect(addr).await.unwrap();
    waiting.write_all(HEALTHZ).await.unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), waiting.read(&mut buf)).await;
    assert!(early.is_err(), "answered past the cap: {early:?}");
    // ...until a connection closes, and then it is.
    held.pop();
    let answer = read_until(&mut waiting, "\r\n\r\nok", Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
}
