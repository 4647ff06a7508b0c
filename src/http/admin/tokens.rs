//! `/admin/tokens`: outstanding refresh-token families, by user or by client, and revoking one.
//! Revoking all of a user's or client's families lives on their pages.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::{AdminForm, AdminSession, PageError, notice, query, see_other};
use crate::auth::admin::{clients, tokens, users};
use crate::state::AppState;
use crate::store::refresh_tokens::FamilyFilter;
use crate::views::admin::clients::client_href;
use crate::views::admin::encode;
use crate::views::admin::tokens::{BulkRevoke, FamilyRow, TokensPage};
use crate::views::admin::users::user_href;
use crate::views::render;

const LIMIT: u64 = 200;
const LIST: &str = "/admin/tokens";

pub async fn tokens_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let username = params.get("user").unwrap_or_default().trim().to_owned();
    let client = params.get("client").unwrap_or_default().trim().to_owned();
    let user = match username.as_str() {
        "" => None,
        name => Some(users::find_by_username(&state, name).await?),
    };
    let (filter, heading, bulk) = match (&user, client.as_str()) {
        (Some(None), _) => (None, format!("No user is named {username}"), None),
        (Some(Some(user)), _) => (
            Some(FamilyFilter::User(user.id)),
            format!("Signed-in sessions of {}", user.username),
            Some(BulkRevoke {
                action: format!("{}/revoke-tokens", user_href(user.id)),
                label: format!("Revoke all of {}'s tokens", user.username),
            }),
        ),
        (None, "") => (
            Some(FamilyFilter::All),
            "All signed-in sessions".to_owned(),
            None,
        ),
        (None, id) => (
            Some(FamilyFilter::Client(id.to_owned())),
            format!("Signed-in sessions through {id}"),
            Some(BulkRevoke {
                action: format!("{}/revoke-tokens", client_href(id)),
                label: "Revoke all of this client's tokens".to_owned(),
            }),
        ),
    };
    let mut families = match &filter {
        Some(filter) => tokens::list_families(&state, filter, state.now(), LIMIT).await?,
        None => Vec::new(),
    };
    if user.is_some() && !client.is_empty() {
        families.retain(|f| f.client_id == client);
    }
    let client_ids = clients::list_clients(&state).await?;
    let page = TokensPage {
        chrome: admin.chrome("tokens", notice(&params)),
        heading,
        back: format!(
            "{LIST}?user={}&client={}",
            encode(&username),
            encode(&client)
        ),
        client_ids: client_ids.into_iter().map(|c| c.client.client_id).collect(),
        rows: families.iter().map(FamilyRow::from).collect(),
        bulk: bulk.filter(|_| !families.is_empty()),
        user: username,
        client,
        limit: LIMIT,
    };
    Ok(render(&page))
}

pub async fn tokens_revoke(
    State(state): State<AppState>,
    Path(family_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let actor = form.session.actor();
    let revoked = tokens::revoke_family(&state, &actor, &family_id, state.now()).await?;
    // Only ever back to the token list: `back` is form input, not a place to send anyone.
    let back = form
        .params
        .get("back")
        .filter(|b| b.starts_with(LIST) && b.bytes().all(|c| c.is_ascii_graphic()))
        .unwrap_or(LIST);
    let separator = if back.contains('?') { '&' } else { '?' };
    let notice = if revoked > 0 { "revoked" } else { "nothing" };
    Ok(see_other(&format!("{back}{separator}notice={notice}")))
}
