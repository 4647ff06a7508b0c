//! The audit trail (SPEC §10): who did what, when, and from which address. The domain records an
//! event for every login, login failure, detected refresh-token reuse, revocation and admin
//! change; the admin UI shows them, filtered and paged.
//!
//! Events never carry secrets: no passwords, client secrets or whole tokens.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::Error;
use crate::entities::{audit_events, users};
use crate::state::AppState;
use crate::store::{self, audit_events::AuditFilter};

/// What happened. Stored as its dotted name; the part before the dot is its category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    LoginSuccess,
    LoginFailure,
    /// A rotated refresh token was presented again; its family was revoked.
    RefreshReuse,
    /// A token or token family was revoked (RFC 7009, logout, or an admin).
    TokenRevoke,
    /// An authorization code was exchanged twice; what it issued was revoked.
    CodeReuse,
    ClientCreate,
    ClientUpdate,
    ClientDisable,
    ClientEnable,
    ClientDelete,
    ClientRotateSecret,
    /// Every refresh token of a client was revoked.
    ClientRevokeTokens,
    UserCreate,
    UserUpdate,
    UserResetPassword,
    /// Every refresh token of a user was revoked.
    UserRevokeTokens,
    /// Users were imported from a Django database (`sesame import django`).
    UserImport,
    KeyRotate,
    KeyRetire,
    /// The first admin was created from the bootstrap settings.
    AdminBootstrap,
    /// An admin cleared one source's login failures on an account.
    ThrottleClear,
}

impl Action {
    /// Every action, in the order the audit view offers them.
    pub const ALL: [Action; 21] = [
        Action::LoginSuccess,
        Action::LoginFailure,
        Action::RefreshReuse,
        Action::TokenRevoke,
        Action::CodeReuse,
        Action::ClientCreate,
        Action::ClientUpdate,
        Action::ClientDisable,
        Action::ClientEnable,
        Action::ClientDelete,
        Action::ClientRotateSecret,
        Action::ClientRevokeTokens,
        Action::UserCreate,
        Action::UserUpdate,
        Action::UserResetPassword,
        Action::UserRevokeTokens,
        Action::UserImport,
        Action::KeyRotate,
        Action::KeyRetire,
        Action::AdminBootstrap,
        Action::ThrottleClear,
    ];

    /// The stored name, e.g. `client.create`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::LoginSuccess => "login.success",
            Action::LoginFailure => "login.failure",
            Action::RefreshReuse => "refresh.reuse",
            Action::TokenRevoke => "token.revoke",
            Action::CodeReuse => "code.reuse",
            Action::ClientCreate => "client.create",
            Action::ClientUpdate => "client.update",
            Action::ClientDisable => "client.disable",
            Action::ClientEnable => "client.enable",
            Action::ClientDelete => "client.delete",
            Action::ClientRotateSecret => "client.rotate_secret",
            Action::ClientRevokeTokens => "client.revoke_tokens",
            Action::UserCreate => "user.create",
            Action::UserUpdate => "user.update",
            Action::UserResetPassword => "user.reset_password",
            Action::UserRevokeTokens => "user.revoke_tokens",
            Action::UserImport => "user.import",
            Action::KeyRotate => "key.rotate",
            Action::KeyRetire => "key.retire",
            Action::AdminBootstrap => "admin.bootstrap",
            Action::ThrottleClear => "throttle.clear",
        }
    }

    /// The part before the dot: `login`, `client`, `user`, ...
    pub fn category(self) -> &'static str {
        let name = self.as_str();
        name.split_once('.').map_or(name, |(category, _)| category)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = ();
    fn from_str(s: &str) -> Result<Action, ()> {
        Action::ALL.into_iter().find(|a| a.as_str() == s).ok_or(())
    }
}

/// Who acted, and from where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// A username, a login name that matched no one, or `system`.
    pub name: String,
    pub ip: Option<IpAddr>,
}

impl Actor {
    /// Sesame itself (start-up, scheduled work).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            name: "system".into(),
            ip: None,
        }
    }

    /// An operator at the command line, named by the OS account that ran `sesame`
    /// (`cli:root`), or `cli` when the environment does not say.
    pub fn cli() -> Actor {
        let account = std::env::var("USER").or_else(|_| std::env::var("LOGNAME"));
        Actor {
            user_id: None,
            name: account.map_or_else(|_| "cli".to_owned(), |name| format!("cli:{name}")),
            ip: None,
        }
    }

    /// A known user, e.g. the admin making a change.
    pub fn user(user: &users::Model, ip: Option<IpAddr>) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            ip,
        }
    }

    /// An OAuth client acting on its own behalf (RFC 7009 revocation, say).
    pub fn client(client_id: &str) -> Actor {
        Actor {
            user_id: None,
            name: format!("client:{client_id}"),
            ip: None,
        }
    }

    /// Someone who named an identifier but is not (yet) known to be that user: a failed login.
    pub fn unverified(identifier: &str, ip: Option<IpAddr>) -> Actor {
        Actor {
            user_id: None,
            name: identifier.to_owned(),
            ip,
        }
    }
}

