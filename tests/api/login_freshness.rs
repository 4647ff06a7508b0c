//! OIDC Core §3.1.2.1 parameters that constrain the login (§15.1 makes `prompt` and `max_age`
//! mandatory): every `prompt` value and their combinations, `max_age` 0 and positive, the ID
//! token's `auth_time` as the real login time (through refreshes too), `login_hint`,
//! unknown values and request objects; `login_hint` and `id_token_hint` in [`hints`].

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;

use crate::on_both_databases;
use crate::support::agent::Agent;
use crate::support::oauth::{REDIRECT_URI, authorize_path, jwt_parts, query_param};
use crate::support::{PASSWORD, TestApp, TestResponse};

mod hints;

on_both_databases!(
    prompt_login_asks_again_and_auth_time_is_the_new_login,
    prompt_none_answers_each_error_without_a_page,
    max_age_zero_and_positive,
    prompt_consent_and_combinations,
    select_account_offers_the_signed_in_account,
    unknown_prompt_values_are_ignored_and_request_objects_refused,
);

const MINUTE: Duration = Duration::from_secs(60);

/// An authorization request of `client` for `openid` with state `st-1`, plus `extra`.
fn request(client: &str, extra: &[(&str, &str)]) -> String {
    let mut params = vec![
        ("client_id", client),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid"),
        ("state", "st-1"),
    ];
    params.extend_from_slice(extra);
    authorize_path(&params)
}

/// What an authorization response comes to: `login` (a 303 to the login form), `consent` (the
/// consent page), `code`, or the `error` of a redirect to the client (which keeps `state`).
fn answer(response: &TestResponse) -> String {
    if response.status == StatusCode::OK && response.text().contains("name=\"decision\"") {
        return "consent".into();
    }
    let status = response.status;
    assert!(
        status == StatusCode::SEE_OTHER,
        "{status}: {}",
        response.text()
    );
    let target = response.location();
    if target.starts_with("/login?next=") {
        return "login".into();
    }
    assert!(target.starts_with(REDIRECT_URI), "{target}");
    assert_eq!(query_param(&target, "state").as_deref(), Some("st-1"));
    match query_param(&target, "error") {
        Some(error) => error,
        None if query_param(&target, "code").is_some() => "code".into(),
        None => panic!("neither code nor error in {target}"),
    }
}

/// Follows a redirect to the login form: signs in there as `username`, and returns the
/// authorization response the form leads back to.
async fn log_in_through(
    agent: &mut Agent<'_>,
    to_login: &TestResponse,
    username: &str,
) -> TestResponse {
    assert_eq!(answer(to_login), "login");
    let next = query_param(&to_login.location(), "next").unwrap();
    let signed_in = agent.login(username, PASSWORD, Some(&next)).await;
    assert_eq!(signed_in.location(), next);
    agent.get(&next).await
}

/// The login form an authorization request of `app` with `extra` leads to, as HTML.
async fn login_form_for(agent: &mut Agent<'_>, extra: &[(&str, &str)]) -> String {
    let to_login = agent.get(&request("app", extra)).await;
    assert_eq!(answer(&to_login), "login");
    let form = agent.get(&to_login.location()).await;
    assert_eq!(form.status, StatusCode::OK);
    form.text()
}

/// The ID token's claims for the code an authorization response carries.
async fn id_token_claims(
    app: &TestApp,
    client: &(String, String),
    response: &TestResponse,
) -> Value {
    assert_eq!(answer(response), "code");
    let code = query_param(&response.location(), "code").unwrap();
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let tokens = app.post("/oauth/token").form(&params).client(client).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text());
    let body = tokens.json();
    let (_, claims) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    claims
}

fn unix(app: &TestApp) -> i64 {
    app.now().timestamp()
}

