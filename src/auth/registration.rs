//! Self-service registration (`POST /api/register/`): the rules a Django project applies to a new
//! `auth.User` — username format and length, a valid email, uniqueness, and Django's password
//! validators — with Django's messages, keyed by field as DRF reports them.
//!
//! Uniqueness is checked across identifiers, not per column: login accepts a username, an email
//! or a phone in one field, so a new username may not be anyone's email or phone, and so on.

use chrono::{DateTime, Utc};

use super::Error;
use super::accounts::{self, CreateAccountError, NewAccount};
use super::password_policy::{self, Attribute, PasswordProblem};
use crate::entities::users;
use crate::i18n::Translator;
use crate::state::AppState;
use crate::store::{self, UniqueField};

/// Django's `AbstractUser.username` max_length.
const USERNAME_MAX: usize = 150;
/// Django's `EmailField` max_length.
const EMAIL_MAX: usize = 254;
const PHONE_MAX: usize = 32;

/// What a registrant sends, already trimmed; empty optional fields are `None`.
#[derive(Debug, Clone)]
pub struct Registration {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Problems per field, in the order a DRF serializer declares its fields.
pub type FieldErrors = Vec<(&'static str, Vec<FieldProblem>)>;

/// Why a registration field was refused; each surface words it in its language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    /// Another user holds the value (DRF's `UniqueValidator`).
    Taken(UniqueField),
    /// Longer than the field's `max_length`.
    TooLong(usize),
    /// Not a valid username, email address or phone number.
    Malformed(UniqueField),
    Password(PasswordProblem),
}

impl FieldProblem {
    /// Django's and DRF's message, translated as a Django project translates it.
    pub fn message(self, t: Translator) -> String {
        match self {
            FieldProblem::Taken(UniqueField::Username) => t
                .gettext("A user with that username already exists.")
                .into_owned(),
            // DRF's get_unique_error_message: the model's and field's verbose names.
            FieldProblem::Taken(field) => t
                .gettext("%(model_name)s with this %(field_label)s already exists.")
                .replace("%(model_name)s", &t.gettext(model_name(field)))
                .replace("%(field_label)s", &t.gettext(field_label(field))),
            FieldProblem::TooLong(max) => t
                .gettext("Ensure this field has no more than {max_length} characters.")
                .replace("{max_length}", &max.to_string()),
            FieldProblem::Malformed(field) => t.gettext(malformed(field)).into_owned(),
            FieldProblem::Password(problem) => problem.message(t),
        }
    }
}

/// The verbose name of the model holding a unique field.
fn model_name(field: UniqueField) -> &'static str {
    match field {
        UniqueField::ClientId => "client",
        _ => "user",
    }
}

/// The verbose name of a unique field (Django's for email; Sesame's own for phone).
fn field_label(field: UniqueField) -> &'static str {
    match field {
        UniqueField::Username => "username",
        UniqueField::Email => "email address",
        UniqueField::Phone => "phone",
        UniqueField::ClientId => "client id",
    }
}

fn malformed(field: UniqueField) -> &'static str {
    match field {
        UniqueField::Username => {
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
        }
        UniqueField::Email => "Enter a valid email address.",
        UniqueField::Phone | UniqueField::ClientId => "Enter a valid phone number.",
    }
}

/// Why a registration was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("registration refused")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Other(#[from] Error),
}

/// Validates a registration and creates the (active, role-less) user. The username is checked
/// in the NFKC form it will be stored in, as Django's `UsernameField` normalizes before validating
/// (`ﬁona` is `fiona`, also for the length limit); uniqueness compares canonical forms.
pub async fn register_user(
    state: &AppState,
    mut registration: Registration,
    now: DateTime<Utc>,
) -> Result<users::Model, RegistrationError> {
    registration.username = identifiers::normalize_username(&registration.username);
    let errors = check_fields(state, &registration).await?;
    if !errors.is_empty() {
        return Err(RegistrationError::Invalid(errors));
    }
    let mut attributes = vec![Attribute {
        verbose_name: "username",
        value: &registration.username,
    }];
    if let Some(email) = &registration.email {
        attributes.push(Attribute {
            verbose_name: "email address",
            value: email,
        });
    }
    let refused = password_policy::password_problems(&registration.password, &attributes);
    if !refused.is_empty() {
        let problems = refused.into_iter().map(FieldProblem::Password).collect();
        return Err(RegistrationError::Invalid(vec![("password", problems)]));
    }
    let account = NewAccount {
        username: registration.username,
        password: registration.password,
        email: registration.email,
        phone: registration.phone,
        roles: Vec::new(),
        display_name: None,
    };
    match accounts::create_user(state, account, now).await {
        Ok(user) => Ok(user),
        // Lost a race with a concurrent registration of the same identifier.
        Err(CreateAccountError::Duplicate(field)) => Err(RegistrationError::Invalid(vec![(
            field.as_str(),
            vec![FieldProblem::Taken(field)],
        )])),
        Err(CreateAccountError::Other(err)) => Err(err.into()),
    }
}

