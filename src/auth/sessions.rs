//! STAND-IN for issue 4's browser sessions (replaced at merge): only what the admin UI's tests
//! need to sign a user in without the login form.

use chrono::{DateTime, Duration, Utc};

use super::Error;
use crate::crypto::secrets;
use crate::entities::{sessions, users};
use crate::state::AppState;
use crate::store;

/// Starts a session for `user_id`; answers `(session_id, csrf_token)`.
pub async fn create_session(
    state: &AppState,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, String), Error> {
    let session = sessions::Model {
        id: secrets::random_token(32),
        user_id,
        csrf_token: secrets::random_token(32),
        created_at: now,
        expires_at: now + Duration::hours(12),
    };
    let ids = (session.id.clone(), session.csrf_token.clone());
    store::sessions::insert(&state.db, session).await?;
    Ok(ids)
}

/// The live session `session_id` and its active user.
pub async fn find_session(
    state: &AppState,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<(sessions::Model, users::Model)>, Error> {
    let Some(session) = store::sessions::find_live(&state.db, session_id, now).await? else {
        return Ok(None);
    };
    let user = store::users::find_by_id(&state.db, session.user_id).await?;
    Ok(user.filter(|u| u.is_active).map(|u| (session, u)))
}
