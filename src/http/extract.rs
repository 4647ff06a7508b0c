//! Extractors whose rejections are ours: a strict form body (RFC 6749 §3.2: repeated parameters
//! are an error, empty ones are absent), client credentials (RFC 6749 §2.3.1) and Bearer tokens
//! (RFC 6750 §2.1).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode;

use crate::auth::clients::ClientCredentials;
use crate::crypto::secrets::Secret;
use crate::http::forwarded;
use crate::state::AppState;

/// The client of a request: the peer address of the connection, or, when that peer is one of
/// `trusted_proxies`, the client its forwarding headers name ([`forwarded::client_origin`]), and
/// whether that client used https. Requests without connect info (tests that drive the router
/// directly) have no address and count as plain http.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientOrigin {
    pub ip: Option<IpAddr>,
    pub https: bool,
}

impl FromRequestParts<AppState> for ClientOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(peer.map_or_else(ClientOrigin::default, |info| {
            let origin = forwarded::client_origin(
                info.0.ip(),
                &parts.headers,
                &state.config.trusted_proxies,
            );
            ClientOrigin {
                ip: Some(origin.ip),
                https: origin.https,
            }
        }))
    }
}

/// Why a form body was refused.
#[derive(Debug, thiserror::Error)]
pub enum FormRejection {
    #[error("the content type must be application/x-www-form-urlencoded")]
    ContentType,
    #[error("the request body is too large")]
    TooLarge,
    #[error("the request body could not be read")]
    Unreadable,
    #[error("the request body is not valid form data: {0}")]
    Malformed(String),
    #[error("parameter `{0}` is repeated")]
    Repeated(String),
    /// No stored value holds U+0000 (PostgreSQL's text cannot), so no parameter may: refused
    /// here, at the edge, rather than as a database error behind the handler.
    #[error("parameter `{0}` contains a NUL character")]
    NulCharacter(String),
}

impl FormRejection {
    pub fn status(&self) -> StatusCode {
        match self {
            FormRejection::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Surfaces take `Result<Form, FormRejection>` and answer in their own format; this plain answer
/// only exists because axum requires one.
impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        (self.status(), self.to_string()).into_response()
    }
}

/// The decoded parameters of an `application/x-www-form-urlencoded` body.
#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// A parameter's value; a parameter sent without a value is treated as omitted (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Parses a body strictly: invalid percent-encoding or UTF-8 and repeated names are refused,
    /// where a lenient parser would silently pick one value, and so is a NUL character (`%00`)
    /// in a name or a value ([`FormRejection::NulCharacter`], the name's NULs shown as U+FFFD).
    pub fn parse(body: &[u8]) -> Result<Params, FormRejection> {
        let mut map = HashMap::new();
        for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let name = decode_component(parts.next().unwrap_or_default())?;
            let value = decode_component(parts.next().unwrap_or_default())?;
            if name.contains('\0') || value.contains('\0') {
                return Err(FormRejection::NulCharacter(name.replace('\0', "\u{fffd}")));
            }
            if map.insert(name.clone(), value).is_some() {
                return Err(FormRejection::Repeated(name));
            }
        }
        Ok(Params(map))
    }
}

fn decode_component(raw: &[u8]) -> Result<String, FormRejection> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let decoded: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(decoded).map_err(|_| FormRejection::Malformed("invalid UTF-8".into()))
}

/// A strict form body; see [`Params::parse`].
pub struct Form(pub Params);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_content_type(req.headers(), "application/x-www-form-urlencoded") {
            return Err(FormRejection::ContentType);
        }
        let body = Bytes::from_request(req, state).await.map_err(|err| {
            if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                FormRejection::TooLarge
            } else {
                FormRejection::Unreadable
            }
        })?;
        Params::parse(&body).map(Form)
    }
}

/// Whether the request's media type (ignoring parameters such as `charset`) is `expected`.
pub fn has_content_type(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(expected))
}

/// Why client credentials could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsRejection {
    #[error("the Authorization header is not valid Basic credentials")]
    MalformedBasic,
    /// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    #[error("more than one client authentication method was used")]
    MultipleMethods,
}

/// Reads `client_secret_basic`, `client_secret_post` or a bare public `client_id`.
pub fn client_credentials(
    headers: &HeaderMap,
    params: &Params,
) -> Result<ClientCredentials, CredentialsRejection> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| strip_scheme(v, "Basic"));
    if let Some(encoded) = basic {
        if params.get("client_secret").is_some() {
            return Err(CredentialsRejection::MultipleMethods);
        }
        let (client_id, secret) =
            decode_basic(encoded).ok_or(CredentialsRejection::MalformedBasic)?;
        if params.get("client_id").is_some_and(|id| id != client_id) {
            return Err(CredentialsRejection::MultipleMethods);
        }
        return Ok(ClientCredentials::Secret {
            client_id,
            secret: Secret::from(secret),
        });
    }
    Ok(
        match (params.get("client_id"), params.get("client_secret")) {
            (Some(id), Some(secret)) => ClientCredentials::Secret {
                client_id: id.to_owned(),
                secret: Secret::from(secret.to_owned()),
            },
            (Some(id), None) => ClientCredentials::Public {
                client_id: id.to_owned(),
            },
            _ => ClientCredentials::Missing,
        },
    )
}

/// RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = decode_component(id.as_bytes()).ok()?;
    let secret = decode_component(secret.as_bytes()).ok()?;
    let storable = !id.contains('\0') && !secret.contains('\0');
    (!id.is_empty() && storable).then_some((id, secret))
}

/// The credentials after `scheme ` in an Authorization header (scheme compared case-insensitively).
pub fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (found, rest) = value.split_once(' ')?;
    found.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// The Bearer token of a request, if its Authorization header has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| strip_scheme(v, "Bearer"))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn parses_plus_and_percent() {
        let params = Params::parse(b"a=b+c&d=%C3%A9&e=").unwrap();
        assert_eq!(params.get("a"), Some("b c"));
        assert_eq!(params.get("d"), Some("\u{e9}"));
        assert_eq!(params.get("e"), None);
    }

    #[test]
    fn refuses_repeats_and_bad_utf8() {
        assert!(matches!(Params::parse(b"a=1&a=2"), Err(FormRejection::Repeated(n)) if n == "a"));
        assert!(matches!(
            Params::parse(b"a=%FF"),
            Err(FormRejection::Malformed(_))
        ));
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encoded = STANDARD.encode("my%20app:s%3Acret");
        assert_eq!(
            decode_basic(&encoded),
            Some(("my app".to_owned(), "s:cret".to_owned()))
        );
        assert_eq!(decode_basic("!!!"), None);
    }

    #[test]
    fn a_nul_character_is_refused_in_any_name_or_value() {
        for body in [&b"client_id=%00"[..], b"a=x%00y", b"a%00=1", b"ok=1&b=\0"] {
            assert!(
                matches!(Params::parse(body), Err(FormRejection::NulCharacter(_))),
                "{body:?}"
            );
        }
        assert!(matches!(
            Params::parse(b"a%00b=1"),
            Err(FormRejection::NulCharacter(name)) if name == "a\u{fffd}b"
        ));
        for credentials in ["app%00:secret", "app:se%00cret", "app\0:secret"] {
            assert_eq!(
                decode_basic(&STANDARD.encode(credentials)),
                None,
                "{credentials}"
            );
        }
    }
}

#[cfg(test)]
#[path = "extract_props.rs"]
mod props;
