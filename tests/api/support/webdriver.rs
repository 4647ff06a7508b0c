//! One headless Chromium per test process, driven over WebDriver (chromedriver) with
//! fantoccini. It starts on first use; every browser test takes a turn with it, and it ends
//! with the process, however the process ends. The steps the tests repeat (go to, fill, click
//! and wait for the next page, screenshot to `target/screenshots/`) are [`Browser`]'s methods.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::sync::{Mutex, MutexGuard};

use super::environment::{self, Chromium};

/// The window every turn starts with.
const WINDOW: (u32, u32) = (1200, 900);

/// The process's browser: the runtime its WebDriver session runs on, and the chromedriver
/// watchdog, whose stdin closes when this process ends.
struct Shared {
    client: Client,
    _runtime: tokio::runtime::Runtime,
    _watchdog: (Child, ChildStdin),
    _profile: tempfile::TempDir,
}

/// Held by a browser test for its whole run: one window, one test at a time.
static TURN: Mutex<()> = Mutex::const_new(());

/// A browser test's turn with the browser.
pub struct Browser {
    client: Client,
    _turn: MutexGuard<'static, ()>,
}

/// Waits for the browser's turn and starts it clean: no cookies, the default window. `None`
/// (after a note) where Chromium is not installed.
pub async fn browser() -> Option<Browser> {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    take_turn(&SHARED, None).await
}

/// A second browser whose user prefers Simplified Chinese: its UI language (`--lang`) and the
/// `Accept-Language` it sends (the `intl.accept_languages` preference) are `zh-CN`.
pub async fn chinese_browser() -> Option<Browser> {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    take_turn(&SHARED, Some("zh-CN")).await
}

async fn take_turn(
    shared: &'static OnceLock<Shared>,
    lang: Option<&'static str>,
) -> Option<Browser> {
    let chromium = environment::chromium()?;
    let turn = TURN.lock().await;
    // A runtime cannot start inside a test's runtime: the browser's starts on a thread.
    let shared = shared.get_or_init(|| {
        std::thread::spawn(move || launch(&chromium, lang))
            .join()
            .expect("browser start")
    });
    let browser = Browser {
        client: shared.client.clone(),
        _turn: turn,
    };
    browser.client.delete_all_cookies().await.ok();
    browser.resize(WINDOW.0, WINDOW.1).await;
    Some(browser)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts chromedriver in its own process group under a shell that kills the group once our end
/// of its stdin closes, that is, when this test process exits however it exits.
fn start_chromedriver(driver: &PathBuf, port: u16) -> (Child, ChildStdin) {
    // `kill -TERM -PGID`: dash has no `--`. The group is the shell's own, made by `setsid`.
    let script = r#""$0" --port="$1" --silent </dev/null & read _; kill -TERM -$$"#;
    let mut child = Command::new("setsid")
        .args(["sh", "-c", script])
        .arg(driver)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("starting chromedriver: {err}"));
    let stdin = child.stdin.take().expect("piped stdin");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, stdin)
}

fn launch(chromium: &Chromium, lang: Option<&str>) -> Shared {
    let port = free_port();
    let watchdog = start_chromedriver(&chromium.driver, port);
    let profile = tempfile::tempdir().expect("profile dir");
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--hide-scrollbars".to_owned(),
        format!("--window-size={},{}", WINDOW.0, WINDOW.1),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    if let Some(lang) = lang {
        args.push(format!("--lang={lang}"));
    }
    let mut options = json!({ "binary": chromium.browser, "args": args });
    if let Some(lang) = lang {
        options["prefs"] = json!({ "intl.accept_languages": lang });
    }
    let capabilities = serde_json::Map::from_iter([("goog:chromeOptions".to_owned(), options)]);
    let runtime = tokio::runtime::Runtime::new().expect("browser runtime");
    let client = runtime
        .block_on(async {
            // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
        })
        .unwrap_or_else(|err| panic!("starting headless Chromium: {err}"));
    Shared {
        client,
        _runtime: runtime,
        _watchdog: watchdog,
        _profile: profile,
    }
}

/// `target/screenshots/`, beside the directory cargo gives integration tests.
fn screenshots_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().expect("target dir").join("screenshots")
}

impl Browser {
    /// The WebDriver client, for what the steps below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Loads `url` and waits for the page.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|err| panic!("going to {url}: {err}"));
    }

    /// The URL the browser is at.
    pub async fn url(&self) -> url::Url {
        self.client.current_url().await.expect("current URL")
    }

    /// The current page's HTML.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// The element `css` selects on the current page.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(err) => panic!("no {css} ({err}) on:\n{}", self.source().await),
        }
    }

    /// Whether `css` selects anything on the current page.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// The text of the element `css` selects.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// The current value of the form field `css` selects.
    pub async fn value(&self, css: &str) -> Option<String> {
        self.find(css).await.prop("value").await.expect("value")
    }

    /// Types `text` into the field `css` selects, after what it holds.
    pub async fn fill(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("typing");
    }

    /// Empties the field `css` selects and types `text` into it.
    pub async fn replace(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clearing");
        field.send_keys(text).await.expect("typing");
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks `css` and waits for what the next page shows at `then`: a click that submits a
    /// form or follows a link returns before the next page is there.
    pub async fn click_and_wait(&self, css: &str, then: &str) -> Element {
        self.click(css).await;
        self.wait_for(then).await
    }

    /// Follows the link with `text` and waits for `then` on the page it leads to.
    pub async fn follow(&self, text: &str, then: &str) -> Element {
        let link = self.client.find(Locator::LinkText(text)).await;
        link.unwrap_or_else(|err| panic!("no link {text}: {err}"))
            .click()
            .await
            .expect("click");
        self.wait_for(then).await
    }

    /// Waits for `css` to select something; the page, if it never does.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self.client.wait().for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(err) => panic!("{css} never appeared ({err}) on:\n{}", self.source().await),
        }
    }

    /// Fills the login form and submits it.
    pub async fn log_in(&self, username: &str, password: &str) {
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("button[type=submit]").await;
    }

    /// Waits until the browser has left `origin` (the last redirect of a flow); its URL then.
    pub async fn wait_to_leave(&self, origin: &str) -> String {
        let started = Instant::now();
        loop {
            let url = self.url().await.to_string();
            if !url.starts_with(origin) {
                return url;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "still at {url}: {}",
                self.source().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sets the window size, in CSS pixels.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("window size");
    }

    /// The page's width and the viewport's, in CSS pixels: `(scrollWidth, innerWidth)`. The
    /// page is wider than the screen (it scrolls sideways) when the first is the larger.
    pub async fn widths(&self) -> (u64, u64) {
        let script = "return [document.documentElement.scrollWidth, window.innerWidth];";
        let widths = self.client.execute(script, vec![]).await.expect("script");
        let width = |i: usize| widths[i].as_u64().expect("a width");
        (width(0), width(1))
    }

    /// Saves what the window shows as `target/screenshots/<name>`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("screenshots dir");
        std::fs::write(dir.join(name), png).expect("screenshot file");
    }

    /// A screenshot with the window at `width` x `height`.
    pub async fn screenshot_at(&self, name: &str, (width, height): (u32, u32)) {
        self.resize(width, height).await;
        self.screenshot(name).await;
    }
}