/// Format, then (for well-formed values) uniqueness, field by field.
async fn check_fields(state: &AppState, registration: &Registration) -> Result<FieldErrors, Error> {
    let mut errors = FieldErrors::new();
    let fields = [
        (UniqueField::Username, Some(registration.username.as_str())),
        (UniqueField::Email, registration.email.as_deref()),
        (UniqueField::Phone, registration.phone.as_deref()),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        let mut messages = format_errors(field, value);
        if messages.is_empty()
            && store::users::find_by_login(&state.db, value)
                .await?
                .is_some()
        {
            messages.push(FieldProblem::Taken(field));
        }
        if !messages.is_empty() {
            errors.push((field.as_str(), messages));
        }
    }
    Ok(errors)
}

fn format_errors(field: UniqueField, value: &str) -> Vec<FieldProblem> {
    let (max, valid) = match field {
        UniqueField::Username => (USERNAME_MAX, valid_username(value)),
        UniqueField::Email => (EMAIL_MAX, valid_email(value)),
        UniqueField::Phone | UniqueField::ClientId => (PHONE_MAX, valid_phone(value)),
    };
    let mut messages = Vec::new();
    if value.chars().count() > max {
        messages.push(FieldProblem::TooLong(max));
    }
    if !valid {
        messages.push(FieldProblem::Malformed(field));
    }
    messages
}

/// Django's `UnicodeUsernameValidator`: `^[\w.@+-]+\Z`.
fn valid_username(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '+' | '-'))
}

/// The common shape of Django's `EmailValidator`: a dot-atom local part and a domain of
/// hostname labels with a top-level label of at least two characters (or `localhost`).
fn valid_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let atom = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
    };
    let label = |part: &str| {
        (1..=63).contains(&part.len())
            && !part.starts_with('-')
            && !part.ends_with('-')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.eq_ignore_ascii_case("localhost")
        || (labels.len() >= 2
            && labels.iter().all(|l| label(l))
            && labels.last().is_some_and(|tld| tld.len() >= 2));
    local.split('.').all(atom) && domain_ok
}

/// Digits with the usual separators, an optional leading `+`, at least three digits: the one
/// phone rule of registration, the admin UI and the CLI.
pub(crate) fn valid_phone(value: &str) -> bool {
    let rest = value.strip_prefix('+').unwrap_or(value);
    rest.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
        && rest.chars().filter(char::is_ascii_digit).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_django() {
        assert!(valid_username("alice.b+c@d-e_f"));
        assert!(valid_username("Zoë"));
        assert!(!valid_username("a b"));
        assert!(!valid_username(""));
        let long = "x".repeat(151);
        let messages: Vec<String> = format_errors(UniqueField::Username, &long)
            .into_iter()
            .map(|problem| problem.message(Translator::default()))
            .collect();
        assert_eq!(
            messages,
            ["Ensure this field has no more than 150 characters."]
        );
    }

    #[test]
    fn emails_and_phones() {
        assert!(valid_email("dave@example.com"));
        assert!(valid_email("first.last+tag@mail.example.co"));
        assert!(valid_email("root@localhost"));
        for bad in [
            "nope",
            "a@b",
            "@example.com",
            "a..b@example.com",
            "a@-x.com",
            "a@example.c",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert!(valid_phone("+86 138-0013-8000"));
        assert!(!valid_phone("12"));
        assert!(!valid_phone("call me"));
    }
}
