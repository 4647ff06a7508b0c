//! Revocation: the one place tokens are taken away (SPEC §5, §10), whatever asks for it — RFC 7009,
//! simplejwt's blacklist, refresh-token reuse on either surface, a replayed authorization code,
//! an admin, a deactivation or password change, a logout.
//!
//! Refresh tokens are revoked a family at a time (RFC 9700 §4.14.2: a leaked token takes the tokens
//! rotated from it along); an access or sliding token by recording its `jti` until it would have
//! expired anyway. Every revocation writes its rows, marks a revoked `jti` in the directory cache
//! of every instance (`AppState::announce`), logs, counts (`sesame_revocations_total{reason}`) and
//! records exactly one audit event.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::audit::{self, Action, Actor, AuditEvent};
use super::clients::Client;
use super::tokens::{self, Verified};
use super::{Error, TokenError};
use crate::cluster::Event;
use crate::state::AppState;
use crate::store;
use crate::store::refresh_tokens::FamilySelector;

/// Why tokens were revoked; stored as `revoke_reason` (refresh tokens) and `reason` (revocations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// RFC 7009: the client asked.
    Revoked,
    /// simplejwt's `POST /api/token/blacklist/`.
    Blacklisted,
    /// A rotated refresh token came back (RFC 9700 §4.14.2).
    ReuseDetected,
    /// An authorization code was exchanged twice (RFC 6749 §4.1.2).
    CodeReuse,
    /// The compat profile's `/logout/`.
    Logout,
    /// An administrator asked.
    Admin,
    ClientDisabled,
    ClientDeleted,
    PasswordChanged,
    UserDeactivated,
}

impl Reason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Revoked => "revoked",
            Reason::Blacklisted => "blacklisted",
            Reason::ReuseDetected => "reuse_detected",
            Reason::CodeReuse => "code_reuse",
            Reason::Logout => "logout",
            Reason::Admin => "admin",
            Reason::ClientDisabled => "client_disabled",
            Reason::ClientDeleted => "client_deleted",
            Reason::PasswordChanged => "password_changed",
            Reason::UserDeactivated => "user_deactivated",
        }
    }

    /// A security event, recorded and logged as a warning even when nothing was left to revoke.
    fn is_reuse(self) -> bool {
        matches!(self, Reason::ReuseDetected | Reason::CodeReuse)
    }
}

/// Which refresh-token families a revocation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Families<'a> {
    /// One family, by its id.
    One(&'a str),
    /// Every family of a user.
    OfUser(i64),
    /// Every family a user holds through one client.
    OfUserAndClient(i64, &'a str),
    /// Every family issued to a client.
    OfClient(&'a str),
}

impl Families<'_> {
    fn selector(self) -> FamilySelector {
        match self {
            Families::One(family_id) => FamilySelector::Family(family_id.to_owned()),
            Families::OfUser(user_id) => FamilySelector::User(user_id),
            Families::OfUserAndClient(user_id, client_id) => {
                FamilySelector::UserAndClient(user_id, client_id.to_owned())
            }
            Families::OfClient(client_id) => FamilySelector::Client(client_id.to_owned()),
        }
    }

    /// The audit target, `kind:id`.
    fn target(self) -> String {
        match self {
            Families::One(family_id) => format!("family:{family_id}"),
            Families::OfUser(user_id) | Families::OfUserAndClient(user_id, _) => {
                format!("user:{user_id}")
            }
            Families::OfClient(client_id) => format!("client:{client_id}"),
        }
    }

    /// An operator's "revoke everything of …" is an act worth recording even when nothing was
    /// left; one family already revoked is not.
    fn is_wholesale(self) -> bool {
        matches!(self, Families::OfUser(_) | Families::OfClient(_))
    }
}

/// An access or sliding token to refuse from now on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    pub jti: String,
    /// `access` or `sliding`.
    pub token_type: String,
    /// Until when the `jti` must stay recorded: the token's `exp`, or for a sliding token the
    /// last `exp` a refresh could give it.
    pub until: DateTime<Utc>,
    pub user_id: Option<i64>,
}

