//! The rules of the client form.

use super::*;

fn input() -> ClientInput {
    ClientInput {
        name: "Web app".into(),
        redirect_uris: "https://app.example/cb\r\nhttp://127.0.0.1:8000/cb".into(),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        scopes: "openid  profile\nemail".into(),
        access_token_lifetime: "15m".into(),
        ..ClientInput::default()
    }
}

fn errors(result: Result<ClientSettings, AdminError>) -> FieldErrors {
    match result {
        Err(AdminError::Invalid(errors)) => errors,
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_valid_form_parses_into_typed_settings() {
    let Ok(settings) = input().parse(ClientKind::Confidential) else {
        panic!("valid input refused");
    };
    assert_eq!(
        settings.redirect_uris,
        ["https://app.example/cb", "http://127.0.0.1:8000/cb"]
    );
    assert_eq!(
        settings.grant_types,
        [GrantType::AuthorizationCode, GrantType::RefreshToken]
    );
    assert_eq!(settings.scopes, ["email", "openid", "profile"]);
    assert_eq!(
        settings.access_token_lifetime,
        Some(Duration::from_secs(900))
    );
    assert_eq!(settings.refresh_token_lifetime, None);
    assert_eq!(settings.audience, None);
}

#[test]
fn every_broken_rule_is_reported_at_its_field() {
    let bad = ClientInput {
        name: "  ".into(),
        redirect_uris: "http://evil.example/cb".into(),
        post_logout_redirect_uris: "https://x.example/#a".into(),
        grant_types: vec![
            "authorization_code".into(),
            "password".into(),
            "implicit".into(),
        ],
        scopes: "ok \"quoted\"".into(),
        audience: "two words".into(),
        access_token_lifetime: "soon".into(),
        refresh_token_lifetime: "400d".into(),
        logo_uri: "javascript:alert(1)".into(),
        first_party: false,
    };
    let errors = errors(bad.parse(ClientKind::Public));
    let fields: Vec<_> = errors.fields().collect();
    assert_eq!(
        fields,
        [
            "access_token_lifetime",
            "audience",
            "grant_types",
            "logo_uri",
            "name",
            "post_logout_redirect_uris",
            "redirect_uris",
            "refresh_token_lifetime",
            "scopes",
        ]
    );
    assert_eq!(
        errors.get("grant_types"),
        Some(&Problem::UnknownGrant("implicit".into()))
    );
}

#[test]
fn public_clients_may_not_use_secret_grants_and_code_needs_a_redirect_uri() {
    let mut form = input();
    form.grant_types = vec!["client_credentials".into()];
    let problem = errors(form.parse(ClientKind::Public))
        .get("grant_types")
        .cloned();
    assert_eq!(problem, Some(Problem::PublicClientGrant));
    assert!(form.parse(ClientKind::Confidential).is_ok());

    let mut form = input();
    form.redirect_uris.clear();
    let errors = errors(form.parse(ClientKind::Confidential));
    assert_eq!(
        errors.get("redirect_uris"),
        Some(&Problem::RedirectUriNeeded)
    );
}

#[test]
fn client_ids_are_url_safe() {
    assert!(matches!(parse_client_id(""), Ok(None)));
    assert!(matches!(parse_client_id(" web-app.v2 "), Ok(Some(id)) if id == "web-app.v2"));
    assert!(parse_client_id("a/b").is_err());
    assert!(parse_client_id("new").is_err());
    assert!(parse_client_id(&"x".repeat(65)).is_err());
}
