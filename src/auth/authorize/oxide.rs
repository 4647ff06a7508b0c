//! Sesame's implementations of oxide-auth's async primitives, backed by the database: the
//! registrar is the `clients` table, the authorizer the `authorization_codes` table, and the
//! extension carries PKCE (RFC 7636, checked with oxide-auth's `Pkce`) and the OIDC nonce from the
//! request to the code.
//!
//! oxide-auth's traits answer `Err(())`; each primitive keeps the real reason (an unknown client,
//! a database error) so the caller can report it instead of a bare "primitive error".

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oxide_auth::code_grant::authorization::Request;
use oxide_auth::code_grant::extensions::Pkce;
use oxide_auth::primitives::grant::{Extensions, Grant, GrantExtension, Value};
use oxide_auth::primitives::registrar::{
    BoundClient, ClientUrl, ExactUrl, PreGrant, RegisteredUrl, RegistrarError,
};
use oxide_auth::primitives::scope::Scope as OxideScope;
use oxide_auth_async::code_grant::authorization::{Endpoint, Extension};
use oxide_auth_async::primitives::{Authorizer, Registrar};
use tokio::sync::OnceCell;
use url::Url;

use super::super::clients::{self, Client, ClientCredentials};
use super::super::redirect_uri;
use super::super::scope::Scope;
use super::super::{Error, Internal};
use crate::crypto::secrets::{self, Secret};
use crate::state::AppState;
use crate::store;

/// A value the extension hands to the authorizer through the grant.
struct Param(&'static str);

impl GrantExtension for Param {
    fn identifier(&self) -> &'static str {
        self.0
    }
}

const NONCE: Param = Param("nonce");
const CODE_CHALLENGE: Param = Param("code_challenge");
const CODE_CHALLENGE_METHOD: Param = Param("code_challenge_method");

/// The only PKCE method Sesame accepts; `plain` is refused (RFC 9700 §2.1.1).
pub const S256: &str = "S256";
/// Longest nonce accepted: it is stored and copied into the ID token.
const MAX_NONCE_LEN: usize = 512;

/// Why the registrar refused to bind a client; reported on the HTML error page.
#[derive(Debug)]
pub(super) enum Refusal {
    UnknownClient,
    RedirectUriNotRegistered,
    RedirectUriRequired,
    Failed(Error),
}

/// The `clients` table as an oxide-auth registrar. The client is read once per request.
pub(super) struct ClientRegistrar {
    state: AppState,
    now: DateTime<Utc>,
    client: OnceCell<Option<Client>>,
    /// The redirect URI the request was bound to.
    bound: OnceLock<Url>,
    refusal: Mutex<Option<Refusal>>,
}

impl ClientRegistrar {
    /// The client the request named, once `bound_redirect` has looked it up.
    pub(super) fn client(&self) -> Option<&Client> {
        self.client.get().and_then(Option::as_ref)
    }

    /// The redirect URI the request was bound to, once it was.
    pub(super) fn bound_redirect_uri(&self) -> Option<&Url> {
        self.bound.get()
    }

    pub(super) fn take_refusal(&self) -> Option<Refusal> {
        self.refusal.lock().ok().and_then(|mut slot| slot.take())
    }

    fn refuse(&self, refusal: Refusal) -> RegistrarError {
        let error = match refusal {
            Refusal::Failed(_) => RegistrarError::PrimitiveError,
            _ => RegistrarError::Unspecified,
        };
        if let Ok(mut slot) = self.refusal.lock() {
            *slot = Some(refusal);
        }
        error
    }

    async fn load(&self, client_id: &str) -> Result<Option<&Client>, RegistrarError> {
        let loaded = self
            .client
            .get_or_try_init(|| clients::find_client(&self.state, client_id))
            .await;
        match loaded {
            Ok(client) => Ok(client.as_ref().filter(|c| c.client_id == client_id)),
            Err(err) => Err(self.refuse(Refusal::Failed(err))),
        }
    }
}

