//! The admin UI's domain (SPEC §7 "Admin UI"): managing clients, users, refresh-token families,
//! signing keys and login throttles, and the dashboard's figures. Every change records an audit event naming the
//! admin and their address.
//!
//! Form input arrives as plain strings and is parsed here, so the rules (what a redirect URI may
//! be, the password policy) hold for every caller; a refusal names the fields at fault. Refusals
//! are types ([`Problem`], [`Refusal`]), never sentences: each surface words them in its reader's
//! language (the admin pages through `views::admin::messages`, the CLI in English).

pub mod client_form;
pub mod clients;
pub mod keys;
pub mod overview;
pub mod throttles;
pub mod tokens;
pub mod users;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

use super::Error;
use super::password_policy::PasswordProblem;
use super::redirect_uri::UriProblem;
use crate::crypto::keys::KeyError;

/// Why a form field was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty, and it may not be.
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// A redirect URI (or post-logout redirect URI) that `redirect_uri::check` refuses.
    Uri { uri: String, problem: UriProblem },
    /// The authorization-code grant without a redirect URI.
    RedirectUriNeeded,
    /// A scope outside RFC 6749 §3.3's `scope-token` characters.
    ScopeSyntax,
    /// An audience with white space, or longer than 200 characters.
    Audience,
    /// A token lifetime outside 1 second ..= 366 days.
    LifetimeRange,
    /// A token lifetime that is not a duration (`15m`, `30d`).
    LifetimeSyntax,
    /// `new`, which names the form for a new client.
    ClientIdReserved,
    /// A client id outside `[A-Za-z0-9-._~]{1,64}`.
    ClientIdSyntax,
    /// A client kind other than `confidential` or `public`.
    Kind,
    /// A grant name Sesame does not know.
    UnknownGrant(String),
    /// No grant at all.
    NoGrant,
    /// A public client with the password or client-credentials grant (RFC 9700 §2.4).
    PublicClientGrant,
    /// The value (client id, username, email, phone) belongs to another client or user.
    Taken,
    /// Not an email address.
    Email,
    /// Not a phone number.
    Phone,
    /// A role outside `[a-z0-9_.:-]{1,32}`.
    Role(String),
    /// A username outside Django's `[\w.@+-]{1,150}`.
    Username,
    /// An admin taking their own admin role away.
    OwnAdminRole,
    /// An admin deactivating themselves.
    OwnDeactivation,
    /// A logo URI that is not an absolute `https` URL (RFC 7591 §2: `logo_uri`).
    LogoUri,
    /// Django's password validators' refusals, in their order.
    Password(Vec<PasswordProblem>),
}

/// Why an action was refused as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A unique value other than the client id was taken by a concurrent registration.
    DuplicateClient,
    /// Rotating the secret of a public client, which has none.
    NoSecret,
    /// Rotating the ring for an HS* algorithm: its secret is the `signing_key` setting.
    SharedSecret(String),
    /// Retiring a key that is retired already.
    KeyRetired,
    /// Retiring the key that signs new tokens.
    KeySigns,
    /// Retiring a key whose tokens are valid until then.
    KeyInUse(DateTime<Utc>),
}

/// The problems of a form, by field name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, Problem>);

impl FieldErrors {
    /// Records `problem` for `field`; the first problem for a field wins.
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.entry(field).or_insert(problem);
    }

    /// The problem of `field`, if any.
    pub fn get(&self, field: &str) -> Option<&Problem> {
        self.0.get(field)
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
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Internal(#[from] Error),
}

impl AdminError {
    /// A refusal about one field.
    pub fn field(field: &'static str, problem: Problem) -> AdminError {
        let mut errors = FieldErrors::default();
        errors.add(field, problem);
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