impl AccessToken {
    /// The token behind verified claims; `NoId` when it has no `jti`.
    pub fn of(state: &AppState, token: &Verified) -> Result<AccessToken, TokenError> {
        Ok(AccessToken {
            jti: token.jti().ok_or(TokenError::NoId)?.to_owned(),
            token_type: token.token_type().unwrap_or(tokens::ACCESS).to_owned(),
            until: revocable_until(state, token),
            user_id: token.user_id(),
        })
    }
}

/// Revokes the refresh-token `families`; answers how many tokens were still unrevoked.
pub async fn revoke_family(
    state: &AppState,
    families: Families<'_>,
    reason: Reason,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let revoked = revoke(state, Some(families), None, reason, actor, now).await?;
    Ok(revoked.refresh_tokens)
}

/// Refuses an access or sliding token everywhere from now on; answers whether it was not already.
pub async fn revoke_access_token(
    state: &AppState,
    token: &AccessToken,
    reason: Reason,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let revoked = revoke(state, None, Some(token), reason, actor, now).await?;
    Ok(revoked.access_token)
}

/// Both at once, as one act and one audit event: what a replayed authorization code issued, or
/// what a logout ends (the refresh families and the access token presented with them). Answers
/// how many refresh tokens were still unrevoked.
pub async fn revoke_family_and_access_token(
    state: &AppState,
    families: Families<'_>,
    token: &AccessToken,
    reason: Reason,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let revoked = revoke(state, Some(families), Some(token), reason, actor, now).await?;
    Ok(revoked.refresh_tokens)
}

/// What one revocation took away.
struct Revoked {
    refresh_tokens: u64,
    access_token: bool,
}

