//! OAuth clients: authentication (RFC 6749 §2.3.1: `client_secret_basic`, `client_secret_post`, none
//! for public clients), registration and secret rotation.
//!
//! Secrets are 256-bit random values stored as SHA-256 and compared in constant time. An unknown
//! client id costs the same comparison as a known one.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Error;
use super::redirect_uri;
use super::scope::Scope;
use crate::cluster::Event;
use crate::crypto::secrets::{self, Secret};
use crate::entities::clients;
use crate::state::AppState;
use crate::store::{self, InsertError, UniqueField};

/// The grants a client may be allowed to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantType {
    Password,
    RefreshToken,
    ClientCredentials,
    AuthorizationCode,
}

impl GrantType {
    pub const ALL: [GrantType; 4] = [
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
        GrantType::ClientCredentials,
        GrantType::Password,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::Password => "password",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::AuthorizationCode => "authorization_code",
        }
    }
}

impl FromStr for GrantType {
    type Err = Error;
    fn from_str(s: &str) -> Result<GrantType, Error> {
        GrantType::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or(Error::UnsupportedGrantType)
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Confidential clients hold a secret; public ones (SPAs, mobile apps) cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Confidential => "confidential",
            ClientKind::Public => "public",
        }
    }
}

/// An authenticated (or, for public clients, identified) client.
#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub kind: ClientKind,
    pub grant_types: Vec<GrantType>,
    pub scopes: Scope,
    pub audience: Option<String>,
    pub access_token_lifetime: Option<Duration>,
    pub refresh_token_lifetime: Option<Duration>,
    pub redirect_uris: Vec<String>,
    pub first_party: bool,
    /// The logo the consent page shows (RFC 7591 §2), an `https` URL checked at registration.
    pub logo_uri: Option<String>,
}

impl Client {
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Refuses a grant this client was not registered for (RFC 6749 §5.2 `unauthorized_client`).
    pub fn require(&self, grant: GrantType) -> Result<(), Error> {
        if self.allows(grant) {
            Ok(())
        } else {
            Err(Error::UnauthorizedClient(format!(
                "this client may not use the {grant} grant"
            )))
        }
    }

    fn from_model(model: clients::Model) -> Client {
        let kind = if model.kind == ClientKind::Public.as_str() {
            ClientKind::Public
        } else {
            ClientKind::Confidential
        };
        let grant_types = store::split_list(&model.grant_types)
            .iter()
            .filter_map(|g| g.parse().ok())
            .collect();
        let lifetime = |secs: Option<i64>| {
            secs.and_then(|s| u64::try_from(s).ok())
                .map(Duration::from_secs)
        };
        Client {
            client_id: model.client_id,
            name: model.name,
            kind,
            grant_types,
            scopes: Scope::from_list(store::split_list(&model.scopes)),
            audience: model.audience,
            access_token_lifetime: lifetime(model.access_token_lifetime_secs),
            refresh_token_lifetime: lifetime(model.refresh_token_lifetime_secs),
            redirect_uris: store::split_list(&model.redirect_uris),
            first_party: model.first_party,
            logo_uri: model.logo_uri,
        }
    }
}

/// The client id of the `/api/` surface and the compat profile, reserved: no registered client
/// may take it, so no one else can present (or revoke) the refresh tokens bound to it.
pub const API_CLIENT_ID: &str = "sesame-api";

impl Client {
    /// The built-in first-party confidential client the simplejwt surface acts as (SPEC §7): the
    /// password and refresh grants, no scopes, the server's default lifetimes and audience.
    pub fn builtin_api() -> Client {
        Client {
            client_id: API_CLIENT_ID.to_owned(),
            name: "simplejwt-compatible API".to_owned(),
            kind: ClientKind::Confidential,
            grant_types: vec![GrantType::Password, GrantType::RefreshToken],
            scopes: Scope::default(),
            audience: None,
            access_token_lifetime: None,
            refresh_token_lifetime: None,
            redirect_uris: Vec::new(),
            first_party: true,
            logo_uri: None,
        }
    }
}

/// How a request presented its client.
#[derive(Debug)]
pub enum ClientCredentials {
    /// `client_secret_basic` or `client_secret_post`.
    Secret { client_id: String, secret: Secret },
    /// A public client names itself and proves nothing.
    Public { client_id: String },
    /// No client at all.
    Missing,
}

/// A fixed SHA-256 to compare against when the client id is unknown, so that path costs the same.
const UNKNOWN_CLIENT_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Authenticates the client of a token, revocation or introspection request.
pub async fn authenticate_client(
    state: &AppState,
    credentials: ClientCredentials,
    now: DateTime<Utc>,
) -> Result<Client, Error> {
    let (client_id, secret) = match credentials {
        ClientCredentials::Missing => return Err(Error::InvalidClient),
        ClientCredentials::Secret { client_id, secret } => (client_id, Some(secret)),
        ClientCredentials::Public { client_id } => (client_id, None),
    };
    let model = state.directory.client(&state.db, &client_id, now).await?;
    let stored_hash = model.as_ref().and_then(|m| m.secret_hash.clone());
    let authenticated = match (&secret, &stored_hash) {
        (Some(secret), Some(hash)) => secrets::verify_sha256_hex(hash, secret.expose()),
        (Some(secret), None) => {
            secrets::verify_sha256_hex(UNKNOWN_CLIENT_HASH, secret.expose());
            false
        }
        // A confidential client must prove itself; a public one has nothing to prove.
        (None, Some(_)) => false,
        (None, None) => model.is_some(),
    };
    match model {
        Some(model) if authenticated && model.is_active => Ok(Client::from_model(model)),
        _ => Err(Error::InvalidClient),
    }
}

