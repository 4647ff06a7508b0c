//! OIDC Discovery (`/.well-known/openid-configuration`) and RFC 8414 metadata
//! (`/.well-known/oauth-authorization-server`): one document, built with the `openidconnect`
//! crate's types from the paths the router mounts.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthUrl, IssuerUrl, JsonWebKeySetUrl, LanguageTag,
    ProviderMetadata, ResponseTypes, Scope, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::authorize::prompt;
use crate::paths;
use crate::state::AppState;
use crate::views::PageLanguage;

/// RFC 8414 members that OIDC Discovery's core type does not carry.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct SesameMetadata {
    revocation_endpoint: String,
    revocation_endpoint_auth_methods_supported: Vec<String>,
    introspection_endpoint: String,
    introspection_endpoint_auth_methods_supported: Vec<String>,
    /// OIDC RP-Initiated Logout 1.0 §2.1.
    end_session_endpoint: String,
    /// RFC 8414 §2 (RFC 7636): only `S256`.
    code_challenge_methods_supported: Vec<String>,
    /// OpenID Connect Prompt Create 1.0 §4.1: the `prompt` values acted on (OIDC Core §3.1.2.1).
    prompt_values_supported: Vec<String>,
}

impl AdditionalProviderMetadata for SesameMetadata {}

type Metadata = ProviderMetadata<
    SesameMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

const SCOPES: &[&str] = &["openid", "profile", "email", "phone", "offline_access"];
const CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "preferred_username",
    "name",
    "email",
    "phone_number",
    "picture",
];
const AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post", "none"];
const SECRET_AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post"];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Values whose JSON names we know but whose enum variants are the crate's business.
fn parse_all<T: serde::de::DeserializeOwned>(names: &[&str]) -> Vec<T> {
    names
        .iter()
        .filter_map(|n| serde_json::from_value(json!(n)).ok())
        .collect()
}

fn build(state: &AppState) -> Result<Metadata, url_error::Error> {
    let issuer = &state.config.issuer;
    let url = |path: &str| paths::absolute(issuer, path);
    // What signs ID tokens: asymmetric in every mode (HS* signs only what simplejwt verifies).
    let alg = state.keys().id_token_algorithm(state.now()).to_string();
    let signing: Vec<CoreJwsSigningAlgorithm> = parse_all(&[alg.as_str()]);
    let additional = SesameMetadata {
        revocation_endpoint: url(paths::REVOKE),
        revocation_endpoint_auth_methods_supported: strings(AUTH_METHODS),
        introspection_endpoint: url(paths::INTROSPECT),
        introspection_endpoint_auth_methods_supported: strings(SECRET_AUTH_METHODS),
        end_session_endpoint: url(paths::END_SESSION),
        code_challenge_methods_supported: strings(&["S256"]),
        prompt_values_supported: strings(prompt::PROMPT_VALUES),
    };
    let metadata = Metadata::new(
        IssuerUrl::new(issuer.clone())?,
        AuthUrl::new(url(paths::AUTHORIZE))?,
        JsonWebKeySetUrl::new(url(paths::JWKS))?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        signing,
        additional,
    )
    .set_token_endpoint(Some(TokenUrl::new(url(paths::TOKEN))?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(url(paths::USERINFO))?))
    .set_scopes_supported(Some(
        SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect(),
    ))
    .set_claims_supported(Some(parse_all(CLAIMS)))
    // OIDC Discovery §3: the languages of the pages `ui_locales` can ask for.
    .set_ui_locales_supported(Some(
        PageLanguage::ALL
            .iter()
            .map(|lang| LanguageTag::new(lang.tag().to_owned()))
            .collect(),
    ))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query]))
    .set_grant_types_supported(Some(parse_all(&[
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
    ])))
    .set_token_endpoint_auth_methods_supported(Some(parse_all(AUTH_METHODS)))
    // OIDC Discovery §3: `request_uri_parameter_supported` defaults to true, so it must be said;
    // the other two default to false and are said for clarity. None of the three is supported.
    .set_claims_parameter_supported(Some(false))
    .set_request_parameter_supported(Some(false))
    .set_request_uri_parameter_supported(Some(false));
    Ok(metadata)
}

/// `url::ParseError` under a name that says where it comes from.
mod url_error {
    pub type Error = openidconnect::url::ParseError;
}

fn respond(state: &AppState) -> Response {
    let metadata = match build(state) {
        Ok(metadata) => metadata,
        Err(err) => {
            // Config::validate checks the issuer, so this is a bug, not the caller's fault.
            tracing::error!(error = %err, "issuer does not make valid endpoint URLs");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = Json(metadata).into_response();
    let cache = format!("public, max-age={}", state.config.jwks_max_age.as_secs());
    if let Ok(cache) = HeaderValue::from_str(&cache) {
        response.headers_mut().insert(header::CACHE_CONTROL, cache);
    }
    response
}

pub async fn openid_configuration_get(State(state): State<AppState>) -> Response {
    respond(&state)
}

pub async fn authorization_server_get(State(state): State<AppState>) -> Response {
    respond(&state)
}
