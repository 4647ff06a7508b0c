//! The client form's rules: what a name, redirect URI, grant list, scope, audience and token
//! lifetime may be, checked all at once so the form can show every problem next to its field.
//!
//! Redirect URIs follow `auth::redirect_uri::check`, the rule every surface registering a client
//! shares.

use std::time::Duration;

use super::{AdminError, FieldErrors, Problem};
use crate::auth::clients::{ClientKind, GrantType};
use crate::auth::redirect_uri;
use crate::auth::scope::Scope;

/// The longest token lifetime an admin may set.
const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

/// A client's settings as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct ClientInput {
    pub name: String,
    /// One URI per line (or separated by spaces).
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    /// Grant names: `authorization_code`, `refresh_token`, `client_credentials`, `password`.
    pub grant_types: Vec<String>,
    /// Space-separated.
    pub scopes: String,
    pub audience: String,
    /// Human durations (`15m`, `30d`); empty means the server's default.
    pub access_token_lifetime: String,
    pub refresh_token_lifetime: String,
    /// The client's logo (RFC 7591 §2), an `https` URL; empty means none.
    pub logo_uri: String,
    pub first_party: bool,
}

/// Settings that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSettings {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub access_token_lifetime: Option<Duration>,
    pub refresh_token_lifetime: Option<Duration>,
    pub logo_uri: Option<String>,
    pub first_party: bool,
}

impl ClientInput {
    /// Applies the rules for a client of `kind`; every broken rule is reported at its field.
    pub fn parse(&self, kind: ClientKind) -> Result<ClientSettings, AdminError> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", Problem::Required);
        } else if name.chars().count() > 100 {
            errors.add("name", Problem::TooLong(100));
        }
        let redirect_uris = parse_uris(&self.redirect_uris, "redirect_uris", kind, &mut errors);
        let post_logout_redirect_uris = parse_uris(
            &self.post_logout_redirect_uris,
            "post_logout_redirect_uris",
            kind,
            &mut errors,
        );
        let grant_types = parse_grants(&self.grant_types, kind, &mut errors);
        if grant_types.contains(&GrantType::AuthorizationCode) && redirect_uris.is_empty() {
            errors.add("redirect_uris", Problem::RedirectUriNeeded);
        }
        let scopes =
            match Scope::parse(&self.scopes.split_whitespace().collect::<Vec<_>>().join(" ")) {
                Ok(scope) => scope.iter().map(str::to_owned).collect(),
                Err(_) => {
                    errors.add("scopes", Problem::ScopeSyntax);
                    Vec::new()
                }
            };
        let audience = Some(self.audience.trim().to_owned()).filter(|a| !a.is_empty());
        if audience
            .as_ref()
            .is_some_and(|a| a.contains(char::is_whitespace) || a.len() > 200)
        {
            errors.add("audience", Problem::Audience);
        }
        let access_token_lifetime = parse_lifetime(
            &self.access_token_lifetime,
            "access_token_lifetime",
            &mut errors,
        );
        let refresh_token_lifetime = parse_lifetime(
            &self.refresh_token_lifetime,
            "refresh_token_lifetime",
            &mut errors,
        );
        let logo_uri = Some(self.logo_uri.trim().to_owned()).filter(|u| !u.is_empty());
        if logo_uri
            .as_deref()
            .is_some_and(|uri| redirect_uri::check_logo(uri).is_err())
        {
            errors.add("logo_uri", Problem::LogoUri);
        }
        errors.into_result(ClientSettings {
            name,
            redirect_uris,
            post_logout_redirect_uris,
            grant_types,
            scopes,
            audience,
            access_token_lifetime,
            refresh_token_lifetime,
            logo_uri,
            first_party: self.first_party,
        })
    }
}

fn parse_uris(
    raw: &str,
    field: &'static str,
    kind: ClientKind,
    errors: &mut FieldErrors,
) -> Vec<String> {
    let uris: Vec<String> = raw.split_whitespace().map(str::to_owned).collect();
    for uri in &uris {
        if let Err(problem) = redirect_uri::check(uri, kind == ClientKind::Public) {
            let uri = uri.clone();
            errors.add(field, Problem::Uri { uri, problem });
        }
    }
    let mut unique = Vec::with_capacity(uris.len());
    for uri in uris {
        if !unique.contains(&uri) {
            unique.push(uri);
        }
    }
    unique
}

fn parse_grants(raw: &[String], kind: ClientKind, errors: &mut FieldErrors) -> Vec<GrantType> {
    let mut grants = Vec::new();
    for name in raw {
        match name.parse::<GrantType>() {
            Ok(grant) if !grants.contains(&grant) => grants.push(grant),
            Ok(_) => {}
            Err(_) => errors.add("grant_types", Problem::UnknownGrant(name.clone())),
        }
    }
    if grants.is_empty() {
        errors.add("grant_types", Problem::NoGrant);
    }
    let secretless = [GrantType::Password, GrantType::ClientCredentials];
    if kind == ClientKind::Public && grants.iter().any(|g| secretless.contains(g)) {
        // RFC 9700 §2.4: a client that cannot keep a secret may not use these grants.
        errors.add("grant_types", Problem::PublicClientGrant);
    }
    grants
}

fn parse_lifetime(raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<Duration> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match humantime::parse_duration(raw) {
        Ok(d) if d.as_secs() >= 1 && d <= MAX_LIFETIME => Some(d),
        Ok(_) => {
            errors.add(field, Problem::LifetimeRange);
            None
        }
        Err(_) => {
            errors.add(field, Problem::LifetimeSyntax);
            None
        }
    }
}

/// Parses a client id typed for a new client: empty means "generate one".
pub(super) fn parse_client_id(raw: &str) -> Result<Option<String>, AdminError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    // `/admin/clients/new` is the form for a new client, so no client may be called that.
    if raw == "new" {
        return Err(AdminError::field("client_id", Problem::ClientIdReserved));
    }
    if raw.len() > 64 || !raw.chars().all(allowed) {
        return Err(AdminError::field("client_id", Problem::ClientIdSyntax));
    }
    Ok(Some(raw.to_owned()))
}

/// Parses the client kind of the form.
pub fn parse_kind(raw: &str) -> Result<ClientKind, AdminError> {
    match raw {
        "confidential" => Ok(ClientKind::Confidential),
        "public" => Ok(ClientKind::Public),
        _ => Err(AdminError::field("kind", Problem::Kind)),
    }
}

#[cfg(test)]
#[path = "client_form_tests.rs"]
mod tests;
