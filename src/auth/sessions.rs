//! Browser sessions, stored in the database so every instance shares them. The cookie holds a
//! random 256-bit id; the row holds its SHA-256, the user, a CSRF token (the synchronizer-token
//! pattern) and the expiry.
//!
//! Only a signed-in session is a row: the login form's CSRF protection is a signed cookie
//! (`login_csrf`), so showing the form writes nothing. Signing in replaces whatever session the
//! browser had with a new id, so an id planted before login is worthless after it.
//!
//! The login form's decisions are here too: [`log_in`] for a submission.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::accounts::{self, Origin, Surface};
use super::admin::users::ADMIN_ROLE;
use super::{Error, device, login_csrf, throttle};
use crate::crypto::secrets;
use crate::entities::{sessions, users};
use crate::state::AppState;
use crate::store;

/// A session that was just created: the id goes into the cookie, once.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub id: String,
    pub csrf_token: String,
}

/// A signed-in session and its user.
#[derive(Clone, Debug)]
pub struct UserSession {
    pub session: sessions::Model,
    pub user: users::Model,
}

fn after(now: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX)
}

async fn create(
    state: &AppState,
    user: &users::Model,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<NewSession, Error> {
    let id = secrets::random_token(32);
    let csrf_token = secrets::random_token(32);
    let insert = store::sessions::insert(
        &state.db,
        store::sessions::NewSession {
            token_hash: secrets::sha256_hex(&id),
            user_id: Some(user.id),
            csrf_token: csrf_token.clone(),
            auth_time: Some(now),
            created_at: now,
            expires_at: after(now, lifetime),
        },
    );
    state.writes.run(insert).await?;
    Ok(NewSession { id, csrf_token })
}

/// The unexpired session (signed in or not) a cookie names.
pub async fn find_session(
    state: &AppState,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<sessions::Model>, Error> {
    let row = store::sessions::find_by_token_hash(&state.db, &secrets::sha256_hex(id)).await?;
    Ok(row.filter(|row| row.expires_at > now))
}

/// The signed-in session a cookie names, with its user. Expired sessions, pre-sessions, inactive
/// users and sessions older than the user's last password change count as signed out.
pub async fn find_user_session(
    state: &AppState,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserSession>, Error> {
    let Some(session) = find_session(state, id, now).await? else {
        return Ok(None);
    };
    let Some(user_id) = session.user_id else {
        return Ok(None);
    };
    let Some(user) = store::users::find_by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    if !user.is_active || session.created_at < user.password_changed_at {
        return Ok(None);
    }
    Ok(Some(UserSession { session, user }))
}

/// Signs `user` in: ends the session the browser had (`replaced`) and starts a new one.
pub async fn sign_in(
    state: &AppState,
    user: &users::Model,
    replaced: Option<&str>,
    now: DateTime<Utc>,
) -> Result<NewSession, Error> {
    if let Some(old) = replaced {
        sign_out(state, old).await?;
    }
    let session = create(state, user, state.config.session_lifetime, now).await?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(session)
}

/// Ends a session. Ending one that does not exist is not an error.
pub async fn sign_out(state: &AppState, id: &str) -> Result<(), Error> {
    let hash = secrets::sha256_hex(id);
    let delete = store::sessions::delete_by_token_hash(&state.db, &hash);
    state.writes.run(delete).await?;
    Ok(())
}

/// A submitted login form, as the domain reads it.
#[derive(Clone, Copy, Debug)]
pub struct LoginAttempt<'a> {
    /// The id the session cookie carries: the session signing in replaces.
    pub session_id: Option<&'a str>,
    /// The login form's CSRF cookie (`login_csrf`), as sent.
    pub csrf_cookie: Option<&'a str>,
    /// The CSRF token the form carried.
    pub csrf_token: Option<&'a str>,
    /// A username, email or phone, as typed (trimmed).
    pub identifier: &'a str,
    pub password: &'a str,
    pub client_ip: Option<IpAddr>,
    /// The device cookie the browser sent (`device`), as sent.
    pub device_cookie: Option<&'a str>,
}

/// What a login form submission comes to.
#[derive(Clone, Debug)]
pub enum LoginOutcome {
    /// Signed in, in a new session; `admin` when the user has the admin role; `device` is the
    /// browser's new device cookie.
    SignedIn {
        session: NewSession,
        admin: bool,
        device: String,
    },
    /// A stale or forged form (no valid CSRF cookie, or not its token): the form again with a
    /// new token, and the password is typed again.
    Expired(login_csrf::FormToken),
    /// The form again with the same CSRF token, saying why.
    Retry {
        csrf_token: String,
        reason: LoginRetry,
    },
}

/// Why the login form is shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginRetry {
    /// The identifier or the password is empty.
    Incomplete,
    /// An unknown account, a wrong password or an inactive user: deliberately one answer.
    Refused,
    /// Too many recent failures (of the rule the scope names): the password was not checked; try
    /// again after this long.
    Throttled(Duration, throttle::Scope),
}

/// A login form submission: the CSRF check against the form's cookie, the empty-field check,
/// the password check (throttled as on every surface) and the sign-in. Nothing is written before
/// the password has been checked.
pub async fn log_in(
    state: &AppState,
    attempt: LoginAttempt<'_>,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, Error> {
    let (cookie, submitted) = (attempt.csrf_cookie, attempt.csrf_token);
    let Some(csrf_token) = submitted.filter(|_| login_csrf::verify(state, cookie, submitted, now))
    else {
        return Ok(LoginOutcome::Expired(login_csrf::issue(state, now)));
    };
    let retry = |reason| {
        Ok(LoginOutcome::Retry {
            csrf_token: csrf_token.to_owned(),
            reason,
        })
    };
    if attempt.identifier.is_empty() || attempt.password.is_empty() {
        return retry(LoginRetry::Incomplete);
    }
    let source = throttle::Source {
        ip: attempt.client_ip,
        device: attempt
            .device_cookie
            .and_then(|c| device::read(state, c, now)),
    };
    let (identifier, password) = (attempt.identifier, attempt.password);
    let origin = Origin {
        surface: Surface::Form,
        source,
    };
    match accounts::check_password(state, identifier, password, &origin, now).await {
        Ok(user) => {
            let session = sign_in(state, &user, attempt.session_id, now).await?;
            let admin = user.has_role(ADMIN_ROLE);
            let device = device::issue(state, user.id, now);
            Ok(LoginOutcome::SignedIn {
                session,
                admin,
                device,
            })
        }
        Err(Error::InvalidCredentials) => retry(LoginRetry::Refused),
        Err(Error::Throttled { retry_after, scope }) => {
            retry(LoginRetry::Throttled(retry_after, scope))
        }
        Err(err) => Err(err),
    }
}
