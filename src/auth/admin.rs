//! The admin UI's domain (SPEC §7 "Admin UI"): managing clients, users, refresh-token families,
//! signing keys and login throttles, and the dashboard's figures. Every change records an audit event naming the
//! admin and their address.
//!
//! Form input arrives as plain strings and is parsed here, so the rules (what a redirect URI may
//! be, the password policy) hold for every caller; a refusal names the fields at fault.

pub mod client_form;
pub mod clients;
pub mod keys;
pub mod overview;
pub mod throttles;
pub mod tokens;
pub mod users;

use std::collections::BTreeMap;

use sea_orm::DbErr;

use super::Error;
use crate::crypto::keys::KeyError;

/// Messages about form fields, by field name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    /// Records `message` for `field`; the first message for a field wins.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields with a message.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.keys().copied()
    }

    /// `Ok(value)` when there are no messages.
    pub fn into_result<T>(self, value: T) -> Result<T, AdminError> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(AdminError::Invalid(self))
        }
    }
}

/// Why an admin action was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The input is wrong; the form is shown again with these messages.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The client, user, family or key does not exist.
    #[error("not found")]
    NotFound,
    /// The action is refused as a whole (retiring the signing key, rotating an HMAC secret, ...).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Internal(#[from] Error),
}

impl AdminError {
    /// A refusal about one field.
    pub fn field(field: &'static str, message: impl Into<String>) -> AdminError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        AdminError::Invalid(errors)
    }
}

impl From<DbErr> for AdminError {
    fn from(err: DbErr) -> AdminError {
        AdminError::Internal(err.into())
    }
}

impl From<KeyError> for AdminError {
    fn from(err: KeyError) -> AdminError {
        AdminError::Internal(err.into())
    }
}
