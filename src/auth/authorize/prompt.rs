//! The authentication-request parameters that constrain the login (OIDC Core §3.1.2.1, made
//! mandatory for every OP by §15.1): `prompt`, `max_age` and `id_token_hint`, and the decision
//! they lead to once the request is known to be valid — go on, show the login form first, or go
//! back to the client with one of §3.1.2.6's errors.
//!
//! Re-authentication must not loop: the login form comes back to the same request, which still
//! says `prompt=login`. So the request Sesame sends to the login form carries
//! [`LOGIN_ASKED_AT`], the time it asked; a session whose `auth_time` is not older than that
//! time has logged in for this request. The marker is not a secret: whoever holds the browser can
//! drop it, but can equally drop `prompt=login` itself, and the ID token's `auth_time` tells the
//! relying party the truth either way (§3.1.2.1: "the RP SHOULD check the auth_time Claim").

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::super::Error;
use super::super::end_session::read_id_token_hint;
use super::{AuthorizationRequest, Subject};
use crate::state::AppState;

/// The query parameter that records when Sesame sent the browser to the login form for this
/// request, in Unix milliseconds. Sesame's own; a relying party has no reason to send it.
pub const LOGIN_ASKED_AT: &str = "sesame_login_asked_at";

/// The `prompt` values of OIDC Core §3.1.2.1 that Sesame acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    /// "MUST NOT display any authentication or consent user interface pages."
    pub none: bool,
    /// "SHOULD prompt the End-User for reauthentication."
    pub login: bool,
    /// "SHOULD prompt the End-User for consent before returning information to the Client."
    pub consent: bool,
    /// "SHOULD prompt the End-User to select a user account."
    pub select_account: bool,
}

/// The values `prompt_values_supported` advertises (OpenID Connect Prompt Create §4.1).
pub const PROMPT_VALUES: &[&str] = &["none", "login", "consent", "select_account"];

impl Prompt {
    /// Reads a space-delimited `prompt`. Values Sesame does not know are ignored: Core §3.1.2.1
    /// (errata set 2) lets an OP "return an error or ... ignore it", and notes that ignoring
    /// "will help facilitate phasing in extensions using new prompt values" (`create`, ...).
    ///
    /// Errors: "If this parameter contains none with any other value, an error is returned"
    /// (`invalid_request`, with the description given here).
    pub fn parse(value: Option<&str>) -> Result<Prompt, &'static str> {
        let mut prompt = Prompt::default();
        let mut values = 0;
        for value in value
            .unwrap_or_default()
            .split(' ')
            .filter(|v| !v.is_empty())
        {
            values += 1;
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                "select_account" => prompt.select_account = true,
                _ => {}
            }
        }
        if prompt.none && values > 1 {
            return Err("prompt=none cannot be combined with other values");
        }
        Ok(prompt)
    }
}

/// Reads `max_age`: "the allowable elapsed time in seconds since the last time the End-User was
/// actively authenticated" (Core §3.1.2.1), a non-negative integer.
pub fn parse_max_age(value: Option<&str>) -> Result<Option<Duration>, &'static str> {
    let Some(value) = value else {
        return Ok(None);
    };
    let invalid = "max_age must be a non-negative integer number of seconds";
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid);
    }
    let seconds: u64 = value.parse().map_err(|_| invalid)?;
    Ok(Some(Duration::from_secs(seconds)))
}

