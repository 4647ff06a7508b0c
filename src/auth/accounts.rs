//! User accounts: checking a password, creating users, changing passwords, deactivating.
//!
//! Password hashing runs on the password threads, a bounded number (`password_workers`).
//! An unknown user is verified against a dummy hash, and an inactive user's password is verified
//! anyway, so all three failures cost the same time and give the same answer (SPEC §10).

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::audit::{self, Action, Actor, AuditEvent};
use super::revocation::{self, Families, Reason};
use super::{Error, Internal, throttle};
use crate::cluster::Event;
use crate::crypto::passwords::Verification;
use crate::entities::users;
use crate::state::AppState;
use crate::store::{self, InsertError, UniqueField};

/// The surface a password was presented to: the `surface` label of
/// `sesame_login_failures_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// `/oauth/token`'s password grant.
    OAuth,
    /// simplejwt's `/api/token/` and `/api/token/sliding/`.
    Api,
    /// The compat profile's `/login/`.
    Compat,
    /// The HTML login form.
    Form,
}

impl Surface {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::OAuth => "oauth",
            Surface::Api => "api",
            Surface::Compat => "compat",
            Surface::Form => "form",
        }
    }
}

/// Where a password came from: the surface, and the source the throttle keys it by (the
/// caller's address, `None` when unknown, and on the login form its device cookie).
#[derive(Clone, Debug)]
pub struct Origin {
    pub surface: Surface,
    pub source: throttle::Source,
}

impl Origin {
    /// A source known by its address only (the JSON surfaces, which keep no cookies).
    pub fn new(surface: Surface, client_ip: Option<IpAddr>) -> Origin {
        Origin {
            surface,
            source: throttle::Source::ip(client_ip),
        }
    }
}

