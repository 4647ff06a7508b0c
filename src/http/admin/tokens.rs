//! `/admin/tokens`: outstanding refresh-token families, by user or by client, and revoking one.
//! Revoking all of a user's or client's families lives on their pages.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::extract::{AdminForm, AdminSession, notice, query};
use crate::auth::admin::tokens::Family;
use crate::auth::admin::{clients, tokens, users};
use crate::entities::users::Model as User;
use crate::http::html::{PageError, see_other};
use crate::paths;
use crate::state::AppState;
use crate::store::refresh_tokens::FamilyFilter;
use crate::views::admin::tokens::{BulkRevoke, FamilyRow, TokensPage};
use crate::views::admin::{Chrome, encode};
use crate::views::render;

const LIMIT: u64 = 200;

/// What the list shows: which families (none for an unknown user), under which heading, and the
/// revoke-all button it offers.
struct Selection {
    filter: Option<FamilyFilter>,
    heading: String,
    bulk: Option<BulkRevoke>,
}

/// The selection for the `user` (looked up when one was named) and `client` filters, worded
/// in `chrome`'s language.
fn select(chrome: &Chrome, user: Option<&Option<User>>, username: &str, client: &str) -> Selection {
    let (filter, heading, bulk) = match (user, client) {
        (Some(None), _) => (
            None,
            chrome.text("tokens-no-user", &[("user", username)]),
            None,
        ),
        (Some(Some(user)), _) => (
            Some(FamilyFilter::User(user.id)),
            chrome.text("tokens-of-user", &[("user", &user.username)]),
            Some(BulkRevoke {
                action: paths::fill(paths::ADMIN_USER_REVOKE_TOKENS, &user.id.to_string()),
                label: chrome.text("tokens-revoke-user", &[("user", &user.username)]),
            }),
        ),
        (None, "") => (Some(FamilyFilter::All), chrome.t("tokens-all"), None),
        (None, id) => (
            Some(FamilyFilter::Client(id.to_owned())),
            chrome.text("tokens-of-client", &[("client", id)]),
            Some(BulkRevoke {
                action: paths::fill(paths::ADMIN_CLIENT_REVOKE_TOKENS, &encode(id)),
                label: chrome.t("tokens-revoke-client"),
            }),
        ),
    };
    Selection {
        filter,
        heading,
        bulk,
    }
}

/// The selected families; a user's are narrowed to `client` when both are given.
async fn families(
    state: &AppState,
    selection: &Selection,
    by_user: bool,
    client: &str,
) -> Result<Vec<Family>, PageError> {
    let mut families = match &selection.filter {
        Some(filter) => tokens::list_families(state, filter, state.now(), LIMIT).await?,
        None => Vec::new(),
    };
    if by_user && !client.is_empty() {
        families.retain(|f| f.client_id == client);
    }
    Ok(families)
}

/// This list again, where its revoke forms come back to.
fn back(username: &str, client: &str) -> String {
    let (user, client) = (encode(username), encode(client));
    format!("{}?user={user}&client={client}", paths::ADMIN_TOKENS)
}

pub async fn tokens_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let text = |name: &str| params.get(name).unwrap_or_default().trim().to_owned();
    let (username, client) = (text("user"), text("client"));
    let user = match username.as_str() {
        "" => None,
        name => Some(users::find_by_username(&state, name).await?),
    };
    let chrome = admin.chrome("tokens", notice(&params));
    let lang = chrome.lang;
    let selection = select(&chrome, user.as_ref(), &username, &client);
    let families = families(&state, &selection, user.is_some(), &client).await?;
    let client_ids = clients::list_clients(&state).await?;
    let page = TokensPage {
        chrome,
        heading: selection.heading,
        back: back(&username, &client),
        client_ids: client_ids.into_iter().map(|c| c.client.client_id).collect(),
        rows: families.iter().map(|f| FamilyRow::new(f, lang)).collect(),
        bulk: selection.bulk.filter(|_| !families.is_empty()),
        user: username,
        client,
        limit: LIMIT,
        limit_text: lang.number(LIMIT),
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
    let list = paths::ADMIN_TOKENS;
    let back = form
        .params
        .get("back")
        .filter(|b| b.starts_with(list) && b.bytes().all(|c| c.is_ascii_graphic()))
        .unwrap_or(list);
    let separator = if back.contains('?') { '&' } else { '?' };
    let notice = if revoked > 0 { "revoked" } else { "nothing" };
    Ok(see_other(&format!("{back}{separator}notice={notice}")))
}
