//! The public pages in the reader's language (English, Simplified Chinese): `ui_locales` (OIDC
//! Core §3.1.2.1), then `Accept-Language`, then `language_code`; the login page's language
//! switch (`lang`); `<html lang>`, `Content-Language` and `Vary: Accept-Language`.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::html::csrf_token;
use crate::support::oauth::{REDIRECT_URI, authorize_path, pkce};
use crate::support::{TestApp, TestResponse};

on_both_databases!(
    accept_language_zh_cn_gets_the_chinese_login_page,
    ui_locales_wins_over_accept_language,
    the_language_switch_keeps_next_and_the_form_keeps_the_language,
    the_consent_page_follows_ui_locales,
    the_admin_frame_follows_accept_language,
);

on_both_databases!(zh_hans => language_code_zh_hans_is_the_default);

fn zh_hans(config: &mut sesame::Config) {
    config.language_code = "zh-hans".into();
}

/// The page is in `lang`, says so in `<html lang>` and `Content-Language`, and varies on
/// `Accept-Language`.
fn assert_language(page: &TestResponse, lang: &str) {
    assert!(
        page.text().contains(&format!("<html lang=\"{lang}\">")),
        "{lang}: {}",
        page.text()
    );
    assert_eq!(page.header("content-language"), Some(lang));
    let vary = page.header("vary").unwrap_or_default();
    assert!(vary.contains("Accept-Language"), "{vary}");
}

/// A page with `status`, in `lang`, showing each of `needles`.
fn assert_page(page: &TestResponse, status: StatusCode, lang: &str, needles: &[&str]) {
    let html = page.text();
    assert_eq!(page.status, status, "{html}");
    assert_language(page, lang);
    for needle in needles {
        assert!(html.contains(needle), "{needle} in {html}");
    }
}

async fn accept_language_zh_cn_gets_the_chinese_login_page(app: TestApp) {
    let page = app
        .get("/login")
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .await;
    assert_page(
        &page,
        StatusCode::OK,
        "zh-CN",
        &[
            "<title>登录 · Sesame</title>",
            "<h1>登录 Sesame</h1>",
            "<label for=\"username\">用户名、电子邮箱或手机号</label>",
            "<label for=\"password\">密码</label>",
            "<button type=\"submit\">登录</button>",
            // The switch names each language in itself and links to the other.
            "<strong lang=\"zh-CN\">简体中文</strong>",
            "<a href=\"/login?lang=en\" hreflang=\"en\" lang=\"en\">English</a>",
        ],
    );
    let html = page.text();
    for english in ["Sign in", "Username", "Password"] {
        assert!(!html.contains(english), "{english} in {html}");
    }

    // No header: English. Traditional Chinese is not shipped: English too.
    for accept in [None, Some("zh-TW"), Some("de;q=2, zh-CN")] {
        let request = app.get("/login");
        let page = match accept {
            Some(accept) => request.header("accept-language", accept).await,
            None => request.await,
        };
        assert_language(&page, "en");
        assert!(
            page.text().contains("<h1>Sign in to Sesame</h1>"),
            "{accept:?}"
        );
    }
}

