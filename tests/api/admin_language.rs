//! The admin UI in Simplified Chinese: every page, form error, notice, refusal and error page of
//! a zh-CN admin shows no English word of the interface (data such as usernames, client ids,
//! kids, scopes and audit action names stays as it is), and its times and numbers are written
//! the Chinese way (CLDR).

use axum::http::StatusCode;
use sesame::auth::clients::GrantType;
use sesame::views::PageLanguage;

use crate::on_both_databases;
use crate::support::admin::AdminSession;
use crate::support::{TestApp, TestResponse};

on_both_databases!(every_admin_page_in_chinese_leaves_no_english_word);

/// Words of the English interface; any of them on a zh-CN page is an untranslated string.
/// Compared as whole words (letters and `_`), so `is_active` or `grant_types` (data) are not
/// `active` or `grant`.
const ENGLISH_UI_WORDS: &[&str] = &[
    "Dashboard",
    "Clients",
    "Client",
    "Users",
    "User",
    "Tokens",
    "Keys",
    "Throttles",
    "Audit",
    "Delete",
    "Save",
    "Saved",
    "Created",
    "Cancel",
    "Revoke",
    "Status",
    "Last",
    "Name",
    "never",
    "Page",
    "Previous",
    "Next",
    "active",
    "disabled",
    "inactive",
    "Rotate",
    "Retire",
    "Search",
    "Filter",
    "Signed",
    "Sign",
    "Expires",
    "Details",
    "History",
    "Password",
    "Confidential",
    "Public",
    "required",
    "characters",
    "Clear",
    "Done",
    "Show",
    "All",
    "any",
    "Action",
    "Actor",
    "Target",
    "When",
    "From",
    "Scope",
    "Scopes",
    "Roles",
    "Email",
    "Phone",
    "Username",
    "Create",
    "New",
    "Enable",
    "Disable",
    "Algorithm",
    "Key",
    "published",
    "retired",
    "minutes",
    "seconds",
    "Failures",
    "Waiting",
    "Account",
    "Source",
    "Refresh",
    "Access",
    "Secret",
    "Please",
    "must",
    "The",
    "is",
    "of",
    "the",
    "and",
    "to",
    "in",
    "Not",
    "found",
    "nothing",
    "Recent",
    "Manage",
    "Which",
    "settings",
];

/// What a reader sees: the text between tags and the placeholders and labels of controls,
/// without `<code>` elements (client ids, kids, secrets, audit details: data).
fn visible_text(html: &str) -> String {
    let mut html = html.to_owned();
    while let Some(start) = html.find("<code") {
        let end = html[start..]
            .find("</code>")
            .map_or(html.len(), |e| start + e + "</code>".len());
        html.replace_range(start..end, " ");
    }
    let mut text = String::new();
    let mut rest = html.as_str();
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open..open + close];
        for attribute in ["placeholder=\"", "aria-label=\"", "title=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                text.push_str(value.split('"').next().unwrap_or_default());
                text.push(' ');
            }
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    text
}

/// The English interface words on `page`, with the data the test put there taken out.
fn english_words(page: &TestResponse, data: &[&str]) -> Vec<String> {
    let mut text = visible_text(&page.text());
    for value in data {
        text = text.replace(value, " ");
    }
    text.split(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
        .filter(|word| ENGLISH_UI_WORDS.contains(word))
        .map(str::to_owned)
        .collect()
}

/// Asserts a zh-CN page with `status` and no English interface word.
fn assert_chinese(path: &str, page: &TestResponse, status: StatusCode, data: &[&str]) {
    assert_eq!(page.status, status, "{path}: {}", page.text());
    assert!(
        page.text().contains("<html lang=\"zh-CN\">"),
        "{path}: {}",
        page.text()
    );
    let found = english_words(page, data);
    assert!(
        found.is_empty(),
        "{path} shows English: {found:?}\n{}",
        visible_text(&page.text())
    );
}

/// A server in use: users (more than a page of them), a client with tokens, failed logins.
async fn populate(app: &TestApp) -> i64 {
    let web = app
        .client("web")
        .grants(&[GrantType::Password, GrantType::RefreshToken])
        .create()
        .await;
    let alice = app.user("alice").email("alice@example.com").create().await;
    app.password_tokens(&web, "alice").await;
    for n in 0..26 {
        app.user(&format!("user{n:02}")).create().await;
    }
    for _ in 0..6 {
        let wrong = [
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "not her password"),
        ];
        app.post("/oauth/token").form(&wrong).client(&web).await;
    }
    alice.id
}

