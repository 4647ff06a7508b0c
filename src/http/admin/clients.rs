//! `/admin/clients`: list, create, edit, enable/disable, delete (after a confirmation page),
//! rotate the secret, revoke every refresh token. A new or rotated secret is rendered once, on a
//! page that is not cached.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::extract::{AdminForm, AdminSession, notice, query};
use crate::auth::admin::client_form::{ClientInput, parse_kind};
use crate::auth::admin::{AdminError, FieldErrors, clients};
use crate::http::html::{PageError, see_other};
use crate::paths;
use crate::state::AppState;
use crate::views::admin::Chrome;
use crate::views::admin::clients::{
    ClientDeletePage, ClientFacts, ClientFormPage, ClientFormValues, ClientRow, ClientSecretPage,
    ClientsPage, client_href,
};
use crate::views::admin::messages::FieldMessages;
use crate::views::{render, render_status};

const SECTION: &str = "clients";

/// The form's fields as the domain reads them.
fn input(form: &AdminForm) -> ClientInput {
    let grants = [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
    ];
    ClientInput {
        name: form.text("name"),
        redirect_uris: form.text("redirect_uris"),
        post_logout_redirect_uris: form.text("post_logout_redirect_uris"),
        grant_types: grants
            .iter()
            .filter(|g| form.checked(&format!("grant_{g}")))
            .map(|g| (*g).to_owned())
            .collect(),
        scopes: form.text("scopes"),
        audience: form.text("audience"),
        access_token_lifetime: form.text("access_token_lifetime"),
        refresh_token_lifetime: form.text("refresh_token_lifetime"),
        logo_uri: form.text("logo_uri"),
        first_party: form.checked("first_party"),
    }
}

pub async fn clients_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let summaries = clients::list_clients(&state).await?;
    let chrome = admin.chrome(SECTION, notice(&params));
    let page = ClientsPage {
        rows: summaries
            .iter()
            .map(|s| ClientRow::new(s, chrome.lang))
            .collect(),
        chrome,
    };
    Ok(render(&page))
}

/// The form that creates a client.
fn new_client_form(
    chrome: Chrome,
    values: ClientFormValues,
    errors: FieldErrors,
) -> ClientFormPage {
    ClientFormPage {
        errors: FieldMessages::new(&errors, chrome.lang),
        chrome,
        action: paths::ADMIN_CLIENTS.into(),
        values,
        existing: None,
    }
}

pub async fn clients_new(admin: AdminSession) -> Response {
    let chrome = admin.chrome(SECTION, None);
    let values = ClientFormValues::defaults();
    render(&new_client_form(chrome, values, FieldErrors::default()))
}

pub async fn clients_create(
    State(state): State<AppState>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let (client_id, kind_name, input) = (form.text("client_id"), form.text("kind"), input(&form));
    let actor = form.session.actor();
    let created = match parse_kind(&kind_name) {
        Ok(kind) => {
            clients::create_client(&state, &actor, &client_id, kind, &input, state.now()).await
        }
        Err(err) => Err(err),
    };
    let chrome = form.session.chrome(SECTION, None);
    match created {
        Ok(registered) => Ok(secret_page(&ClientSecretPage {
            chrome,
            href: client_href(&registered.client_id),
            client_id: registered.client_id,
            name: input.name.trim().to_owned(),
            secret: registered.secret.map(|s| s.expose().to_owned()),
            rotated: false,
        })),
        Err(AdminError::Invalid(errors)) => {
            let values = ClientFormValues::submitted(&client_id, &kind_name, &input);
            let page = new_client_form(chrome, values, errors);
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(err) => Err(err.into()),
    }
}

/// The secret page: never stored by any cache, never sent on as a referrer.
fn secret_page(page: &ClientSecretPage) -> Response {
    let mut response = render(page);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn clients_edit(
    State(state): State<AppState>,
    admin: AdminSession,
    Path(client_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let client = clients::get_client(&state, &client_id).await?;
    let chrome = admin.chrome(SECTION, notice(&params));
    let page = ClientFormPage {
        action: client_href(&client.client_id),
        values: ClientFormValues::of(&client),
        errors: FieldMessages::default(),
        existing: Some(ClientFacts::of(&client, chrome.lang)),
        chrome,
    };
    Ok(render(&page))
}

pub async fn clients_update(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let input = input(&form);
    let actor = form.session.actor();
    match clients::update_client(&state, &actor, &client_id, &input, state.now()).await {
        Ok(()) => Ok(see_other(&format!(
            "{}?notice=saved",
            client_href(&client_id)
        ))),
        Err(AdminError::Invalid(errors)) => {
            let client = clients::get_client(&state, &client_id).await?;
            let chrome = form.session.chrome(SECTION, None);
            let page = ClientFormPage {
                action: client_href(&client_id),
                values: ClientFormValues::submitted(&client_id, &client.kind, &input),
                errors: FieldMessages::new(&errors, chrome.lang),
                existing: Some(ClientFacts::of(&client, chrome.lang)),
                chrome,
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(err) => Err(err.into()),
    }
}

async fn set_active(
    state: &AppState,
    client_id: &str,
    form: &AdminForm,
    active: bool,
) -> Result<Response, PageError> {
    let actor = form.session.actor();
    clients::set_client_active(state, &actor, client_id, active, state.now()).await?;
    let notice = if active { "enabled" } else { "disabled" };
    Ok(see_other(&format!(
        "{}?notice={notice}",
        client_href(client_id)
    )))
}

pub async fn clients_enable(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    set_active(&state, &client_id, &form, true).await
}

pub async fn clients_disable(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    set_active(&state, &client_id, &form, false).await
}

pub async fn clients_delete_confirm(
    State(state): State<AppState>,
    admin: AdminSession,
    Path(client_id): Path<String>,
) -> Result<Response, PageError> {
    let client = clients::get_client(&state, &client_id).await?;
    let page = ClientDeletePage {
        chrome: admin.chrome(SECTION, None),
        href: client_href(&client.client_id),
        client_id: client.client_id,
        name: client.name,
    };
    Ok(render(&page))
}

pub async fn clients_delete(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let actor = form.session.actor();
    clients::delete_client(&state, &actor, &client_id, state.now()).await?;
    Ok(see_other(&format!(
        "{}?notice=deleted",
        paths::ADMIN_CLIENTS
    )))
}

pub async fn clients_rotate_secret(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let actor = form.session.actor();
    let secret = clients::rotate_secret(&state, &actor, &client_id, state.now()).await?;
    let client = clients::get_client(&state, &client_id).await?;
    let page = ClientSecretPage {
        chrome: form.session.chrome(SECTION, None),
        href: client_href(&client.client_id),
        client_id: client.client_id,
        name: client.name,
        secret: Some(secret.expose().to_owned()),
        rotated: true,
    };
    Ok(secret_page(&page))
}

pub async fn clients_revoke_tokens(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let actor = form.session.actor();
    let revoked = clients::revoke_client_tokens(&state, &actor, &client_id, state.now()).await?;
    let notice = if revoked > 0 { "revoked" } else { "nothing" };
    Ok(see_other(&format!(
        "{}?notice={notice}",
        client_href(&client_id)
    )))
}
