//! `/admin/users`: the searchable, paged list; create; edit; reset a password; revoke every
//! refresh token.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{AdminForm, AdminSession, notice, page_number, query};
use crate::auth::admin::users::{self, ProfileInput};
use crate::auth::admin::{AdminError, FieldErrors};
use crate::http::html::{Failure, PageError, see_other};
use crate::paths;
use crate::state::AppState;
use crate::views::admin::messages::FieldMessages;
use crate::views::admin::users::{
    UserFacts, UserFormPage, UserFormValues, UserRow, UsersPage, user_href,
};
use crate::views::admin::{Pager, encode};
use crate::views::{render, render_status};

const SECTION: &str = "users";
const PER_PAGE: u64 = 25;

/// A user id from the path; anything else names no user.
fn user_id(raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError::admin(Failure::NotFound))
}

fn profile(form: &AdminForm) -> ProfileInput {
    ProfileInput {
        display_name: form.text("display_name"),
        email: form.text("email"),
        phone: form.text("phone"),
        roles: form.text("roles"),
        is_active: form.checked("is_active"),
    }
}

pub async fn users_list(
    State(state): State<AppState>,
    admin: AdminSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let search = params.get("q").unwrap_or_default().trim().to_owned();
    let page_no = page_number(&params);
    let offset = (page_no - 1).saturating_mul(PER_PAGE);
    let (found, total) = users::list_users(&state, Some(&search), offset, PER_PAGE).await?;
    let href = |n: u64| format!("{}?q={}&page={n}", paths::ADMIN_USERS, encode(&search));
    let chrome = admin.chrome(SECTION, notice(&params));
    let lang = chrome.lang;
    let page = UsersPage {
        chrome,
        rows: found.iter().map(|u| UserRow::new(u, lang)).collect(),
        pager: Pager::new(lang, (page_no, PER_PAGE, total), href),
        search,
    };
    Ok(render(&page))
}

pub async fn users_new(admin: AdminSession) -> Response {
    let page = UserFormPage {
        chrome: admin.chrome(SECTION, None),
        action: paths::ADMIN_USERS.into(),
        values: UserFormValues {
            is_active: true,
            ..UserFormValues::default()
        },
        errors: FieldMessages::default(),
        existing: None,
    };
    render(&page)
}

pub async fn users_create(
    State(state): State<AppState>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let username = form.text("username");
    let profile = ProfileInput {
        is_active: true,
        ..profile(&form)
    };
    let actor = form.session.actor();
    let password = form.params.get("password").unwrap_or_default();
    match users::create_user(&state, &actor, &username, password, &profile, state.now()).await {
        Ok(user) => Ok(see_other(&format!("{}?notice=created", user_href(user.id)))),
        Err(AdminError::Invalid(errors)) => {
            let chrome = form.session.chrome(SECTION, None);
            let page = UserFormPage {
                errors: FieldMessages::new(&errors, chrome.lang),
                chrome,
                action: paths::ADMIN_USERS.into(),
                values: UserFormValues::submitted(&username, &profile),
                existing: None,
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn users_edit(
    State(state): State<AppState>,
    admin: AdminSession,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = query(raw.as_deref())?;
    let user = users::get_user(&state, user_id(&id)?).await?;
    let chrome = admin.chrome(SECTION, notice(&params));
    let page = UserFormPage {
        action: user_href(user.id),
        values: UserFormValues::of(&user),
        errors: FieldMessages::default(),
        existing: Some(UserFacts::of(&user, chrome.lang)),
        chrome,
    };
    Ok(render(&page))
}

/// The edit page again, with `errors` and what was submitted.
async fn edit_again(
    state: &AppState,
    form: &AdminForm,
    id: i64,
    values: Option<UserFormValues>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let user = users::get_user(state, id).await?;
    let chrome = form.session.chrome(SECTION, None);
    let page = UserFormPage {
        action: user_href(id),
        values: values.unwrap_or_else(|| UserFormValues::of(&user)),
        errors: FieldMessages::new(&errors, chrome.lang),
        existing: Some(UserFacts::of(&user, chrome.lang)),
        chrome,
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub async fn users_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let id = user_id(&id)?;
    let profile = profile(&form);
    let actor = form.session.actor();
    match users::update_user(&state, &actor, id, &profile, state.now()).await {
        Ok(()) => Ok(see_other(&format!("{}?notice=saved", user_href(id)))),
        Err(AdminError::Invalid(errors)) => {
            let current = users::get_user(&state, id).await?;
            let values = UserFormValues::submitted(&current.username, &profile);
            edit_again(&state, &form, id, Some(values), errors).await
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn users_reset_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let id = user_id(&id)?;
    let password = form.params.get("password").unwrap_or_default();
    let actor = form.session.actor();
    match users::reset_password(&state, &actor, id, password, state.now()).await {
        Ok(()) => Ok(see_other(&format!("{}?notice=password", user_href(id)))),
        Err(AdminError::Invalid(errors)) => edit_again(&state, &form, id, None, errors).await,
        Err(err) => Err(err.into()),
    }
}

pub async fn users_revoke_tokens(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let id = user_id(&id)?;
    let actor = form.session.actor();
    let revoked = users::revoke_user_tokens(&state, &actor, id, state.now()).await?;
    let notice = if revoked > 0 { "revoked" } else { "nothing" };
    Ok(see_other(&format!("{}?notice={notice}", user_href(id))))
}