async fn every_admin_page_in_chinese_leaves_no_english_word(app: TestApp) {
    let alice = populate(&app).await;
    let (_, session) = app.admin().await;
    let zh = |path: &str| {
        app.get(path)
            .session(&session)
            .header("accept-language", "zh-CN,zh;q=0.9")
    };
    let kid = app.state.keys().signing_key_id(app.now()).to_owned();
    // Data, shown as it is: names, ids, scopes, grants, audit actions, addresses, the site name.
    let data = [
        "Sesame",
        "web app",
        "alice",
        "root",
        "openid profile email read",
        "UTC",
        "RS256",
        "JWKS",
        "PKCE",
        "https",
        "http",
        "RFC",
        "ID",
        "ES256",
        "EdDSA",
        kid.as_str(),
    ];
    let user = format!("/admin/users/{alice}");
    let pages = [
        ("/admin", StatusCode::OK),
        ("/admin/clients", StatusCode::OK),
        ("/admin/clients/new", StatusCode::OK),
        ("/admin/clients/web", StatusCode::OK),
        ("/admin/clients/web?notice=saved", StatusCode::OK),
        ("/admin/clients/web/delete", StatusCode::OK),
        ("/admin/users", StatusCode::OK),
        ("/admin/users?page=2", StatusCode::OK),
        ("/admin/users?q=nobody", StatusCode::OK),
        ("/admin/users/new", StatusCode::OK),
        (user.as_str(), StatusCode::OK),
        ("/admin/tokens", StatusCode::OK),
        ("/admin/tokens?user=alice", StatusCode::OK),
        ("/admin/tokens?user=nobody", StatusCode::OK),
        ("/admin/tokens?client=web", StatusCode::OK),
        ("/admin/keys", StatusCode::OK),
        ("/admin/throttles", StatusCode::OK),
        ("/admin/audit", StatusCode::OK),
        ("/admin/clients/nobody", StatusCode::NOT_FOUND),
    ];
    for (path, status) in pages {
        assert_chinese(path, &zh(path).await, status, &data);
    }

    // Dates and numbers the Chinese way, and the words around them.
    let users = zh("/admin/users").await.text();
    assert!(users.contains("第 1 页，共 2 页 · 共 28 条"), "{users}");
    let created = app.now();
    let client = zh("/admin/clients/web").await.text();
    assert!(
        client.contains(&PageLanguage::ZhCn.datetime(created)),
        "{client}"
    );
    assert!(client.contains("年") && client.contains("月") && client.contains("日"));
    assert!(client.contains("<dt>创建时间</dt>"), "{client}");
    let throttles = zh("/admin/throttles").await.text();
    assert!(throttles.contains(">alice</a>"), "{throttles}");
    assert!(throttles.contains("<td>5</td>"), "{throttles}");
    assert!(throttles.contains("<td>1 秒</td>"), "{throttles}");
    let notice = zh("/admin/clients/web?notice=saved").await.text();
    assert!(
        notice.contains("role=\"status\">更改已保存。</p>"),
        "{notice}"
    );

    posted_pages_in_chinese(&app, &session, &data, &kid).await;
}

/// Refused forms, a once-only secret and a refused action, in Chinese too.
async fn posted_pages_in_chinese(app: &TestApp, session: &AdminSession, data: &[&str], kid: &str) {
    let post = |path: &str, form: &[(&str, &str)]| {
        app.admin_post(path, session, form)
            .header("accept-language", "zh-CN")
    };
    let bad_client = [
        ("name", ""),
        ("client_id", "new"),
        ("kind", "public"),
        ("grant_client_credentials", "on"),
        ("redirect_uris", "http://shop.example/cb"),
        ("access_token_lifetime", "soon"),
        ("logo_uri", "javascript:alert(1)"),
    ];
    let refused = post("/admin/clients", &bad_client).await;
    let mut data = data.to_vec();
    data.extend([
        "new",
        "http://shop.example/cb",
        "soon",
        "javascript:alert(1)",
    ]);
    assert_chinese(
        "POST /admin/clients",
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        &data,
    );
    let html = refused.text();
    for message in [
        "请填写名称",
        "`new` 是保留名称",
        "公开客户端不能使用密码或客户端凭据授权",
        "`http://shop.example/cb` 必须使用 https",
        "请填写时长，例如 15m、12h 或 30d",
        "请填写 https 地址",
    ] {
        assert!(html.contains(message), "{message}: {html}");
    }

    let short = [("username", "zhang"), ("password", "1234")];
    let refused = post("/admin/users", &short).await;
    data.push("zhang");
    assert_chinese(
        "POST /admin/users",
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        &data,
    );
    // Django's own zh-hans wording of its password validators.
    assert!(refused.text().contains("密码"), "{}", refused.text());

    let created = post(
        "/admin/clients",
        &[
            ("name", "Billing"),
            ("client_id", "billing"),
            ("kind", "confidential"),
            ("grant_client_credentials", "on"),
        ],
    )
    .await;
    data.extend(["Billing", "billing"]);
    assert_chinese("the secret page", &created, StatusCode::OK, &data);
    assert!(
        created.text().contains("请立即复制密钥"),
        "{}",
        created.text()
    );

    let retire = format!("/admin/keys/{kid}/retire");
    let refused = post(&retire, &[]).await;
    assert_chinese(&retire, &refused, StatusCode::CONFLICT, &data);
    assert!(
        refused
            .text()
            .contains("该密钥正在签发新令牌；请先轮换到新密钥"),
        "{}",
        refused.text()
    );
}