/// Reads `ui_locales`: "space-separated list of BCP47 language tag values, ordered by
/// preference" (Core §3.1.2.1). Kept as sent; no page is translated yet.
pub fn parse_ui_locales(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(' ')
        .filter(|tag| !tag.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The request's constraints on who is signed in and since when, read and checked.
#[derive(Clone, Debug, Default)]
pub struct LoginConstraints {
    pub prompt: Prompt,
    pub max_age: Option<Duration>,
    /// The user `id_token_hint` names.
    pub hinted_user: Option<i64>,
    /// When Sesame sent the browser to the login form for this request ([`LOGIN_ASKED_AT`]).
    pub login_asked_at: Option<DateTime<Utc>>,
}

/// Why a request cannot go on without the user: OIDC Core §3.1.2.6 `error` and a description.
pub type Refusal = (&'static str, &'static str);

/// What the login constraints decide for a valid request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginStep {
    /// The signed-in user satisfies the request.
    Proceed(Subject),
    /// Show the login form (it offers the signed-in account when `select_account` asked).
    Login,
    /// Back to the client with this error.
    Refuse(Refusal),
}

impl LoginConstraints {
    /// Reads `prompt`, `max_age`, `id_token_hint` and the login marker.
    ///
    /// Errors: `Err((error, description))` for the client: `invalid_request` for a malformed
    /// `prompt`, `max_age` or `id_token_hint` (not an ID token Sesame signed; expired is fine).
    pub async fn read(
        state: &AppState,
        request: &AuthorizationRequest,
        now: DateTime<Utc>,
    ) -> Result<LoginConstraints, Refusal> {
        let invalid = |why| ("invalid_request", why);
        let prompt = Prompt::parse(request.prompt.as_deref()).map_err(invalid)?;
        let max_age = parse_max_age(request.max_age.as_deref()).map_err(invalid)?;
        let hinted_user = match &request.id_token_hint {
            Some(token) => match read_id_token_hint(state, token, now).await {
                Ok(hint) => Some(hint.user_id),
                Err(Error::InvalidRequest(_)) => {
                    return Err(invalid("id_token_hint is not an ID token issued by Sesame"));
                }
                Err(_) => return Err(("server_error", "the id_token_hint could not be read")),
            },
            None => None,
        };
        let login_asked_at = request
            .login_asked_at
            .as_deref()
            .and_then(|millis| millis.parse().ok())
            .and_then(DateTime::from_timestamp_millis);
        Ok(LoginConstraints {
            prompt,
            max_age,
            hinted_user,
            login_asked_at,
        })
    }

    /// Decides for `subject` (the signed-in user, if any) at `now`, in §3.1.2.1's terms:
    /// `prompt=login`, `max_age=0` ("equivalent to prompt=login") and a login older than
    /// `max_age` need a login made for this request; `id_token_hint` must name the signed-in user
    /// ("otherwise, it SHOULD return an error, such as login_required"); `select_account` shows
    /// the account once. With `prompt=none` every one of these is `login_required` instead.
    pub fn step(&self, subject: Option<Subject>, now: DateTime<Utc>) -> LoginStep {
        let ask = |why| {
            if self.prompt.none {
                LoginStep::Refuse(("login_required", why))
            } else {
                LoginStep::Login
            }
        };
        let Some(subject) = subject else {
            return ask("the user is not signed in");
        };
        let logged_in_for_this_request = self
            .login_asked_at
            .is_some_and(|asked| subject.auth_time >= asked);
        if !logged_in_for_this_request {
            if self.prompt.login {
                return ask("prompt=login asks for a new login");
            }
            if self.max_age.is_some_and(|max| too_old(subject, max, now)) {
                return ask("the login is older than max_age");
            }
        }
        if self
            .hinted_user
            .is_some_and(|hinted| hinted != subject.user_id)
        {
            if self.login_asked_at.is_some() {
                return LoginStep::Refuse((
                    "login_required",
                    "the signed-in user is not the one id_token_hint names",
                ));
            }
            return ask("the signed-in user is not the one id_token_hint names");
        }
        if self.prompt.select_account && self.login_asked_at.is_none() {
            return LoginStep::Login;
        }
        LoginStep::Proceed(subject)
    }
}

/// Whether the login is older than `max_age`; `max_age=0` always is (Core §3.1.2.1). Compared
/// in whole seconds, as the ID token carries `auth_time` and `iat`, so the relying party's check
/// of the token agrees with this one on either database's timestamp precision.
fn too_old(subject: Subject, max_age: Duration, now: DateTime<Utc>) -> bool {
    let elapsed = now
        .timestamp()
        .saturating_sub(subject.auth_time.timestamp());
    let max_age = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
    max_age == 0 || elapsed > max_age
}

/// `query` (an authorization request's, as received) with [`LOGIN_ASKED_AT`] set to `asked_at`,
/// replacing any earlier value: the request the login form comes back to. The rest of the query
/// is kept byte for byte.
pub fn mark_login_asked(query: &str, asked_at: DateTime<Utc>) -> String {
    let prefix = format!("{LOGIN_ASKED_AT}=");
    let mut marked: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&prefix) && *pair != LOGIN_ASKED_AT)
        .collect();
    let marker = format!("{prefix}{}", asked_at.timestamp_millis());
    marked.push(&marker);
    marked.join("&")
}

#[cfg(test)]
#[path = "prompt_tests.rs"]
mod tests;