/// Looks a client up without authenticating it (for the authorization endpoint and the admin UI).
pub async fn find_client(state: &AppState, client_id: &str) -> Result<Option<Client>, Error> {
    let model = store::clients::find_by_client_id(&state.db, client_id).await?;
    Ok(model.filter(|m| m.is_active).map(Client::from_model))
}

/// What an operator asks for when registering a client.
#[derive(Clone, Debug)]
pub struct ClientRegistration {
    pub client_id: Option<String>,
    pub name: String,
    pub kind: ClientKind,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub first_party: bool,
    /// The client's logo (RFC 7591 §2 `logo_uri`), an `https` URL.
    pub logo_uri: Option<String>,
}

/// A registered client and, for confidential ones, its secret: shown once, never stored.
#[derive(Debug)]
pub struct RegisteredClient {
    pub client_id: String,
    pub secret: Option<Secret>,
}

/// Registers a client. Public clients may not use the password or client-credentials grants
/// (RFC 9700 §2.4; a public client cannot keep the secret those grants rely on); each redirect
/// URI must pass [`redirect_uri::check`] for the client's kind (`InvalidRequest` saying why).
pub async fn register_client(
    state: &AppState,
    registration: ClientRegistration,
    now: DateTime<Utc>,
) -> Result<RegisteredClient, Error> {
    let forbidden_for_public = [GrantType::Password, GrantType::ClientCredentials];
    if registration.kind == ClientKind::Public
        && registration
            .grant_types
            .iter()
            .any(|g| forbidden_for_public.contains(g))
    {
        return Err(Error::InvalidRequest(
            "public clients may not use the password or client_credentials grant".into(),
        ));
    }
    for uri in &registration.redirect_uris {
        redirect_uri::check(uri, registration.kind == ClientKind::Public)
            .map_err(|problem| Error::InvalidRequest(format!("`{uri}` {problem}")))?;
    }
    if let Some(uri) = &registration.logo_uri {
        redirect_uri::check_logo(uri)
            .map_err(|_| Error::InvalidRequest(format!("logo_uri `{uri}` must be an https URL")))?;
    }
    let client_id = registration
        .client_id
        .unwrap_or_else(|| secrets::random_token(16));
    if client_id == API_CLIENT_ID {
        return Err(Error::InvalidRequest(format!(
            "client id `{client_id}` is reserved"
        )));
    }
    let secret = (registration.kind == ClientKind::Confidential)
        .then(|| Secret::from(secrets::random_token(32)));
    let new = store::clients::NewClient {
        client_id: client_id.clone(),
        secret_hash: secret.as_ref().map(|s| secrets::sha256_hex(s.expose())),
        name: registration.name,
        kind: registration.kind.as_str().to_owned(),
        redirect_uris: registration.redirect_uris,
        post_logout_redirect_uris: Vec::new(),
        grant_types: registration
            .grant_types
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        scopes: registration.scopes,
        audience: registration.audience,
        access_token_lifetime_secs: None,
        refresh_token_lifetime_secs: None,
        first_party: registration.first_party,
        logo_uri: registration.logo_uri,
    };
    let insert = store::clients::insert(&state.db, new, now);
    match state.writes.run(insert).await {
        Ok(_) => Ok(RegisteredClient { client_id, secret }),
        Err(InsertError::Duplicate(UniqueField::ClientId)) => Err(Error::InvalidRequest(format!(
            "client id `{client_id}` is taken"
        ))),
        Err(InsertError::Duplicate(_)) => Err(Error::InvalidRequest("duplicate client".into())),
        Err(InsertError::Db(err)) => Err(err.into()),
    }
}

/// Replaces a confidential client's secret; the old one stops working at once.
pub async fn rotate_client_secret(state: &AppState, client_id: &str) -> Result<Secret, Error> {
    let model = store::clients::find_by_client_id(&state.db, client_id)
        .await?
        .ok_or_else(|| Error::InvalidRequest(format!("no client `{client_id}`")))?;
    if model.secret_hash.is_none() {
        return Err(Error::InvalidRequest(
            "public clients have no secret".into(),
        ));
    }
    let secret = Secret::from(secrets::random_token(32));
    let hash = secrets::sha256_hex(secret.expose());
    let set = store::clients::set_secret_hash(&state.db, client_id, &hash);
    state.writes.run(set).await?;
    state.announce(Event::client_changed(client_id)).await;
    Ok(secret)
}
