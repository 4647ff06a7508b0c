//! `login_hint` (pre-fills the login form, escaped) and `id_token_hint` (OIDC Core §3.1.2.1):
//! expired hints count, forged ones and access tokens do not, and in the HS* signing mode too.

use super::{MINUTE, answer, id_token_claims, log_in_through, login_form_for, request};
use crate::on_both_databases;
use crate::support::TestApp;
use crate::support::oauth::jwt_parts;

on_both_databases!(
    login_hint_prefills_the_form_escaped,
    id_token_hint_must_name_the_signed_in_user,
);
on_both_databases!(hs256 => id_token_hint_is_read_in_hs256_mode);

/// The simplejwt-compatible signing mode.
fn hs256(config: &mut sesame::Config) {
    config.algorithm = sesame::crypto::keys::Algorithm::HS256;
    config.signing_key = Some("an-hmac-secret-that-is-long-enough-0123".to_owned().into());
}

async fn login_hint_prefills_the_form_escaped(app: TestApp) {
    app.user("alice").email("alice@example.com").create().await;
    app.client("app").code_flow().create().await;
    let mut agent = app.agent();
    let cases = [
        ("alice@example.com", "value=\"alice@example.com\""),
        (
            "\"><script>alert(1)</script>",
            "value=\"&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;\"",
        ),
    ];
    for (hint, rendered) in cases {
        let html = login_form_for(&mut agent, &[("login_hint", hint)]).await;
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains(rendered), "{rendered} in {html}");
    }
    // Without a hint the field is empty.
    let html = login_form_for(&mut agent, &[]).await;
    assert!(
        html.contains("name=\"username\" type=\"text\" value=\"\""),
        "{html}"
    );
}

async fn id_token_hint_must_name_the_signed_in_user(app: TestApp) {
    app.user("alice").create().await;
    app.user("bob").create().await;
    let client = app.client("app").code_flow().create().await;
    let password_client = app.client("pw").create().await;
    let id_token_for = |username: &'static str| {
        let app = &app;
        let password_client = &password_client;
        async move {
            let tokens = app
                .password_grant_for_scope(password_client, username, "openid")
                .await
                .json();
            tokens["id_token"].as_str().unwrap().to_owned()
        }
    };
    let alice_hint = id_token_for("alice").await;
    let bob_hint = id_token_for("bob").await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    // Hints outlive their expiry (five minutes here).
    app.advance(10 * MINUTE);

    let same = agent
        .get(&request(
            "app",
            &[("prompt", "none"), ("id_token_hint", &alice_hint)],
        ))
        .await;
    let claims = id_token_claims(&app, &client, &same).await;
    assert_eq!(claims["sub"], jwt_parts(&alice_hint).1["sub"]);

    // Another user's hint: the form, once; signing in as that user satisfies it.
    let other = agent
        .get(&request("app", &[("id_token_hint", &bob_hint)]))
        .await;
    let back = log_in_through(&mut agent, &other, "bob").await;
    assert_eq!(answer(&back), "code");
    // Coming back still as someone else is login_required.
    let other = agent
        .get(&request("app", &[("id_token_hint", &alice_hint)]))
        .await;
    let back = log_in_through(&mut agent, &other, "bob").await;
    assert_eq!(answer(&back), "login_required");

    let forged = format!("{}x", &alice_hint[..alice_hint.len() - 1]);
    for bad in [forged.as_str(), "not-a-jwt"] {
        let response = agent.get(&request("app", &[("id_token_hint", bad)])).await;
        assert_eq!(answer(&response), "invalid_request");
    }
    // An access token is not an ID token.
    let access = app.password_tokens(&password_client, "bob").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = agent
        .get(&request("app", &[("id_token_hint", &access)]))
        .await;
    assert_eq!(answer(&response), "invalid_request");
}

async fn id_token_hint_is_read_in_hs256_mode(app: TestApp) {
    app.user("alice").create().await;
    app.user("bob").create().await;
    app.client("app").code_flow().create().await;
    let password_client = app.client("pw").create().await;
    let mut hints = Vec::new();
    for username in ["alice", "bob"] {
        let tokens = app
            .password_grant_for_scope(&password_client, username, "openid")
            .await
            .json();
        hints.push(tokens["id_token"].as_str().unwrap().to_owned());
    }
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    for (hint, expected) in hints.iter().zip(["code", "login_required"]) {
        let path = request("app", &[("prompt", "none"), ("id_token_hint", hint)]);
        assert_eq!(answer(&agent.get(&path).await), expected);
    }
}
