//! Managing OAuth clients: registering with every setting, editing, disabling, deleting, rotating
//! the secret, revoking every token issued to a client. The form's rules live in `client_form`.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::client_form::{ClientInput, parse_client_id};
use super::{AdminError, Problem, Refusal};
use crate::auth::audit::{self, Action, Actor, AuditEvent};
use crate::auth::clients::{self, ClientKind, GrantType, RegisteredClient};
use crate::auth::revocation::{self, Families, Reason};
use crate::cluster::Event;
use crate::crypto::secrets::{self, Secret};
use crate::entities::clients::Model;
use crate::state::AppState;
use crate::store::{self, InsertError, UniqueField};

fn secs(d: Option<Duration>) -> Option<i64> {
    d.and_then(|d| i64::try_from(d.as_secs()).ok())
}

fn names(grants: &[GrantType]) -> Vec<String> {
    grants.iter().map(|g| g.as_str().to_owned()).collect()
}

/// A client of the list, with when it was last seen.
#[derive(Clone, Debug)]
pub struct ClientSummary {
    pub client: Model,
    /// The later of its recorded use and its newest refresh token.
    pub last_used: Option<DateTime<Utc>>,
}

/// Every client, oldest first.
pub async fn list_clients(state: &AppState) -> Result<Vec<ClientSummary>, AdminError> {
    let last_issued: HashMap<String, DateTime<Utc>> =
        store::refresh_tokens::last_issued_by_client(&state.db)
            .await?
            .into_iter()
            .collect();
    let clients = store::clients::list(&state.db).await?;
    Ok(clients
        .into_iter()
        .map(|client| {
            let issued = last_issued.get(&client.client_id).copied();
            let last_used = client.last_used_at.max(issued);
            ClientSummary { client, last_used }
        })
        .collect())
}

/// A client, active or not.
pub async fn get_client(state: &AppState, client_id: &str) -> Result<Model, AdminError> {
    store::clients::find_by_client_id(&state.db, client_id)
        .await?
        .ok_or(AdminError::NotFound)
}

/// Registers a client of `kind` (a typed `client_id`, or a random one when empty). A confidential
/// client's secret is in the answer, the only time it exists outside its hash.
pub async fn create_client(
    state: &AppState,
    actor: &Actor,
    client_id: &str,
    kind: ClientKind,
    input: &ClientInput,
    now: DateTime<Utc>,
) -> Result<RegisteredClient, AdminError> {
    let requested_id = parse_client_id(client_id);
    let settings = input.parse(kind);
    let (requested_id, settings) = merge_errors(requested_id, settings)?;
    let client_id = requested_id.unwrap_or_else(|| secrets::random_token(16));
    let secret =
        (kind == ClientKind::Confidential).then(|| Secret::from(secrets::random_token(32)));
    let new = store::clients::NewClient {
        client_id: client_id.clone(),
        secret_hash: secret.as_ref().map(|s| secrets::sha256_hex(s.expose())),
        name: settings.name,
        kind: kind.as_str().to_owned(),
        redirect_uris: settings.redirect_uris,
        post_logout_redirect_uris: settings.post_logout_redirect_uris,
        grant_types: names(&settings.grant_types),
        scopes: settings.scopes,
        audience: settings.audience,
        access_token_lifetime_secs: secs(settings.access_token_lifetime),
        refresh_token_lifetime_secs: secs(settings.refresh_token_lifetime),
        first_party: settings.first_party,
        logo_uri: settings.logo_uri,
    };
    let details = json!({ "kind": kind.as_str(), "grant_types": new.grant_types });
    let insert = store::clients::insert(&state.db, new, now);
    match state.writes.run(insert).await {
        Ok(_) => {}
        Err(InsertError::Duplicate(UniqueField::ClientId)) => {
            return Err(AdminError::field("client_id", Problem::Taken));
        }
        Err(InsertError::Duplicate(_)) => {
            return Err(AdminError::Refused(Refusal::DuplicateClient));
        }
        Err(InsertError::Db(err)) => return Err(err.into()),
    }
    let event = AuditEvent::new(actor, Action::ClientCreate)
        .target(format!("client:{client_id}"))
        .details(details);
    audit::record(state, event, now).await?;
    Ok(RegisteredClient { client_id, secret })
}