/// The rows and the audit event in one transaction, then the caches (of every instance), the log
/// and the counters.
async fn revoke(
    state: &AppState,
    families: Option<Families<'_>>,
    access: Option<&AccessToken>,
    reason: Reason,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Revoked, Error> {
    let txn = state.writes.begin(&state.db).await?;
    let refresh_tokens = match families {
        Some(families) => {
            let selector = families.selector();
            store::refresh_tokens::revoke(txn.conn(), &selector, now, reason.as_str()).await?
        }
        None => 0,
    };
    let access_token = match access {
        Some(token) => {
            let (jti, kind, until) = (&token.jti, &token.token_type, token.until);
            store::revocations::insert(txn.conn(), jti, kind, until, now, reason.as_str()).await?
        }
        None => false,
    };
    let revoked = Revoked {
        refresh_tokens,
        access_token,
    };
    let event = audit_event(families, access, reason, actor, &revoked);
    if let Some(event) = &event {
        audit::record_in(txn.conn(), event.clone(), now).await?;
    }
    txn.commit().await?;
    if let Some(token) = access {
        let jti = token.jti.clone();
        state.announce(Event::JtiRevoked { jti }).await;
    }
    let count = refresh_tokens + u64::from(access_token);
    metrics::counter!("sesame_revocations_total", "reason" => reason.as_str()).increment(count);
    if let Some(event) = event {
        log(reason, event.target.as_deref().unwrap_or_default(), count);
    }
    Ok(revoked)
}

/// The one event a revocation records; none when it changed nothing, unless it is a reuse (a
/// security event) or an operator's revoke-all (the act itself is the record).
fn audit_event(
    families: Option<Families<'_>>,
    access: Option<&AccessToken>,
    reason: Reason,
    actor: &Actor,
    revoked: &Revoked,
) -> Option<AuditEvent> {
    let wholesale = families.is_some_and(Families::is_wholesale) && reason == Reason::Admin;
    let changed = revoked.refresh_tokens > 0 || revoked.access_token;
    if !changed && !reason.is_reuse() && !wholesale {
        return None;
    }
    let target = match (families, access) {
        (Some(families), _) => families.target(),
        (None, Some(token)) => format!("jti:{}", token.jti),
        (None, None) => return None,
    };
    let mut details = json!({
        "reason": reason.as_str(),
        "revoked_refresh_tokens": revoked.refresh_tokens,
    });
    if let Some(token) = access {
        details["jti"] = json!(token.jti);
        details["token_type"] = json!(token.token_type);
        details["user_id"] = json!(token.user_id);
    }
    if let Some(Families::OfUserAndClient(_, client_id)) = families {
        details["client_id"] = json!(client_id);
    }
    Some(
        AuditEvent::new(actor, action(families, reason))
            .target(target)
            .details(details),
    )
}

/// The audit action: reuse is its own event; an admin's revoke-all keeps the names the admin
/// UI has always shown; everything else is `token.revoke`.
fn action(families: Option<Families<'_>>, reason: Reason) -> Action {
    match (families, reason) {
        (_, Reason::ReuseDetected) => Action::RefreshReuse,
        (_, Reason::CodeReuse) => Action::CodeReuse,
        (Some(Families::OfUser(_)), Reason::Admin) => Action::UserRevokeTokens,
        (Some(Families::OfClient(_)), Reason::Admin) => Action::ClientRevokeTokens,
        _ => Action::TokenRevoke,
    }
}

fn log(reason: Reason, target: &str, revoked: u64) {
    if reason.is_reuse() {
        tracing::warn!(
            reason = reason.as_str(),
            target,
            revoked,
            "token reuse detected; tokens revoked"
        );
        let metric = match reason {
            Reason::CodeReuse => "sesame_code_reuse_total",
            _ => "sesame_refresh_reuse_total",
        };
        metrics::counter!(metric).increment(1);
    } else {
        tracing::info!(reason = reason.as_str(), target, revoked, "tokens revoked");
    }
}

/// RFC 7009: revokes `token` on behalf of `client`. Invalid, expired and unknown tokens are not
/// an error (§2.2); a token issued to another client is refused (§2.1).
pub async fn revoke_token(
    state: &AppState,
    client: &Client,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Ok(verified) = tokens::verify_signature(state, token, now).await else {
        return Ok(());
    };
    let issued_to = verified.str("client_id").unwrap_or_default();
    if issued_to != client.client_id {
        return Err(Error::UnauthorizedClient(
            "the token was issued to another client".into(),
        ));
    }
    let actor = Actor::client(&client.client_id);
    match verified.token_type() {
        Some(tokens::REFRESH) => {
            let jti = verified.jti().ok_or(TokenError::NoId)?;
            if let Some(row) = store::refresh_tokens::find_by_jti(&state.db, jti).await? {
                let family = Families::One(&row.family_id);
                revoke_family(state, family, Reason::Revoked, &actor, now).await?;
            }
        }
        Some(tokens::ACCESS | tokens::SLIDING) => {
            let access = AccessToken::of(state, &verified)?;
            revoke_access_token(state, &access, Reason::Revoked, &actor, now).await?;
        }
        _ => {}
    }
    Ok(())
}

/// How long a revoked token's `jti` must stay recorded. A sliding token's `jti` outlives its
/// `exp`: every refresh until `refresh_exp` re-issues it with a later one.
fn revocable_until(state: &AppState, token: &Verified) -> DateTime<Utc> {
    let refresh_exp = token
        .int(tokens::REFRESH_EXP_CLAIM)
        .and_then(|at| DateTime::from_timestamp(at, 0));
    match refresh_exp {
        Some(refresh_exp) if token.token_type() == Some(tokens::SLIDING) => {
            let last_exp = tokens::after(refresh_exp, state.config.sliding_token_lifetime);
            token.expires_at().max(last_exp)
        }
        _ => token.expires_at(),
    }
}
