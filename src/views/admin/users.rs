//! User pages: the searchable list and the create/edit form (with password reset and revoking).

use askama::Template;

use super::messages::FieldMessages;
use super::{Chrome, PageLanguage, Pager, encode};
use crate::auth::admin::users::ProfileInput;
use crate::entities::users::Model;
use crate::paths;

/// Where a user's page lives.
pub fn user_href(id: i64) -> String {
    paths::fill(paths::ADMIN_USER, &id.to_string())
}

/// One line of the user list.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub href: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub phone: String,
    pub roles: Vec<String>,
    pub active: bool,
    pub last_login: String,
}

impl UserRow {
    /// The line of `user`, in `lang`.
    pub fn new(user: &Model, lang: PageLanguage) -> UserRow {
        UserRow {
            href: user_href(user.id),
            username: user.username.clone(),
            display_name: user.display_name.clone().unwrap_or_default(),
            email: user.email.clone().unwrap_or_default(),
            phone: user.phone.clone().unwrap_or_default(),
            roles: user.roles(),
            active: user.is_active,
            last_login: lang.datetime_or_never(user.last_login),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub search: String,
    pub rows: Vec<UserRow>,
    pub pager: Pager,
}

/// The form's values as text. A password is never put back into a page.
#[derive(Clone, Debug, Default)]
pub struct UserFormValues {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub phone: String,
    pub roles: String,
    pub is_active: bool,
}

impl UserFormValues {
    pub fn submitted(username: &str, input: &ProfileInput) -> UserFormValues {
        UserFormValues {
            username: username.to_owned(),
            display_name: input.display_name.clone(),
            email: input.email.clone(),
            phone: input.phone.clone(),
            roles: input.roles.clone(),
            is_active: input.is_active,
        }
    }

    pub fn of(user: &Model) -> UserFormValues {
        UserFormValues {
            username: user.username.clone(),
            display_name: user.display_name.clone().unwrap_or_default(),
            email: user.email.clone().unwrap_or_default(),
            phone: user.phone.clone().unwrap_or_default(),
            roles: user.roles().join(" "),
            is_active: user.is_active,
        }
    }
}

/// Facts about an existing user, shown beside the form.
#[derive(Clone, Debug)]
pub struct UserFacts {
    pub id: i64,
    pub href: String,
    pub created: String,
    pub last_login: String,
    pub password_changed: String,
    pub tokens_href: String,
}

impl UserFacts {
    /// The facts of `user`, in `lang`.
    pub fn of(user: &Model, lang: PageLanguage) -> UserFacts {
        UserFacts {
            id: user.id,
            href: user_href(user.id),
            created: lang.datetime(user.created_at),
            last_login: lang.datetime_or_never(user.last_login),
            password_changed: lang.datetime(user.password_changed_at),
            tokens_href: format!("{}?user={}", paths::ADMIN_TOKENS, encode(&user.username)),
        }
    }
}

/// Creating (`existing` is `None`) or editing a user.
#[derive(Template)]
#[template(path = "admin/user_form.html")]
pub struct UserFormPage {
    pub chrome: Chrome,
    pub action: String,
    pub values: UserFormValues,
    pub errors: FieldMessages,
    pub existing: Option<UserFacts>,
}