async fn prompt_login_asks_again_and_auth_time_is_the_new_login(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("app").code_flow().create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let first_login = unix(&app);
    app.advance(MINUTE);

    // Without prompt the session is enough, and auth_time is the first login.
    let plain = agent.get(&request("app", &[])).await;
    let claims = id_token_claims(&app, &client, &plain).await;
    assert_eq!(claims["auth_time"], first_login);

    // prompt=login: the form, even with a session; skipping it only leads back to it.
    let to_login = agent.get(&request("app", &[("prompt", "login")])).await;
    assert_eq!(answer(&to_login), "login");
    let next = query_param(&to_login.location(), "next").unwrap();
    let form = agent.get(&to_login.location()).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("name=\"password\""), "{}", form.text());
    assert_eq!(answer(&agent.get(&next).await), "login");

    app.advance(MINUTE);
    let second_login = unix(&app);
    let back = log_in_through(&mut agent, &to_login, "alice").await;
    let claims = id_token_claims(&app, &client, &back).await;
    assert_eq!(claims["auth_time"], second_login);
    assert_ne!(claims["auth_time"], first_login);

    // A refresh keeps the time the user really authenticated.
    let again = agent.get(&request("app", &[])).await;
    let code = query_param(&again.location(), "code").unwrap();
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let tokens = app
        .post("/oauth/token")
        .form(&params)
        .client(&client)
        .await
        .json();
    app.advance(MINUTE);
    let refreshed = app
        .refresh_grant(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let (_, claims) = jwt_parts(refreshed.json()["id_token"].as_str().unwrap());
    assert_eq!(claims["auth_time"], second_login);
    assert_eq!(claims["iat"], unix(&app));
}

async fn prompt_none_answers_each_error_without_a_page(app: TestApp) {
    app.user("alice").create().await;
    app.user("bob").create().await;
    app.client("app").code_flow().create().await;
    app.client("partner")
        .third_party()
        .code_flow()
        .create()
        .await;
    let password_client = app.client("pw").create().await;
    let bob_id_token = app
        .password_grant_for_scope(&password_client, "bob", "openid")
        .await
        .json()["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let none = |client: &str, extra: &[(&str, &str)]| {
        let mut params = vec![("prompt", "none")];
        params.extend_from_slice(extra);
        request(client, &params)
    };
    let mut agent = app.agent();
    assert_eq!(
        answer(&agent.get(&none("app", &[])).await),
        "login_required"
    );
    agent.sign_in("alice").await;
    app.advance(MINUTE);
    let cases: Vec<(String, &str)> = vec![
        (none("app", &[]), "code"),
        (none("app", &[("max_age", "3600")]), "code"),
        (none("app", &[("max_age", "30")]), "login_required"),
        (none("app", &[("max_age", "0")]), "login_required"),
        (
            none("app", &[("id_token_hint", &bob_id_token)]),
            "login_required",
        ),
        (none("partner", &[]), "consent_required"),
        (
            request("app", &[("prompt", "none login")]),
            "invalid_request",
        ),
        (
            request("app", &[("prompt", "none consent")]),
            "invalid_request",
        ),
        (
            request("app", &[("prompt", "select_account none")]),
            "invalid_request",
        ),
        (none("app", &[("max_age", "-1")]), "invalid_request"),
    ];
    for (path, expected) in cases {
        assert_eq!(answer(&agent.get(&path).await), expected, "{path}");
    }
}

async fn max_age_zero_and_positive(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("app").code_flow().create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let login = unix(&app);
    app.advance(Duration::from_secs(100));

    let inside = agent.get(&request("app", &[("max_age", "300")])).await;
    let claims = id_token_claims(&app, &client, &inside).await;
    assert_eq!(claims["auth_time"], login, "max_age asks for auth_time");
    // Exactly max_age old is still inside; one second more is not.
    assert_eq!(
        answer(&agent.get(&request("app", &[("max_age", "100")])).await),
        "code"
    );
    let outside = agent.get(&request("app", &[("max_age", "99")])).await;
    let back = log_in_through(&mut agent, &outside, "alice").await;
    let claims = id_token_claims(&app, &client, &back).await;
    assert_eq!(claims["auth_time"], unix(&app));

    // max_age=0 is prompt=login, even right after a login.
    let zero = agent.get(&request("app", &[("max_age", "0")])).await;
    app.advance(Duration::from_secs(5));
    let back = log_in_through(&mut agent, &zero, "alice").await;
    let claims = id_token_claims(&app, &client, &back).await;
    assert_eq!(claims["auth_time"], unix(&app));

    for bad in ["-1", "1.5", "ten", "+5"] {
        let response = agent.get(&request("app", &[("max_age", bad)])).await;
        assert_eq!(answer(&response), "invalid_request", "{bad}");
        let why = query_param(&response.location(), "error_description").unwrap();
        assert_eq!(
            why,
            "max_age must be a non-negative integer number of seconds"
        );
    }
}

