//! The authorization endpoint (RFC 6749 §4.1.1-§4.1.2.1, RFC 7636 §4.3-§4.4, OIDC Core §3.1.2).
//!
//! Built on oxide-auth's authorization-code state machine
//! (`oxide_auth_async::code_grant::authorization`): it validates the request, binds the redirect
//! URI through our registrar (the `clients` table), negotiates the scope, runs our extension
//! (PKCE, nonce) and, once the user has agreed, has our authorizer (the `authorization_codes`
//! table) mint the code and builds the redirect with `code` and `state`. Sesame decides the rest:
//! whether a session exists, whether consent is needed, the OIDC `prompt` values, and the rules
//! oxide-auth does not know (PKCE required for public clients, the client's allowed grants).
//!
//! Errors that cannot safely go back to the client (no or unknown client, a redirect URI that is
//! not registered) are `Err` and become an HTML page; all others redirect (RFC 6749 §4.1.2.1).

mod login;
mod oxide;
pub mod prompt;

use chrono::{DateTime, Utc};
use oxide_auth::code_grant::authorization::{Error as OxideError, Request};
use oxide_auth::code_grant::error::AuthorizationErrorType;
use oxide_auth_async::code_grant::authorization::authorization_code;
use std::borrow::Cow;
use url::Url;

pub use login::{LoginContext, login_context};
pub use oxide::{S256, Subject, is_pkce_value, pkce_verifies};
pub use prompt::mark_login_asked;
use prompt::{LoginConstraints, LoginStep};

use super::clients::{ClientKind, GrantType};
use super::scope::Scope;
use super::{Error, Internal};
use crate::state::AppState;

/// The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core
/// §3.1.2.1), already decoded; a repeated parameter was refused before.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Option<String>,
    pub response_mode: Option<String>,
    /// OIDC Core §3.1.2.1, in seconds; read by `prompt::parse_max_age`.
    pub max_age: Option<String>,
    pub id_token_hint: Option<String>,
    pub ui_locales: Option<String>,
    /// OIDC Core §6: request objects, which Sesame does not support.
    pub request: Option<String>,
    pub request_uri: Option<String>,
    /// [`prompt::LOGIN_ASKED_AT`]: Sesame's own marker, set when it sent the browser to log in.
    pub login_asked_at: Option<String>,
}

impl AuthorizationRequest {
    /// Reads the parameters through `get` (which answers `None` for absent or empty ones).
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> AuthorizationRequest {
        let take = |name: &str| get(name).map(str::to_owned);
        AuthorizationRequest {
            response_type: take("response_type"),
            client_id: take("client_id"),
            redirect_uri: take("redirect_uri"),
            scope: take("scope"),
            state: take("state"),
            code_challenge: take("code_challenge"),
            code_challenge_method: take("code_challenge_method"),
            nonce: take("nonce"),
            prompt: take("prompt"),
            response_mode: take("response_mode"),
            max_age: take("max_age"),
            id_token_hint: take("id_token_hint"),
            ui_locales: take("ui_locales"),
            request: take("request"),
            request_uri: take("request_uri"),
            login_asked_at: take(prompt::LOGIN_ASKED_AT),
        }
    }
}

impl Request for AuthorizationRequest {
    fn valid(&self) -> bool {
        true
    }
    fn client_id(&self) -> Option<Cow<'_, str>> {
        self.client_id.as_deref().map(Cow::Borrowed)
    }
    fn scope(&self) -> Option<Cow<'_, str>> {
        self.scope.as_deref().map(Cow::Borrowed)
    }
    fn redirect_uri(&self) -> Option<Cow<'_, str>> {
        self.redirect_uri.as_deref().map(Cow::Borrowed)
    }
    fn state(&self) -> Option<Cow<'_, str>> {
        self.state.as_deref().map(Cow::Borrowed)
    }
    fn response_type(&self) -> Option<Cow<'_, str>> {
        self.response_type.as_deref().map(Cow::Borrowed)
    }
    fn extension(&self, key: &str) -> Option<Cow<'_, str>> {
        let value = match key {
            "code_challenge" => &self.code_challenge,
            "code_challenge_method" => &self.code_challenge_method,
            "nonce" => &self.nonce,
            _ => &None,
        };
        value.as_deref().map(Cow::Borrowed)
    }
}

/// What the user decided on the consent page, if they were asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing decided yet (a `GET`).
    Undecided,
    Approve,
    Deny,
}

/// What the endpoint answers.
#[derive(Debug)]
pub enum Outcome {
    /// Nobody is signed in, or the request wants a new login or an account choice: show the
    /// login form, then come back to the request marked with `asked_at`
    /// ([`prompt::mark_login_asked`]).
    Login { asked_at: DateTime<Utc> },
    /// A third-party client: ask the user, posting the decision back to the same request.
    Consent {
        client_name: String,
        /// The client's registered logo, an `https` URL.
        client_logo: Option<String>,
        scope: Scope,
        /// The origin the decision will redirect to (for CSP `form-action`).
        redirect_origin: Option<String>,
        /// `ui_locales` (OIDC Core §3.1.2.1), most preferred first.
        ui_locales: Vec<String>,
    },
    /// Back to the client, with `code` or `error`, and `state`.
    Redirect(String),
}

