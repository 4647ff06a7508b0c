//! The admin domain's refusals in words: each [`Problem`] and [`Refusal`] has a message id in
//! `locales/<tag>/admin.ftl`. A password's problems read as Django's validators word them in
//! English; in Chinese they are our own catalogue's, since Django's `zh_Hans` catalogue leaves
//! some of them English (which `/api/register/` reproduces, and the admin UI need not). The admin
//! pages word them in the reader's language, the CLI in English.

use std::collections::BTreeMap;

use super::PageLanguage;
use crate::auth::admin::{FieldErrors, Problem, Refusal};
use crate::auth::password_policy::PasswordProblem;
use crate::auth::redirect_uri::UriProblem;

/// Why `field` was refused, in `lang`.
pub fn problem(field: &str, problem: &Problem, lang: PageLanguage) -> String {
    let key = match problem {
        Problem::Required => match field {
            "name" => "problem-name-required",
            "username" => "problem-username-required",
            _ => "problem-required",
        },
        Problem::TooLong(max) => {
            return lang.text(
                "problem-too-long",
                &[("max", &lang.number(u64::try_from(*max).unwrap_or(u64::MAX)))],
            );
        }
        Problem::Uri { uri, problem } => {
            return lang.text(uri_key(*problem), &[("uri", uri)]);
        }
        Problem::RedirectUriNeeded => "problem-redirect-uri-needed",
        Problem::ScopeSyntax => "problem-scope-syntax",
        Problem::Audience => "problem-audience",
        Problem::LifetimeRange => "problem-lifetime-range",
        Problem::LifetimeSyntax => "problem-lifetime-syntax",
        Problem::ClientIdReserved => "problem-client-id-reserved",
        Problem::ClientIdSyntax => "problem-client-id-syntax",
        Problem::Kind => "problem-kind",
        Problem::UnknownGrant(grant) => {
            return lang.text("problem-unknown-grant", &[("grant", grant)]);
        }
        Problem::NoGrant => "problem-no-grant",
        Problem::PublicClientGrant => "problem-public-client-grant",
        Problem::Taken if field == "client_id" => "problem-client-id-taken",
        Problem::Taken => "problem-taken",
        Problem::Email => "problem-email",
        Problem::Phone => "problem-phone",
        Problem::Role(role) => return lang.text("problem-role", &[("role", role)]),
        Problem::Username => "problem-username",
        Problem::OwnAdminRole => "problem-own-admin-role",
        Problem::OwnDeactivation => "problem-own-deactivation",
        Problem::LogoUri => "problem-logo-uri",
        Problem::Password(problems) => {
            let messages: Vec<String> = problems.iter().map(|p| password(*p, lang)).collect();
            return messages.join(" ");
        }
    };
    lang.t(key)
}

fn uri_key(problem: UriProblem) -> &'static str {
    match problem {
        UriProblem::NotAbsolute => "problem-uri-not-absolute",
        UriProblem::Fragment => "problem-uri-fragment",
        UriProblem::Scheme => "problem-uri-scheme",
        UriProblem::PrivateUseConfidential => "problem-uri-private-confidential",
        UriProblem::PrivateUseAuthority => "problem-uri-private-authority",
    }
}

/// One of Django's password validators' refusals, in `lang`.
fn password(problem: PasswordProblem, lang: PageLanguage) -> String {
    match problem {
        PasswordProblem::TooSimilar(attribute) => {
            let name = match attribute {
                "username" => lang.t("attribute-username"),
                "email address" => lang.t("attribute-email"),
                other => other.to_owned(),
            };
            lang.text("problem-password-similar", &[("attribute", &name)])
        }
        PasswordProblem::TooShort(min) => {
            let min = u64::try_from(min).unwrap_or(u64::MAX);
            let args = [
                ("n", fluent_templates::fluent_bundle::FluentValue::from(min)),
                ("count", lang.number(min).into()),
            ];
            lang.t_with("problem-password-short", &args)
        }
        PasswordProblem::TooCommon => lang.t("problem-password-common"),
        PasswordProblem::EntirelyNumeric => lang.t("problem-password-numeric"),
    }
}

/// Why an action was refused, in `lang`.
pub fn refusal(refusal: &Refusal, lang: PageLanguage) -> String {
    match refusal {
        Refusal::DuplicateClient => lang.t("refusal-duplicate-client"),
        Refusal::NoSecret => lang.t("refusal-no-secret"),
        Refusal::SharedSecret(alg) => lang.text("refusal-shared-secret", &[("alg", alg)]),
        Refusal::KeyRetired => lang.t("refusal-key-retired"),
        Refusal::KeySigns => lang.t("refusal-key-signs"),
        Refusal::KeyInUse(at) => lang.text("refusal-key-in-use", &[("time", &lang.datetime(*at))]),
    }
}

/// The message of each refused field of a form, in `lang`, by field name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldMessages(BTreeMap<&'static str, String>);

impl FieldMessages {
    /// `errors` worded in `lang`.
    pub fn new(errors: &FieldErrors, lang: PageLanguage) -> FieldMessages {
        FieldMessages(
            errors
                .fields()
                .filter_map(|field| {
                    let found = errors.get(field)?;
                    Some((field, problem(field, found, lang)))
                })
                .collect(),
        )
    }

    /// The message of `field`, if it was refused.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(field, message)`, by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.0
            .iter()
            .map(|(field, message)| (*field, message.as_str()))
    }
}