/// One event to record: `AuditEvent::new(actor, action).target("client:web").details(json)`.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub actor: Actor,
    pub action: Action,
    pub target: Option<String>,
    pub details: Option<Value>,
}

impl AuditEvent {
    pub fn new(actor: &Actor, action: Action) -> AuditEvent {
        AuditEvent {
            actor: actor.clone(),
            action,
            target: None,
            details: None,
        }
    }

    /// What was acted on, as `kind:id` (`client:web`, `user:3`, `family:...`, `key:...`).
    pub fn target(mut self, target: impl Into<String>) -> AuditEvent {
        self.target = Some(target.into());
        self
    }

    /// The particulars, as a JSON object. Never put a secret here.
    pub fn details(mut self, details: Value) -> AuditEvent {
        self.details = Some(details);
        self
    }

    fn into_row(self, now: DateTime<Utc>) -> store::audit_events::NewAuditEvent {
        store::audit_events::NewAuditEvent {
            at: now,
            actor_id: self.actor.user_id,
            actor: self.actor.name,
            action: self.action.as_str().to_owned(),
            target: self.target,
            ip: self.actor.ip.map(|ip| ip.to_string()),
            details: self.details.map(|d| d.to_string()),
        }
    }
}

/// Records `event` as having happened at `now`.
pub async fn record(state: &AppState, event: AuditEvent, now: DateTime<Utc>) -> Result<(), Error> {
    state.writes.run(record_in(&state.db, event, now)).await
}

/// Records `event` on `db`, which may be the transaction that made the change it describes.
pub async fn record_in<C: ConnectionTrait>(
    db: &C,
    event: AuditEvent,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    store::audit_events::insert(db, event.into_row(now)).await?;
    Ok(())
}

/// Which actions the audit view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionFilter {
    One(Action),
    /// Every action of a category (`client`, `login`, ...).
    Category(&'static str),
}

impl ActionFilter {
    /// `client.create` names one action, `client.*` a category; anything else is no filter.
    pub fn parse(raw: &str) -> Option<ActionFilter> {
        if let Some(category) = raw.strip_suffix(".*") {
            return Action::ALL
                .into_iter()
                .map(Action::category)
                .find(|c| *c == category)
                .map(ActionFilter::Category);
        }
        raw.parse().ok().map(ActionFilter::One)
    }

    fn actions(self) -> Vec<String> {
        Action::ALL
            .into_iter()
            .filter(|a| match self {
                ActionFilter::One(one) => *a == one,
                ActionFilter::Category(category) => a.category() == category,
            })
            .map(|a| a.as_str().to_owned())
            .collect()
    }
}

/// A query of the audit view.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub action: Option<ActionFilter>,
    pub actor: Option<String>,
    pub target: Option<String>,
}

/// One page of events, newest first, and how many match in all.
pub async fn list_events(
    state: &AppState,
    query: &AuditQuery,
    offset: u64,
    limit: u64,
) -> Result<(Vec<audit_events::Model>, u64), Error> {
    let filter = AuditFilter {
        actions: query.action.map(ActionFilter::actions),
        actor: query.actor.clone(),
        target: query.target.clone(),
    };
    Ok(store::audit_events::list(&state.db, &filter, offset, limit).await?)
}

/// How many `action` events happened at or after `since`.
pub async fn count_since(
    state: &AppState,
    action: Action,
    since: DateTime<Utc>,
) -> Result<u64, Error> {
    Ok(store::audit_events::count_since(&state.db, action.as_str(), since).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_and_filters_parse() {
        for action in Action::ALL {
            assert_eq!(action.as_str().parse(), Ok(action));
        }
        assert_eq!(Action::ClientRotateSecret.category(), "client");
        assert_eq!(
            ActionFilter::parse("login.*"),
            Some(ActionFilter::Category("login"))
        );
        assert_eq!(
            ActionFilter::parse("key.rotate"),
            Some(ActionFilter::One(Action::KeyRotate))
        );
        assert_eq!(ActionFilter::parse("nope.*"), None);
        assert_eq!(ActionFilter::parse("nope"), None);
        assert_eq!(
            ActionFilter::Category("login").actions(),
            ["login.success", "login.failure"]
        );
    }
}
