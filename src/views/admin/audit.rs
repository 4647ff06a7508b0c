//! The audit log: filters, one line per event, paging.

use askama::Template;

use super::clients::client_href;
use super::users::user_href;
use super::{Chrome, PageLanguage, Pager, encode};
use crate::entities::audit_events::Model;
use crate::paths;

/// One event.
#[derive(Clone, Debug)]
pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub actor_href: Option<String>,
    pub action: String,
    pub target: String,
    pub target_href: Option<String>,
    pub ip: String,
    pub details: String,
}

impl EventRow {
    /// The line of `event`, in `lang`.
    pub fn new(event: &Model, lang: PageLanguage) -> EventRow {
        let target = event.target.clone().unwrap_or_default();
        let target_href = match target.split_once(':') {
            Some(("client", id)) => Some(client_href(id)),
            Some(("user", id)) => id.parse().ok().map(user_href),
            _ => None,
        };
        EventRow {
            at: lang.datetime(event.at),
            actor: event.actor.clone(),
            actor_href: event.actor_id.map(user_href),
            action: event.action.clone(),
            target,
            target_href,
            ip: event.ip.clone().unwrap_or_default(),
            details: event.details.clone().unwrap_or_default(),
        }
    }
}

/// An entry of the action filter.
#[derive(Clone, Debug)]
pub struct ActionOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub rows: Vec<EventRow>,
    pub actions: Vec<ActionOption>,
    pub actor: String,
    pub target: String,
    pub pager: Pager,
}

/// The audit log filtered to one target, e.g. a client's history.
pub fn target_href(target: &str) -> String {
    format!("{}?target={}", paths::ADMIN_AUDIT, encode(target))
}