/// Both results' field errors together, so the form shows every problem at once.
fn merge_errors<A, B>(
    a: Result<A, AdminError>,
    b: Result<B, AdminError>,
) -> Result<(A, B), AdminError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(AdminError::Invalid(mut first)), Err(AdminError::Invalid(second))) => {
            for field in second.fields() {
                if let Some(problem) = second.get(field) {
                    first.add(field, problem.clone());
                }
            }
            Err(AdminError::Invalid(first))
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
    }
}

/// Replaces a client's settings. Its kind, id and secret stay.
pub async fn update_client(
    state: &AppState,
    actor: &Actor,
    client_id: &str,
    input: &ClientInput,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    let current = get_client(state, client_id).await?;
    let kind = if current.is_public() {
        ClientKind::Public
    } else {
        ClientKind::Confidential
    };
    let settings = input.parse(kind)?;
    let changes = store::clients::ClientChanges {
        name: settings.name,
        redirect_uris: settings.redirect_uris,
        post_logout_redirect_uris: settings.post_logout_redirect_uris,
        grant_types: names(&settings.grant_types),
        scopes: settings.scopes,
        audience: settings.audience,
        access_token_lifetime_secs: secs(settings.access_token_lifetime),
        refresh_token_lifetime_secs: secs(settings.refresh_token_lifetime),
        first_party: settings.first_party,
        logo_uri: settings.logo_uri,
    };
    let changed = changes.changed_fields(&current);
    let update = store::clients::update(&state.db, client_id, &changes);
    if !state.writes.run(update).await? {
        return Err(AdminError::NotFound);
    }
    state.announce(Event::client_changed(client_id)).await;
    let event = AuditEvent::new(actor, Action::ClientUpdate)
        .target(format!("client:{client_id}"))
        .details(json!({ "changed": changed }));
    audit::record(state, event, now).await?;
    Ok(())
}

/// Enables or disables a client. A disabled client cannot authenticate, and every refresh token
/// issued to it is revoked: enabling it again does not bring them back.
pub async fn set_client_active(
    state: &AppState,
    actor: &Actor,
    client_id: &str,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    let set_active = store::clients::set_active(&state.db, client_id, active);
    if !state.writes.run(set_active).await? {
        return Err(AdminError::NotFound);
    }
    state.announce(Event::client_changed(client_id)).await;
    let (action, revoked) = if active {
        (Action::ClientEnable, 0)
    } else {
        let families = Families::OfClient(client_id);
        let reason = Reason::ClientDisabled;
        let revoked = revocation::revoke_family(state, families, reason, actor, now).await?;
        (Action::ClientDisable, revoked)
    };
    let event = AuditEvent::new(actor, action)
        .target(format!("client:{client_id}"))
        .details(json!({ "revoked_refresh_tokens": revoked }));
    audit::record(state, event, now).await?;
    Ok(())
}

/// Deletes a client after revoking every refresh token issued to it.
pub async fn delete_client(
    state: &AppState,
    actor: &Actor,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    let client = get_client(state, client_id).await?;
    let families = Families::OfClient(client_id);
    let revoked =
        revocation::revoke_family(state, families, Reason::ClientDeleted, actor, now).await?;
    let delete = store::clients::delete(&state.db, client_id);
    state.writes.run(delete).await?;
    state.announce(Event::client_changed(client_id)).await;
    let event = AuditEvent::new(actor, Action::ClientDelete)
        .target(format!("client:{client_id}"))
        .details(json!({ "name": client.name, "revoked_refresh_tokens": revoked }));
    audit::record(state, event, now).await?;
    Ok(())
}

/// Replaces a confidential client's secret; the old one stops working at once.
pub async fn rotate_secret(
    state: &AppState,
    actor: &Actor,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<Secret, AdminError> {
    let client = get_client(state, client_id).await?;
    if client.is_public() {
        return Err(AdminError::Refused(Refusal::NoSecret));
    }
    let secret = clients::rotate_client_secret(state, client_id).await?;
    let event =
        AuditEvent::new(actor, Action::ClientRotateSecret).target(format!("client:{client_id}"));
    audit::record(state, event, now).await?;
    Ok(secret)
}

/// Revokes every refresh token issued to a client; answers how many.
pub async fn revoke_client_tokens(
    state: &AppState,
    actor: &Actor,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<u64, AdminError> {
    get_client(state, client_id).await?;
    let families = Families::OfClient(client_id);
    Ok(revocation::revoke_family(state, families, Reason::Admin, actor, now).await?)
}