/// An authorization request of `client_id` (PKCE, the test redirect URI) with `extra`.
fn request(client_id: &str, extra: &[(&str, &str)]) -> String {
    let (_, challenge) = pkce();
    let mut params = vec![
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    authorize_path(&params)
}

async fn ui_locales_wins_over_accept_language(app: TestApp) {
    app.client("app").code_flow().create().await;
    for (ui_locales, accept, lang, lead) in [
        (
            "en",
            "zh-CN",
            "en",
            "to continue to <strong>app app</strong>",
        ),
        // Unknown tags are skipped: the first shipped one wins.
        (
            "fr-CA zh-Hans en",
            "en",
            "zh-CN",
            "以继续使用 <strong>app app</strong>",
        ),
        // None shipped: Accept-Language decides.
        (
            "fr de",
            "zh",
            "zh-CN",
            "以继续使用 <strong>app app</strong>",
        ),
    ] {
        let detour = app
            .get(&request("app", &[("ui_locales", ui_locales)]))
            .await;
        assert_eq!(detour.status, StatusCode::SEE_OTHER, "{}", detour.text());
        let page = app
            .get(&detour.location())
            .header("accept-language", accept)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_language(&page, lang);
        assert!(page.text().contains(lead), "{ui_locales}: {}", page.text());
    }
}

async fn the_language_switch_keeps_next_and_the_form_keeps_the_language(app: TestApp) {
    app.user("alice").create().await;
    let page = app
        .get("/login?lang=zh-CN&next=%2Faccount%3Fa%3D1")
        .header("accept-language", "en")
        .await;
    assert_language(&page, "zh-CN");
    let html = page.text();
    assert!(
        html.contains("href=\"/login?lang=en&#38;next=%2Faccount%3Fa%3D1\""),
        "{html}"
    );
    assert!(html.contains("name=\"lang\" value=\"zh-CN\""), "{html}");

    // A wrong password: the form again, in the language it was shown in.
    let mut agent = app.agent();
    let form = agent.get("/login?lang=zh-CN").await;
    let csrf = csrf_token(&form.text());
    let again = agent
        .post(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("lang", "zh-CN"),
                ("username", "alice"),
                ("password", "wrong"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_language(&again, "zh-CN");
    assert!(
        again
            .text()
            .contains("<p class=\"alert\" role=\"alert\">用户名或密码不正确。</p>"),
        "{}",
        again.text()
    );
    // An unknown `lang` is ignored.
    let page = app.get("/login?lang=xx").await;
    assert_language(&page, "en");
}

async fn the_consent_page_follows_ui_locales(app: TestApp) {
    app.client("partner")
        .third_party()
        .code_flow()
        .create()
        .await;
    app.user("alice").create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let consent = request(
        "partner",
        &[("scope", "openid email"), ("ui_locales", "zh-CN")],
    );
    assert_page(
        &agent.get(&consent).await,
        StatusCode::OK,
        "zh-CN",
        &[
            "想要使用你的 Sesame 账号",
            "已登录为 <strong>alice</strong>",
            "<span>查看你的电子邮箱地址</span> <code>email</code>",
            ">拒绝</button>",
            ">允许</button>",
        ],
    );
}

async fn language_code_zh_hans_is_the_default(app: TestApp) {
    let page = app.get("/login").await;
    assert_language(&page, "zh-CN");
    assert!(
        page.text().contains("<h1>登录 Sesame</h1>"),
        "{}",
        page.text()
    );
    // Accept-Language still wins over the default.
    let page = app.get("/login").header("accept-language", "en-GB").await;
    assert_language(&page, "en");

    // Error pages speak it too.
    assert_page(
        &app.get("/oauth/authorize?client_id=nobody").await,
        StatusCode::BAD_REQUEST,
        "zh-CN",
        &[
            "<h1>无法完成此请求</h1>",
            "如果是某个应用把你带到这里，请回到该应用后重试。",
        ],
    );
    // The JSON surfaces do not get the pages' headers.
    let discovery = app.get("/.well-known/openid-configuration").await;
    assert_eq!(discovery.header("content-language"), None);
}

async fn the_admin_frame_follows_accept_language(app: TestApp) {
    let (_, session) = app.admin().await;
    let in_chinese = |path: &str| {
        app.get(path)
            .session(&session)
            .header("accept-language", "zh-CN")
    };
    assert_page(
        &in_chinese("/admin/clients").await,
        StatusCode::OK,
        "zh-CN",
        &[
            "Sesame <span>管理</span>",
            "aria-current=\"page\">客户端</a>",
            ">审计日志</a>",
            ">退出登录</button>",
        ],
    );
    let english = app.get("/admin/clients").session(&session).await;
    assert_page(
        &english,
        StatusCode::OK,
        "en",
        &["aria-current=\"page\">Clients</a>", ">Sign out</button>"],
    );
    // The admin error pages: a missing client.
    assert_page(
        &in_chinese("/admin/clients/nobody").await,
        StatusCode::NOT_FOUND,
        "zh-CN",
        &[
            "<title>未找到 · Sesame 管理</title>",
            "这里什么都没有，可能已被删除。",
            ">返回概览</a>",
        ],
    );
}
