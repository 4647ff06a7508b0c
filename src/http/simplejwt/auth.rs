//! simplejwt's `JWTAuthentication` for `/api/me/` and the compat profile: the `Authorization`
//! header split on whitespace, its scheme compared exactly with `auth_header_types`, then the
//! token's signature checked once and its type tried against each of `auth_token_classes` in turn
//! through the domain's one Bearer check, which also refuses revoked tokens and inactive users.

use axum::http::{HeaderMap, header};

use super::error::{AuthError, TokenClassMessage};
use crate::auth::tokens::{self, AuthenticatedAccess};
use crate::auth::{Error, TokenError};
use crate::config::AuthTokenClass;
use crate::entities::users;
use crate::state::AppState;

/// An authenticated caller: the verified access (or sliding) token and its active user.
#[derive(Debug)]
pub struct Caller {
    pub access: AuthenticatedAccess,
    pub user: users::Model,
}

/// Authenticates a request as `JWTAuthentication.authenticate` does, with its errors.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, AuthError> {
    let token = raw_token(headers, &state.config.auth_header_types)?;
    // A token that is not UTF-8 cannot be one of ours: every class says it is invalid.
    let token = std::str::from_utf8(token).unwrap_or("\u{0}");
    let now = state.now();
    // One signature check, whatever the number of classes: only the type differs between them.
    // Each class but the last gets a copy of the claims; the last (usually the only) takes them.
    let mut verified = Some(tokens::verify_signature(state, token, now).await);
    let classes = &state.config.auth_token_classes;
    let mut messages = Vec::new();
    for (n, class) in classes.iter().enumerate() {
        let (token_class, token_type) = names(*class);
        let this = if n + 1 == classes.len() {
            verified.take()
        } else {
            verified.clone()
        };
        let outcome = match this {
            Some(Ok(verified)) => {
                tokens::authenticate_verified(state, verified, &[token_type], now).await
            }
            Some(Err(error)) => Err(Error::Token(error)),
            None => break,
        };
        match outcome {
            Ok(access) => {
                let user = access.user.clone().ok_or(AuthError::NoUserId)?;
                return Ok(Caller { access, user });
            }
            // The token was fine; its user is not (simplejwt's get_user).
            Err(Error::Token(TokenError::UserNotFound)) => return Err(AuthError::UserNotFound),
            Err(Error::Token(TokenError::UserInactive)) => return Err(AuthError::UserInactive),
            Err(Error::Token(error)) => messages.push(TokenClassMessage {
                token_class,
                token_type,
                error,
            }),
            Err(err) => return Err(AuthError::Internal(err)),
        }
    }
    Err(AuthError::NoValidToken(messages))
}

/// `get_raw_token`: no header, an empty one or another scheme is "not provided"; a known scheme
/// with anything but exactly one token after it is a bad header.
fn raw_token<'a>(headers: &'a HeaderMap, types: &[String]) -> Result<&'a [u8], AuthError> {
    let header = headers
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::NotProvided)?;
    let parts: Vec<&[u8]> = header
        .as_bytes()
        .split(u8::is_ascii_whitespace)
        .filter(|part| !part.is_empty())
        .collect();
    let Some(scheme) = parts.first() else {
        return Err(AuthError::NotProvided);
    };
    if !types.iter().any(|t| t.as_bytes() == *scheme) {
        return Err(AuthError::NotProvided);
    }
    match parts.as_slice() {
        [_, token] => Ok(token),
        _ => Err(AuthError::BadHeader),
    }
}

/// simplejwt's class name and `token_type` for a configured token class.
fn names(class: AuthTokenClass) -> (&'static str, &'static str) {
    match class {
        AuthTokenClass::AccessToken => ("AccessToken", tokens::ACCESS),
        AuthTokenClass::SlidingToken => ("SlidingToken", tokens::SLIDING),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn parse(value: &[u8]) -> Result<Vec<u8>, &'static str> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_bytes(value).unwrap_or(HeaderValue::from_static("")),
        );
        let types = ["Bearer".to_owned(), "JWT".to_owned()];
        raw_token(&headers, &types)
            .map(<[u8]>::to_vec)
            .map_err(|err| match err {
                AuthError::NotProvided => "not provided",
                AuthError::BadHeader => "bad header",
                _ => "other",
            })
    }

    #[test]
    fn headers_split_as_python_does() {
        assert_eq!(parse(b"Bearer abc"), Ok(b"abc".to_vec()));
        assert_eq!(parse(b"JWT \t abc  "), Ok(b"abc".to_vec()));
        assert_eq!(parse(b"bearer abc"), Err("not provided"));
        assert_eq!(parse(b"Basic abc"), Err("not provided"));
        assert_eq!(parse(b""), Err("not provided"));
        assert_eq!(parse(b"Bearer"), Err("bad header"));
        assert_eq!(parse(b"Bearer a b"), Err("bad header"));
    }
}
