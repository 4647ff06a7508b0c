//! Managing users: the searchable list, creating, editing (display name, email, phone, roles,
//! active), resetting a password under the password policy, revoking every token, and creating
//! the first admin from the bootstrap settings.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{AdminError, FieldErrors, Problem};
use crate::auth::accounts::{self, CreateAccountError, NewAccount};
use crate::auth::audit::{self, Action, Actor, AuditEvent};
use crate::auth::password_policy::{Attribute, password_problems};
use crate::auth::registration::valid_phone;
use crate::auth::revocation::{self, Families, Reason};
use crate::cluster::Event;
use crate::entities::users::Model;
use crate::state::AppState;
use crate::store::{self, InsertError, UniqueField, users::ProfileChanges};

/// The role that opens the admin UI.
pub const ADMIN_ROLE: &str = "admin";

/// A user's profile as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    pub display_name: String,
    pub email: String,
    pub phone: String,
    /// Separated by spaces or commas.
    pub roles: String,
    pub is_active: bool,
}

impl ProfileInput {
    /// Applies the rules; every broken one is reported at its field.
    pub fn parse(&self) -> Result<ProfileChanges, AdminError> {
        let mut errors = FieldErrors::default();
        let changes = self.parse_into(&mut errors);
        errors.into_result(changes)
    }

    fn parse_into(&self, errors: &mut FieldErrors) -> ProfileChanges {
        let display_name = non_empty(&self.display_name);
        if display_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 150)
        {
            errors.add("display_name", Problem::TooLong(150));
        }
        let email = non_empty(&self.email);
        if email.as_deref().is_some_and(|e| !plausible_email(e)) {
            errors.add("email", Problem::Email);
        }
        let phone = non_empty(&self.phone);
        if phone.as_deref().is_some_and(|p| !valid_phone(p)) {
            errors.add("phone", Problem::Phone);
        }
        let mut roles: Vec<String> = Vec::new();
        for role in self
            .roles
            .split([' ', ',', '\t', '\r', '\n'])
            .filter(|r| !r.is_empty())
        {
            let valid = role.len() <= 32
                && role
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.:".contains(c));
            if !valid {
                errors.add("roles", Problem::Role(role.to_owned()));
            } else if !roles.iter().any(|r| r == role) {
                roles.push(role.to_owned());
            }
        }
        ProfileChanges {
            display_name,
            email,
            phone,
            roles,
            is_active: self.is_active,
        }
    }
}

fn non_empty(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !email.contains(char::is_whitespace)
}

/// Django's username rule: letters, digits and `@ . + - _`, at most 150 characters.
fn check_username(username: &str, errors: &mut FieldErrors) {
    let allowed = |c: char| c.is_alphanumeric() || "@.+-_".contains(c);
    if username.is_empty() {
        errors.add("username", Problem::Required);
    } else if username.chars().count() > 150 || !username.chars().all(allowed) {
        errors.add("username", Problem::Username);
    }
}

fn duplicate(field: UniqueField) -> AdminError {
    let name = match field {
        UniqueField::Email => "email",
        UniqueField::Phone => "phone",
        _ => "username",
    };
    AdminError::field(name, Problem::Taken)
}

/// One page of users matching `search` (username, email or phone), and how many match in all.
pub async fn list_users(
    state: &AppState,
    search: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), AdminError> {
    Ok(store::users::list(&state.db, search, offset, limit).await?)
}

/// A user by id.
pub async fn get_user(state: &AppState, id: i64) -> Result<Model, AdminError> {
    store::users::find_by_id(&state.db, id)
        .await?
        .ok_or(AdminError::NotFound)
}

/// A user by username (case-insensitively), if there is one.
pub async fn find_by_username(
    state: &AppState,
    username: &str,
) -> Result<Option<Model>, AdminError> {
    Ok(store::users::find_by_username(&state.db, username).await?)
}

/// Creates an active user with `password`, which must meet the password policy.
pub async fn create_user(
    state: &AppState,
    actor: &Actor,
    username: &str,
    password: &str,
    profile: &ProfileInput,
    now: DateTime<Utc>,
) -> Result<Model, AdminError> {
    let username = username.trim();
    let mut errors = FieldErrors::default();
    check_username(username, &mut errors);
    if let Some(refusal) = password_refusal(username, password) {
        errors.add("password", refusal);
    }
    let changes = profile.parse_into(&mut errors);
    let changes = errors.into_result(changes)?;
    let account = NewAccount {
        username: username.to_owned(),
        password: password.to_owned(),
        email: changes.email,
        phone: changes.phone,
        roles: changes.roles,
        display_name: changes.display_name,
    };
    let user = match accounts::create_user(state, account, now).await {
        Ok(user) => user,
        Err(CreateAccountError::Duplicate(field)) => return Err(duplicate(field)),
        Err(CreateAccountError::Other(err)) => return Err(err.into()),
    };
    let event = AuditEvent::new(actor, Action::UserCreate)
        .target(format!("user:{}", user.id))
        .details(json!({ "username": user.username, "roles": user.roles() }));
    audit::record(state, event, now).await?;
    Ok(user)
}