#[async_trait]
impl Registrar for ClientRegistrar {
    /// RFC 6749 §3.1.2.3: the redirect URI must match a registered one exactly (string
    /// comparison, no normalisation; any port on a loopback IP literal, RFC 8252 §7.3); it may be
    /// omitted only when exactly one is registered.
    async fn bound_redirect<'a>(
        &self,
        bound: ClientUrl<'a>,
    ) -> Result<BoundClient<'a>, RegistrarError> {
        let Some(client) = self.load(&bound.client_id).await? else {
            return Err(self.refuse(Refusal::UnknownClient));
        };
        let registered = &client.redirect_uris;
        let chosen = match &bound.redirect_uri {
            Some(given)
                if registered
                    .iter()
                    .any(|r| redirect_uri::matches(r, given.as_str())) =>
            {
                given.clone().into_owned()
            }
            Some(_) => return Err(self.refuse(Refusal::RedirectUriNotRegistered)),
            None => match registered.as_slice() {
                [only] => ExactUrl::new(only.clone())
                    .map_err(|_| self.refuse(Refusal::RedirectUriNotRegistered))?,
                _ => return Err(self.refuse(Refusal::RedirectUriRequired)),
            },
        };
        let _ = self.bound.set(chosen.to_url());
        Ok(BoundClient {
            client_id: bound.client_id,
            redirect_uri: Cow::Owned(RegisteredUrl::Exact(chosen)),
        })
    }

    /// The scope asked for if the client may have all of it, everything it may have if none
    /// was asked for; anything else is `invalid_scope`.
    async fn negotiate<'a>(
        &self,
        bound: BoundClient<'a>,
        scope: Option<OxideScope>,
    ) -> Result<PreGrant, RegistrarError> {
        let Some(client) = self.client() else {
            return Err(self.refuse(Refusal::UnknownClient));
        };
        let requested = scope
            .map(|s| Scope::parse(&s.to_string()))
            .transpose()
            .map_err(|_| RegistrarError::Unspecified)?;
        let granted =
            Scope::grant(requested, &client.scopes).map_err(|_| RegistrarError::Unspecified)?;
        let scope = granted
            .to_string()
            .parse()
            .map_err(|_| RegistrarError::Unspecified)?;
        Ok(PreGrant {
            client_id: client.client_id.clone(),
            redirect_uri: bound.redirect_uri.into_owned(),
            scope,
        })
    }

    async fn check(
        &self,
        client_id: &str,
        passphrase: Option<&[u8]>,
    ) -> Result<(), RegistrarError> {
        let credentials = match passphrase {
            Some(secret) => ClientCredentials::Secret {
                client_id: client_id.to_owned(),
                secret: Secret::from(String::from_utf8_lossy(secret).into_owned()),
            },
            None => ClientCredentials::Public {
                client_id: client_id.to_owned(),
            },
        };
        match clients::authenticate_client(&self.state, credentials, self.now).await {
            Ok(_) => Ok(()),
            Err(Error::InvalidClient) => Err(RegistrarError::Unspecified),
            Err(err) => Err(self.refuse(Refusal::Failed(err))),
        }
    }
}

/// Whether `value` is 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1, §4.2).
pub fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Reads PKCE and the nonce from the request into the grant's extensions.
#[derive(Default)]
pub(super) struct RequestExtension {
    /// Why the request was refused, for `error_description`.
    pub(super) failure: Option<&'static str>,
}

impl RequestExtension {
    fn fail(&mut self, why: &'static str) -> Result<Extensions, ()> {
        self.failure = Some(why);
        Err(())
    }
}

#[async_trait]
impl Extension for RequestExtension {
    async fn extend(&mut self, request: &(dyn Request + Sync)) -> Result<Extensions, ()> {
        let mut extensions = Extensions::new();
        if let Some(nonce) = request.extension("nonce") {
            if nonce.len() > MAX_NONCE_LEN {
                return self.fail("nonce is too long");
            }
            extensions.set(&NONCE, Value::private(Some(nonce.into_owned())));
        }
        let method = request.extension("code_challenge_method");
        let Some(challenge) = request.extension("code_challenge") else {
            if method.is_some() {
                return self.fail("code_challenge_method was sent without code_challenge");
            }
            return Ok(extensions);
        };
        if !is_pkce_value(&challenge) {
            return self.fail("code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]");
        }
        // RFC 7636 §4.3: a missing method means `plain`, which oxide-auth refuses unless allowed.
        if Pkce::optional()
            .challenge(method, Some(challenge.clone()))
            .is_err()
        {
            return self.fail("code_challenge_method must be S256");
        }
        extensions.set(
            &CODE_CHALLENGE,
            Value::private(Some(challenge.into_owned())),
        );
        extensions.set(
            &CODE_CHALLENGE_METHOD,
            Value::private(Some(S256.to_owned())),
        );
        Ok(extensions)
    }
}

/// Checks a code verifier against the stored challenge with oxide-auth's `Pkce` (RFC 7636 §4.6).
pub fn pkce_verifies(challenge: &str, method: Option<&str>, verifier: &str) -> bool {
    let pkce = Pkce::required();
    let encoded = pkce.challenge(method.map(Cow::Borrowed), Some(Cow::Borrowed(challenge)));
    encoded.is_ok_and(|encoded| pkce.verify(encoded, Some(Cow::Borrowed(verifier))).is_ok())
}

