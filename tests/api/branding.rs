//! Branding: `site_name` wherever the pages name the deployment, `logo_uri` in every header (and
//! its origin, alone, in CSP `img-src`), `accent_color` through `/static/brand.css`; and a client's
//! own `logo_uri` on its consent page, `https` only, never anything a browser would run.

use axum::http::StatusCode;

use crate::on_both_databases;
use crate::support::oauth::{REDIRECT_URI, authorize_path, pkce};
use crate::support::{TestApp, TestResponse};
use sesame::auth::clients::{self, ClientKind, ClientRegistration, GrantType};
use sesame::store;

on_both_databases!(acme => the_pages_carry_the_deployments_name_logo_and_colour);
on_both_databases!(
    the_default_brand_is_sesame_with_a_strict_csp,
    the_consent_page_shows_the_clients_logo_and_escapes_its_name,
    a_client_logo_must_be_https_on_every_surface,
);

const LOGO: &str = "https://cdn.acme.example/brand/logo.svg";

fn acme(config: &mut sesame::Config) {
    config.site_name = "Acme".into();
    config.logo_uri = LOGO.into();
    config.accent_color = Some("#1D4ED8".into());
}

fn csp(page: &TestResponse) -> String {
    page.header("content-security-policy")
        .unwrap_or_default()
        .to_owned()
}

/// An authorization request of `client_id` with `extra`.
fn authorize(client_id: &str, extra: &[(&str, &str)]) -> String {
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

async fn the_pages_carry_the_deployments_name_logo_and_colour(app: TestApp) {
    let login = app.get("/login").await;
    let html = login.text();
    for needle in [
        "<title>Sign in · Acme</title>",
        "<h1>Sign in to Acme</h1>",
        "<img src=\"https://cdn.acme.example/brand/logo.svg\" alt=\"\" width=\"28\" height=\"28\">Acme</span>",
        "<link rel=\"stylesheet\" href=\"/static/brand.css\">",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    assert!(!html.contains("Sesame"), "{html}");
    assert_eq!(
        csp(&login),
        "default-src 'none'; style-src 'self'; img-src 'self' https://cdn.acme.example; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    let chinese = app.get("/login").header("accept-language", "zh-CN").await;
    assert!(
        chinese.text().contains("<h1>登录 Acme</h1>"),
        "{}",
        chinese.text()
    );

    let css = app.get("/static/brand.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.text().contains("--accent: #1d4ed8;"), "{}", css.text());
    assert!(
        css.text().contains("--adm-brand: #1d4ed8;"),
        "{}",
        css.text()
    );
    assert!(
        css.text().contains("--accent-text: #ffffff;"),
        "{}",
        css.text()
    );

    // Consent, with the site in its heading and in what `openid` means.
    app.client("partner")
        .third_party()
        .code_flow()
        .create()
        .await;
    app.user("alice").create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let consent = agent
        .get(&authorize("partner", &[("scope", "openid")]))
        .await
        .text();
    assert!(
        consent.contains("wants to use your Acme account"),
        "{consent}"
    );
    assert!(consent.contains("Know who you are on Acme"), "{consent}");
    assert!(
        consent.contains("<title>Allow partner app? · Acme</title>"),
        "{consent}"
    );

    // The error pages, public and admin, and the admin header.
    let error = app.get("/oauth/authorize?client_id=nobody").await;
    assert!(error.text().contains(" · Acme</title>"), "{}", error.text());
    assert!(error.text().contains(LOGO), "{}", error.text());
    let (_, session) = app.admin().await;
    let admin = app.get("/admin/clients").session(&session).await.text();
    assert!(
        admin.contains("<title>Clients · Acme admin</title>"),
        "{admin}"
    );
    assert!(
        admin.contains(&format!(
            "<img src=\"{LOGO}\" alt=\"\" width=\"24\" height=\"24\">Acme <span>admin</span>"
        )),
        "{admin}"
    );
    let missing = app.get("/admin/clients/nobody").session(&session).await;
    assert!(
        missing.text().contains("Not found · Acme admin"),
        "{}",
        missing.text()
    );
    assert!(csp(&missing).contains("img-src 'self' https://cdn.acme.example;"));
    let zh = app
        .get("/admin/clients")
        .session(&session)
        .header("accept-language", "zh-CN")
        .await
        .text();
    assert!(zh.contains("<title>客户端 · Acme 管理</title>"), "{zh}");
}

async fn the_default_brand_is_sesame_with_a_strict_csp(app: TestApp) {
    let login = app.get("/login").await;
    assert!(login.text().contains("<h1>Sign in to Sesame</h1>"));
    assert!(login.text().contains("<img src=\"/static/sesame.svg\""));
    assert!(csp(&login).contains("img-src 'self';"), "{}", csp(&login));
    let css = app.get("/static/brand.css").await.text();
    assert!(!css.contains("--accent"), "{css}");
}

async fn the_consent_page_shows_the_clients_logo_and_escapes_its_name(app: TestApp) {
    let hostile = "<script>alert(1)</script> & \"Partner\"";
    app.client("partner")
        .third_party()
        .code_flow()
        .name(hostile)
        .logo_uri("https://partner.example/logo.png?size=96&v=\"2\"")
        .create()
        .await;
    app.user("alice").create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let page = agent
        .get(&authorize("partner", &[("scope", "openid")]))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("<strong>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Partner&#34;</strong> wants to use your Sesame account"),
        "{html}"
    );
    assert!(
        html.contains(
            "<img class=\"client-logo\" src=\"https://partner.example/logo.png?size=96&#38;v=&#34;2&#34;\" alt=\"\""
        ),
        "{html}"
    );
    // The logo's origin, and only it, joins our own in img-src; never as a link.
    assert!(
        csp(&page).contains("img-src 'self' https://partner.example;"),
        "{}",
        csp(&page)
    );
    assert!(!html.contains("href=\"https://partner.example"), "{html}");
}

async fn a_client_logo_must_be_https_on_every_surface(app: TestApp) {
    for bad in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "http://partner.example/logo.png",
        "/logo.png",
        "https://partner.example/logo.png#x",
    ] {
        let registration = ClientRegistration {
            client_id: None,
            name: "Partner".into(),
            kind: ClientKind::Confidential,
            redirect_uris: vec![REDIRECT_URI.into()],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: vec![],
            audience: None,
            first_party: false,
            logo_uri: Some(bad.into()),
        };
        let refused = clients::register_client(&app.state, registration, app.now()).await;
        assert!(refused.is_err(), "{bad}");
    }

    let (_, session) = app.admin().await;
    let form = [
        ("name", "Partner"),
        ("client_id", "partner"),
        ("kind", "confidential"),
        ("grant_authorization_code", "on"),
        ("redirect_uris", REDIRECT_URI),
        ("logo_uri", "javascript:alert(1)"),
    ];
    let refused = app.admin_post("/admin/clients", &session, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains(
            "<p class=\"adm-error\">an https URL, such as https://app.example.com/logo.png</p>"
        ),
        "{html}"
    );
    assert!(store::clients::list(app.db()).await.unwrap().is_empty());

    let mut form = form;
    form[5] = ("logo_uri", "https://partner.example/logo.png");
    let created = app.admin_post("/admin/clients", &session, &form).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let stored = store::clients::find_by_client_id(app.db(), "partner")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.logo_uri.as_deref(),
        Some("https://partner.example/logo.png")
    );
    let edit = app
        .get("/admin/clients/partner")
        .session(&session)
        .await
        .text();
    assert!(
        edit.contains("name=\"logo_uri\" type=\"url\" value=\"https://partner.example/logo.png\""),
        "{edit}"
    );
}