/// Checks an identifier (username, email or phone) and password. Returns the active user, or
/// `InvalidCredentials` for a wrong password, an unknown user and an inactive user alike, or
/// `Throttled` while too many recent failures make `origin`'s source wait (see `throttle`).
///
/// Every refusal counts once in `sesame_login_failures_total{surface, reason}`, `reason` being
/// `invalid_credentials` or `throttled`: this is the one place every surface's login passes.
pub async fn check_password(
    state: &AppState,
    identifier: &str,
    password: &str,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<users::Model, Error> {
    let result = verify_login(state, identifier, password, &origin.source, now).await;
    let reason = match &result {
        Err(Error::InvalidCredentials) => "invalid_credentials",
        Err(Error::Throttled { .. }) => "throttled",
        _ => return result,
    };
    metrics::counter!(
        "sesame_login_failures_total",
        "surface" => origin.surface.as_str(),
        "reason" => reason
    )
    .increment(1);
    result
}

/// [`check_password`] without the counting.
async fn verify_login(
    state: &AppState,
    identifier: &str,
    password: &str,
    source: &throttle::Source,
    now: DateTime<Utc>,
) -> Result<users::Model, Error> {
    let client_ip = source.ip;
    let user = store::users::find_by_login(&state.db, identifier).await?;
    let attempt = throttle::pair(user.as_ref().map(|u| u.id), identifier, source);
    // Held until the outcome is recorded: the next attempt of this pair sees it.
    let gate = state.login_gates.enter(&attempt).await;
    throttle::check(state, &attempt, now).await?;
    let stored = user.as_ref().map_or_else(
        || state.password_hasher.dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let verification = verify_blocking(state, stored, password.to_owned()).await?;
    let (user, needs_rehash) = match (user, verification) {
        (Some(user), Verification::Match { needs_rehash }) if user.is_active => {
            (user, needs_rehash)
        }
        _ => {
            throttle::record_failure(state, &attempt, now).await?;
            let actor = Actor::unverified(identifier, client_ip);
            audit::record(state, AuditEvent::new(&actor, Action::LoginFailure), now).await?;
            return Err(Error::InvalidCredentials);
        }
    };
    throttle::record_success(state, &attempt).await?;
    drop(gate);
    let success = AuditEvent::new(&Actor::user(&user, client_ip), Action::LoginSuccess)
        .target(format!("user:{}", user.id));
    audit::record(state, success, now).await?;
    if needs_rehash {
        upgrade_hash(state, &user, password).await?;
    }
    if state.config.update_last_login {
        let touch = store::users::touch_last_login(&state.db, user.id, now);
        state.writes.run(touch).await?;
        state
            .announce(Event::UserChanged { user_id: user.id })
            .await;
    }
    Ok(user)
}

/// Re-hashes with today's argon2id parameters (imported Django hashes, older parameters). The
/// password was just proven, so this is the one moment it can be done.
async fn upgrade_hash(state: &AppState, user: &users::Model, password: &str) -> Result<(), Error> {
    let hash = hash_blocking(state, password.to_owned()).await?;
    let replace = store::users::replace_password_hash(&state.db, user.id, &hash);
    state.writes.run(replace).await?;
    state
        .announce(Event::UserChanged { user_id: user.id })
        .await;
    tracing::info!(user_id = user.id, "password hash upgraded to argon2id");
    Ok(())
}

async fn verify_blocking(
    state: &AppState,
    stored: String,
    password: String,
) -> Result<Verification, Error> {
    let hasher = Arc::clone(&state.password_hasher);
    state
        .password_workers
        .run(move || hasher.verify(&stored, &password))
        .await
        .map_err(|err| Internal::Password(err.to_string()).into())
}

/// Hashes a new password with argon2id, on the password threads.
pub async fn hash_blocking(state: &AppState, password: String) -> Result<String, Error> {
    let hasher = Arc::clone(&state.password_hasher);
    state
        .password_workers
        .run(move || hasher.hash(&password))
        .await
        .map_err(|err| Internal::Password(err.to_string()))?
        .map_err(|err| Error::Internal(Internal::Password(err.to_string())))
}

/// A user to create.
#[derive(Clone, Debug, Default)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<String>,
    pub display_name: Option<String>,
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("{0:?} is already taken")]
    Duplicate(UniqueField),
    #[error(transparent)]
    Other(#[from] Error),
}

/// Creates an active user with an argon2id hash of `password`.
pub async fn create_user(
    state: &AppState,
    account: NewAccount,
    now: DateTime<Utc>,
) -> Result<users::Model, CreateAccountError> {
    let password_hash = hash_blocking(state, account.password).await?;
    let new = store::users::NewUser {
        username: account.username,
        email: account.email.filter(|e| !e.is_empty()),
        phone: account.phone.filter(|p| !p.is_empty()),
        password_hash,
        is_active: true,
        roles: account.roles,
        display_name: account.display_name,
        avatar_url: None,
    };
    let insert = store::users::insert(&state.db, new, now);
    match state.writes.run(insert).await {
        Ok(user) => Ok(user),
        Err(InsertError::Duplicate(field)) => Err(CreateAccountError::Duplicate(field)),
        Err(InsertError::Db(err)) => Err(CreateAccountError::Other(err.into())),
    }
}

/// Sets a new password and revokes every refresh token of the user: whoever held the old
/// password may hold those tokens too.
pub async fn set_password(
    state: &AppState,
    actor: &Actor,
    user_id: i64,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let hash = hash_blocking(state, password.to_owned()).await?;
    let set = store::users::set_password_hash(&state.db, user_id, &hash, now);
    state.writes.run(set).await?;
    state.announce(Event::UserChanged { user_id }).await;
    let families = Families::OfUser(user_id);
    revocation::revoke_family(state, families, Reason::PasswordChanged, actor, now).await?;
    Ok(())
}

/// Deactivates a user and revokes every refresh token they hold. Their access tokens are refused
/// from now on by every surface, which checks the user on each request.
pub async fn deactivate_user(
    state: &AppState,
    actor: &Actor,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let deactivate = store::users::set_active(&state.db, user_id, false);
    state.writes.run(deactivate).await?;
    state.announce(Event::UserChanged { user_id }).await;
    let families = Families::OfUser(user_id);
    revocation::revoke_family(state, families, Reason::UserDeactivated, actor, now).await?;
    Ok(())
}