async fn prompt_consent_and_combinations(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("app").code_flow().create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    app.advance(MINUTE);

    let consent = agent.get(&request("app", &[("prompt", "consent")])).await;
    assert_eq!(answer(&consent), "consent", "first parties too");

    // login consent: the form first, then consent, then a code with the new login time.
    let to_login = agent
        .get(&request("app", &[("prompt", "login consent")]))
        .await;
    app.advance(MINUTE);
    let relogin = unix(&app);
    let page = log_in_through(&mut agent, &to_login, "alice").await;
    assert_eq!(answer(&page), "consent");
    let next = query_param(&to_login.location(), "next").unwrap();
    let csrf = crate::support::html::csrf_token(&page.text());
    let approved = agent
        .post(&next, &[("csrf_token", &csrf), ("decision", "approve")])
        .await;
    let claims = id_token_claims(&app, &client, &approved).await;
    assert_eq!(claims["auth_time"], relogin);

    // login select_account: the login wins; the signed-in account is not offered.
    let html = login_form_for(&mut agent, &[("prompt", "select_account login")]).await;
    assert!(!html.contains("Continue as"), "{html}");
}

async fn select_account_offers_the_signed_in_account(app: TestApp) {
    app.user("alice").create().await;
    let bob = app.user("bob").create().await;
    let client = app.client("app").code_flow().create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let login = unix(&app);
    app.advance(MINUTE);

    let to_login = agent
        .get(&request("app", &[("prompt", "select_account")]))
        .await;
    assert_eq!(answer(&to_login), "login");
    let next = query_param(&to_login.location(), "next").unwrap();
    let form = agent.get(&to_login.location()).await;
    let html = form.text();
    let link = format!("href=\"{}\"", next.replace('&', "&#38;"));
    assert!(html.contains("Continue as alice"), "{html}");
    assert!(html.contains(&link), "{link} in {html}");

    // Continuing keeps alice's login and its time.
    let chosen = agent.get(&next).await;
    let claims = id_token_claims(&app, &client, &chosen).await;
    assert_eq!(claims["auth_time"], login);

    // Choosing another account is signing in as it.
    let to_login = agent
        .get(&request("app", &[("prompt", "select_account")]))
        .await;
    let back = log_in_through(&mut agent, &to_login, "bob").await;
    let claims = id_token_claims(&app, &client, &back).await;
    assert_eq!(claims["sub"], bob.id.to_string());

    // Nobody signed in: the plain form, nothing to continue with.
    let html = login_form_for(&mut app.agent(), &[("prompt", "select_account")]).await;
    assert!(!html.contains("Continue as"), "{html}");
}

async fn unknown_prompt_values_are_ignored_and_request_objects_refused(app: TestApp) {
    app.user("alice").create().await;
    app.client("app").code_flow().create().await;
    let mut agent = app.agent();
    agent.sign_in("alice").await;
    let cases = [
        (vec![("prompt", "create")], "code"),
        (vec![("prompt", "create select_account")], "login"),
        (vec![("ui_locales", "fr-CA fr en")], "code"),
        (
            vec![("request", "eyJhbGciOiJub25lIn0.e30.")],
            "request_not_supported",
        ),
        (
            vec![("request_uri", "https://app.example/request.jwt")],
            "request_uri_not_supported",
        ),
    ];
    for (extra, expected) in cases {
        let path = request("app", &extra);
        assert_eq!(answer(&agent.get(&path).await), expected, "{path}");
    }
}
