//! Outstanding refresh-token families, by user or by client, and revoking them: one family, or
//! every family of a user or a client (those two live with users and clients).

use chrono::{DateTime, Utc};

use super::AdminError;
use crate::auth::audit::Actor;
use crate::auth::revocation::{self, Families, Reason};
use crate::state::AppState;
use crate::store;
use crate::store::refresh_tokens::FamilyFilter;

/// An outstanding family: a sign-in that can still be refreshed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Family {
    pub family_id: String,
    pub user_id: i64,
    pub username: Option<String>,
    pub client_id: String,
    pub scope: String,
    /// When the user signed in, which started the family.
    pub issued_at: DateTime<Utc>,
    /// When the family was last refreshed, if ever.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When its current refresh token expires.
    pub expires_at: DateTime<Utc>,
}

/// The outstanding families matching `filter` at `now`, most recently used first; at most `limit`.
pub async fn list_families(
    state: &AppState,
    filter: &FamilyFilter,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Family>, AdminError> {
    let heads = store::refresh_tokens::outstanding_families(&state.db, filter, now, limit).await?;
    Ok(heads
        .into_iter()
        .map(|(head, user)| Family {
            // A head with a parent came from a rotation: that is when the family was last used.
            last_used_at: head.parent_jti.is_some().then_some(head.issued_at),
            family_id: head.family_id,
            user_id: head.user_id,
            username: user.map(|u| u.username),
            client_id: head.client_id,
            scope: head.scope,
            issued_at: head.auth_time,
            expires_at: head.expires_at,
        })
        .collect())
}

/// Revokes one family; answers how many tokens were still unrevoked (0: nothing to do, and
/// nothing is recorded).
pub async fn revoke_family(
    state: &AppState,
    actor: &Actor,
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<u64, AdminError> {
    let families = Families::One(family_id);
    Ok(revocation::revoke_family(state, families, Reason::Admin, actor, now).await?)
}