/// The user who approved, and when they authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    pub user_id: i64,
    pub auth_time: DateTime<Utc>,
}

/// The `authorization_codes` table as an oxide-auth authorizer.
pub(super) struct CodeAuthorizer {
    state: AppState,
    now: DateTime<Utc>,
    /// The redirect URI exactly as the request sent it (RFC 6749 §4.1.3 compares against it).
    pub(super) redirect_uri: Option<String>,
    pub(super) subject: Option<Subject>,
    pub(super) failure: Option<Error>,
}

fn private(extensions: &mut Extensions, param: &Param) -> Option<String> {
    extensions
        .remove(param)
        .and_then(|value| value.into_private_value().ok().flatten())
}

impl CodeAuthorizer {
    /// Stores the code's hash with everything it is bound to; the code lives
    /// `authorization_code_lifetime` from `now` (oxide-auth's own `until` is not used: it reads
    /// the clock itself and fixes ten minutes).
    async fn store(&mut self, mut grant: Grant) -> Result<String, Error> {
        let subject = self
            .subject
            .ok_or_else(|| Error::InvalidRequest("no user approved this request".into()))?;
        if grant.owner_id != subject.user_id.to_string() {
            return Err(Error::InvalidRequest("the approving user changed".into()));
        }
        let lifetime = chrono::Duration::from_std(self.state.config.authorization_code_lifetime)
            .unwrap_or(chrono::Duration::MAX);
        let code = secrets::random_token(32);
        let insert = store::authorization_codes::insert(
            &self.state.db,
            store::authorization_codes::NewAuthorizationCode {
                code_hash: secrets::sha256_hex(&code),
                client_id: grant.client_id,
                user_id: subject.user_id,
                redirect_uri: self.redirect_uri.clone(),
                scope: Scope::parse(&grant.scope.to_string())?.to_string(),
                nonce: private(&mut grant.extensions, &NONCE),
                code_challenge: private(&mut grant.extensions, &CODE_CHALLENGE),
                code_challenge_method: private(&mut grant.extensions, &CODE_CHALLENGE_METHOD),
                auth_time: subject.auth_time,
                created_at: self.now,
                expires_at: self.now + lifetime,
            },
        );
        self.state.writes.run(insert).await?;
        Ok(code)
    }
}

#[async_trait]
impl Authorizer for CodeAuthorizer {
    async fn authorize(&mut self, grant: Grant) -> Result<String, ()> {
        match self.store(grant).await {
            Ok(code) => Ok(code),
            Err(err) => {
                self.failure = Some(err);
                Err(())
            }
        }
    }

    /// Codes are redeemed only by `auth::code::exchange_code`, which `Result<Option<Grant>, ()>`
    /// cannot express: a second use must revoke what the first issued, and PKCE must be checked
    /// against the stored challenge. A second, weaker redemption path would be a hole, so this
    /// one refuses.
    async fn extract(&mut self, _code: &str) -> Result<Option<Grant>, ()> {
        Err(())
    }
}

/// The endpoint oxide-auth's authorization-code flow runs against.
pub(super) struct CodeEndpoint {
    pub(super) registrar: ClientRegistrar,
    pub(super) extension: RequestExtension,
    pub(super) authorizer: CodeAuthorizer,
}

impl CodeEndpoint {
    pub(super) fn new(state: &AppState, redirect_uri: Option<String>, now: DateTime<Utc>) -> Self {
        CodeEndpoint {
            registrar: ClientRegistrar {
                state: state.clone(),
                now,
                client: OnceCell::new(),
                bound: OnceLock::new(),
                refusal: Mutex::new(None),
            },
            extension: RequestExtension::default(),
            authorizer: CodeAuthorizer {
                state: state.clone(),
                now,
                redirect_uri,
                subject: None,
                failure: None,
            },
        }
    }

    /// The error behind an oxide-auth `PrimitiveError`.
    pub(super) fn primitive_failure(&mut self) -> Error {
        if let Some(Refusal::Failed(err)) = self.registrar.take_refusal() {
            return err;
        }
        self.authorizer
            .failure
            .take()
            .unwrap_or(Error::Internal(Internal::Flow("a primitive failed")))
    }
}

impl Endpoint for CodeEndpoint {
    fn registrar(&self) -> &(dyn Registrar + Sync) {
        &self.registrar
    }

    fn authorizer(&mut self) -> &mut (dyn Authorizer + Send) {
        &mut self.authorizer
    }

    fn extension(&mut self) -> &mut (dyn Extension + Send) {
        &mut self.extension
    }
}

#[cfg(test)]
#[path = "oxide_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "oxide_props.rs"]
mod props;