/// Runs an authorization request for `subject` (the signed-in user, if any).
pub async fn authorize(
    state: &AppState,
    request: &AuthorizationRequest,
    subject: Option<Subject>,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let mut endpoint = oxide::CodeEndpoint::new(state, request.redirect_uri.clone(), now);
    let pending = match authorization_code(&mut endpoint, request).await {
        Ok(pending) => pending,
        Err(err) => return refused(&mut endpoint, request, err),
    };
    let client = endpoint
        .registrar
        .client()
        .cloned()
        .ok_or(Error::Internal(Internal::Flow("the client was not bound")))?;
    let redirect = pending.pre_grant().redirect_uri.to_url();
    let back = |error: &str, description: &str| {
        Ok(Outcome::Redirect(error_redirect(
            &redirect,
            request.state.as_deref(),
            error,
            description,
        )))
    };
    if !client.allows(GrantType::AuthorizationCode) {
        return back(
            "unauthorized_client",
            "this client may not use the authorization code grant",
        );
    }
    if request
        .response_mode
        .as_deref()
        .is_some_and(|m| m != "query")
    {
        return back("invalid_request", "only response_mode=query is supported");
    }
    if client.kind == ClientKind::Public && request.code_challenge.is_none() {
        return back(
            "invalid_request",
            "public clients must use PKCE: send code_challenge with code_challenge_method=S256",
        );
    }
    if request.request.is_some() {
        return back("request_not_supported", "request objects are not supported");
    }
    if request.request_uri.is_some() {
        return back("request_uri_not_supported", "request_uri is not supported");
    }
    let constraints = match LoginConstraints::read(state, request, now).await {
        Ok(constraints) => constraints,
        Err((error, why)) => return back(error, why),
    };
    let subject = match constraints.step(subject, now) {
        LoginStep::Proceed(subject) => subject,
        LoginStep::Login => return Ok(Outcome::Login { asked_at: now }),
        LoginStep::Refuse((error, why)) => return back(error, why),
    };
    // Sesame remembers no consent: third parties are asked every time, first parties when
    // `prompt=consent` says so (Core §3.1.2.1 "even if previously given" holds trivially).
    let needs_consent = !client.first_party || constraints.prompt.consent;
    match decision {
        Decision::Deny => return back("access_denied", "the user denied the request"),
        Decision::Undecided if needs_consent => {
            if constraints.prompt.none {
                return back("consent_required", "the user has not approved this client");
            }
            let scope = Scope::parse(&pending.pre_grant().scope.to_string())?;
            let redirect_origin = csp_origin(&redirect);
            return Ok(Outcome::Consent {
                client_name: client.name,
                client_logo: client.logo_uri,
                scope,
                redirect_origin,
                ui_locales: prompt::parse_ui_locales(request.ui_locales.as_deref()),
            });
        }
        Decision::Undecided | Decision::Approve => {}
    }
    endpoint.authorizer.subject = Some(subject);
    match pending
        .authorize(&mut endpoint, Cow::Owned(subject.user_id.to_string()))
        .await
    {
        Ok(url) => {
            metrics::counter!("sesame_authorization_codes_issued_total").increment(1);
            Ok(Outcome::Redirect(url.to_string()))
        }
        Err(_) => Err(endpoint.primitive_failure()),
    }
}

/// Maps oxide-auth's refusal: `Ignore` cannot go back to the client (an HTML page says why),
/// `Redirect` goes back with our description, `PrimitiveError` is ours.
fn refused(
    endpoint: &mut oxide::CodeEndpoint,
    request: &AuthorizationRequest,
    err: OxideError,
) -> Result<Outcome, Error> {
    match err {
        // oxide-auth's own error URL names the description `description`, not RFC 6749's
        // `error_description`: keep its error type, build the redirect here.
        OxideError::Redirect(mut target) => {
            let error = target.description().kind();
            let Some(redirect) = endpoint.registrar.bound_redirect_uri() else {
                return Err(Error::Internal(Internal::Flow(
                    "an error redirect without a bound URI",
                )));
            };
            let why = endpoint.extension.failure.take().unwrap_or(match error {
                AuthorizationErrorType::UnsupportedResponseType => "response_type must be code",
                AuthorizationErrorType::InvalidScope => "the scope is not allowed for this client",
                _ => "the request is invalid",
            });
            let state = request.state.as_deref();
            Ok(Outcome::Redirect(error_redirect(
                redirect,
                state,
                error.as_ref(),
                why,
            )))
        }
        OxideError::PrimitiveError => Err(endpoint.primitive_failure()),
        OxideError::Ignore => {
            let why = match endpoint.registrar.take_refusal() {
                Some(oxide::Refusal::Failed(err)) => return Err(err),
                Some(oxide::Refusal::UnknownClient) => "The application is unknown or disabled.",
                Some(oxide::Refusal::RedirectUriNotRegistered) => {
                    "The redirect_uri is not registered for this application."
                }
                Some(oxide::Refusal::RedirectUriRequired) => {
                    "The application has several redirect URIs: the request must name one."
                }
                None if request.client_id.is_none() => "The request has no client_id.",
                None => "The redirect_uri is not a valid URL.",
            };
            Err(Error::InvalidRequest(why.into()))
        }
    }
}

/// `redirect` with `error`, `error_description` and `state` added to its query (RFC 6749
/// §4.1.2.1), for the errors oxide-auth has no type for (OIDC's `login_required`, ...).
fn error_redirect(redirect: &Url, state: Option<&str>, error: &str, description: &str) -> String {
    let mut url = redirect.clone();
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("error", error);
        query.append_pair("error_description", description);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    url.to_string()
}

/// The CSP source for a redirect target: its origin, or `scheme:` for a custom scheme.
pub fn csp_origin(url: &Url) -> Option<String> {
    let origin = url.origin();
    if origin.is_tuple() {
        Some(origin.ascii_serialization())
    } else {
        Some(format!("{}:", url.scheme()))
    }
}
