//! Browser sessions, stored in the database so every instance shares them. The cookie holds a
//! random 256-bit id; the row holds its SHA-256, the user, a CSRF token (the synchronizer-token
//! pattern) and the expiry.
//!
//! A pre-session is a row without a user: it carries the login form's CSRF token, which is how
//! login CSRF is stopped (OWASP: "pre-sessions"). Signing in replaces whatever session the
//! browser had with a new id, so an id planted before login is worthless after it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Error;
use crate::crypto::secrets;
use crate::entities::{sessions, users};
use crate::state::AppState;
use crate::store;

/// How long the login form stays valid before it must be reloaded.
pub const PRE_SESSION_LIFETIME: Duration = Duration::from_secs(3600);

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
    user: Option<&users::Model>,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<NewSession, Error> {
    let id = secrets::random_token(32);
    let csrf_token = secrets::random_token(32);
    store::sessions::insert(
        &state.db,
        store::sessions::NewSession {
            token_hash: secrets::sha256_hex(&id),
            user_id: user.map(|u| u.id),
            csrf_token: csrf_token.clone(),
            auth_time: user.map(|_| now),
            created_at: now,
            expires_at: after(now, lifetime),
        },
    )
    .await?;
    Ok(NewSession { id, csrf_token })
}

/// Starts a pre-session for the login form.
pub async fn start_pre_session(state: &AppState, now: DateTime<Utc>) -> Result<NewSession, Error> {
    create(state, None, PRE_SESSION_LIFETIME, now).await
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
    let session = create(state, Some(user), state.config.session_lifetime, now).await?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(session)
}

/// Ends a session. Ending one that does not exist is not an error.
pub async fn sign_out(state: &AppState, id: &str) -> Result<(), Error> {
    store::sessions::delete_by_token_hash(&state.db, &secrets::sha256_hex(id)).await?;
    Ok(())
}

/// Whether `submitted` is the session's CSRF token, compared in constant time.
pub fn csrf_matches(expected: &str, submitted: Option<&str>) -> bool {
    use subtle::ConstantTimeEq as _;
    submitted.is_some_and(|submitted| {
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_comparison() {
        assert!(csrf_matches("abc", Some("abc")));
        assert!(!csrf_matches("abc", Some("abd")));
        assert!(!csrf_matches("abc", Some("ab")));
        assert!(!csrf_matches("abc", None));
        assert!(!csrf_matches("", Some("")));
    }
}