/// Saves a user's profile. Deactivating revokes their refresh tokens. An admin cannot take their
/// own admin role away or deactivate themselves: that is how the last admin locks everyone out.
pub async fn update_user(
    state: &AppState,
    actor: &Actor,
    id: i64,
    profile: &ProfileInput,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    let current = get_user(state, id).await?;
    let mut errors = FieldErrors::default();
    let changes = profile.parse_into(&mut errors);
    if actor.user_id == Some(id) {
        if !changes.roles.iter().any(|r| r == ADMIN_ROLE) {
            errors.add("roles", Problem::OwnAdminRole);
        }
        if !changes.is_active {
            errors.add("is_active", Problem::OwnDeactivation);
        }
    }
    let changes = errors.into_result(changes)?;
    let changed = changes.changed_fields(&current);
    let update = store::users::update_profile(&state.db, id, &changes);
    match state.writes.run(update).await {
        Ok(()) => {}
        Err(InsertError::Duplicate(field)) => return Err(duplicate(field)),
        Err(InsertError::Db(err)) => return Err(err.into()),
    }
    state.announce(Event::UserChanged { user_id: id }).await;
    if current.is_active && !changes.is_active {
        accounts::deactivate_user(state, actor, id, now).await?;
    }
    let event = AuditEvent::new(actor, Action::UserUpdate)
        .target(format!("user:{id}"))
        .details(json!({ "username": current.username, "changed": changed }));
    audit::record(state, event, now).await?;
    Ok(())
}

/// Sets a new password (under the password policy) and revokes the user's refresh tokens.
pub async fn reset_password(
    state: &AppState,
    actor: &Actor,
    id: i64,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), AdminError> {
    let user = get_user(state, id).await?;
    if let Some(refusal) = password_refusal(&user.username, password) {
        return Err(AdminError::field("password", refusal));
    }
    accounts::set_password(state, actor, id, password, now).await?;
    let event = AuditEvent::new(actor, Action::UserResetPassword)
        .target(format!("user:{id}"))
        .details(json!({ "username": user.username }));
    audit::record(state, event, now).await?;
    Ok(())
}

/// Revokes every refresh token of a user; answers how many.
pub async fn revoke_user_tokens(
    state: &AppState,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<u64, AdminError> {
    get_user(state, id).await?;
    let families = Families::OfUser(id);
    Ok(revocation::revoke_family(state, families, Reason::Admin, actor, now).await?)
}

/// Creates the first admin from the bootstrap settings, only while no active admin exists
/// (`None`: one does, nothing was done). A taken username is refused rather than promoted:
/// whoever registered it first is not trusted.
pub async fn bootstrap_admin(
    state: &AppState,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Option<Model>, AdminError> {
    if store::users::any_active_with_role(&state.db, ADMIN_ROLE).await? {
        return Ok(None);
    }
    let profile = ProfileInput {
        roles: ADMIN_ROLE.into(),
        is_active: true,
        ..ProfileInput::default()
    };
    let user = create_user(state, &Actor::system(), username, password, &profile, now).await?;
    let event = AuditEvent::new(&Actor::system(), Action::AdminBootstrap)
        .target(format!("user:{}", user.id))
        .details(json!({ "username": user.username }));
    audit::record(state, event, now).await?;
    Ok(Some(user))
}

/// The one password policy (Django's four validators, as `/api/register/` applies them);
/// `None` when the password is acceptable.
fn password_refusal(username: &str, password: &str) -> Option<Problem> {
    let username = Attribute {
        verbose_name: "username",
        value: username,
    };
    let problems = password_problems(password, &[username]);
    (!problems.is_empty()).then_some(Problem::Password(problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(result: Result<ProfileChanges, AdminError>) -> Vec<&'static str> {
        match result {
            Err(AdminError::Invalid(errors)) => errors.fields().collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn profiles_are_trimmed_and_checked() {
        let input = ProfileInput {
            display_name: "  Alice  ".into(),
            email: " alice@example.com ".into(),
            phone: "+8613800000000".into(),
            roles: "admin, staff admin".into(),
            is_active: true,
        };
        let Ok(changes) = input.parse() else {
            panic!("valid profile refused")
        };
        assert_eq!(changes.display_name.as_deref(), Some("Alice"));
        assert_eq!(changes.email.as_deref(), Some("alice@example.com"));
        assert_eq!(changes.roles, ["admin", "staff"]);

        let bad = ProfileInput {
            display_name: String::new(),
            email: "not-an-email".into(),
            phone: "138 00x0".into(),
            roles: "Admin".into(),
            is_active: true,
        };
        assert_eq!(errors(bad.parse()), ["email", "phone", "roles"]);
    }

    #[test]
    fn usernames_follow_django() {
        let mut errors = FieldErrors::default();
        check_username("alice.b+c@x-y_z", &mut errors);
        assert!(errors.is_empty());
        check_username("has space", &mut errors);
        assert!(errors.get("username").is_some());
    }
}
