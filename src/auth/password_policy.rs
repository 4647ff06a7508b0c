//! Django's four default password validators (`AUTH_PASSWORD_VALIDATORS` of a new project), with
//! Django's messages, so a registration refused by a DRF backend is refused here the same way:
//! similarity to the user's attributes, minimum length 8, Django's list of common passwords, and
//! entirely numeric.
//!
//! The common-password list is Django's own `common-passwords.txt.gz` (20,000 passwords compiled
//! by Royce Williams), copied from Django 5.2 under its BSD licence (`common-passwords.LICENSE`).
//! It is decompressed once, on first use.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

use crate::i18n::Translator;

/// Django's `MinimumLengthValidator` default.
pub const MIN_LENGTH: usize = 8;
/// Django's `UserAttributeSimilarityValidator` default.
const MAX_SIMILARITY: f64 = 0.7;

const COMMON_PASSWORDS_GZ: &[u8] = include_bytes!("common-passwords.txt.gz");

/// A user attribute a password must not resemble: Django's verbose field name (a msgid of
/// Django's catalogue) and the value.
#[derive(Clone, Copy, Debug)]
pub struct Attribute<'a> {
    pub verbose_name: &'static str,
    pub value: &'a str,
}

/// Why Django's validators refuse a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    /// `UserAttributeSimilarityValidator`, naming the attribute's verbose name.
    TooSimilar(&'static str),
    /// `MinimumLengthValidator`, with the minimum.
    TooShort(usize),
    /// `CommonPasswordValidator`.
    TooCommon,
    /// `NumericPasswordValidator`.
    EntirelyNumeric,
}

impl PasswordProblem {
    /// Django's message in `t`'s language (the verbose name translated too, as Django's lazy
    /// `verbose_name` is).
    pub fn message(self, t: Translator) -> String {
        match self {
            PasswordProblem::TooSimilar(name) => t
                .gettext("The password is too similar to the %(verbose_name)s.")
                .replace("%(verbose_name)s", &t.gettext(name)),
            PasswordProblem::TooShort(min) => t
                .ngettext(
                    "This password is too short. It must contain at least %d character.",
                    "This password is too short. It must contain at least %d characters.",
                    u64::try_from(min).unwrap_or(u64::MAX),
                )
                .replace("%d", &min.to_string()),
            PasswordProblem::TooCommon => t.gettext("This password is too common.").into_owned(),
            PasswordProblem::EntirelyNumeric => {
                t.gettext("This password is entirely numeric.").into_owned()
            }
        }
    }
}

/// Every problem the validators find in `password`, in Django's order (similarity, length,
/// common, numeric); empty when the password is acceptable.
pub fn password_problems(password: &str, attributes: &[Attribute<'_>]) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    if let Some(name) = too_similar(password, attributes) {
        problems.push(PasswordProblem::TooSimilar(name));
    }
    if password.chars().count() < MIN_LENGTH {
        problems.push(PasswordProblem::TooShort(MIN_LENGTH));
    }
    if common_passwords().contains(password.to_lowercase().trim()) {
        problems.push(PasswordProblem::TooCommon);
    }
    // Python's str.isdigit(): non-empty and every character a digit.
    if !password.is_empty() && password.chars().all(char::is_numeric) {
        problems.push(PasswordProblem::EntirelyNumeric);
    }
    problems
}

/// [`password_problems`] as Django's English messages (the admin UI's).
pub fn validate_password(password: &str, attributes: &[Attribute<'_>]) -> Vec<String> {
    password_problems(password, attributes)
        .into_iter()
        .map(|problem| problem.message(Translator::default()))
        .collect()
}

/// Django's `UserAttributeSimilarityValidator`: the first attribute (whole, or any of its parts
/// split on non-word characters) whose `SequenceMatcher.quick_ratio()` with the lower-cased
/// password reaches 0.7.
fn too_similar(password: &str, attributes: &[Attribute<'_>]) -> Option<&'static str> {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    for attribute in attributes.iter().filter(|a| !a.value.is_empty()) {
        let value = attribute.value.to_lowercase();
        let parts = value
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .chain(std::iter::once(value.as_str()));
        for part in parts {
            let part: Vec<char> = part.chars().collect();
            if exceeds_maximum_length_ratio(password.len(), part.len()) {
                continue;
            }
            if quick_ratio(&password, &part) >= MAX_SIMILARITY {
                return Some(attribute.verbose_name);
            }
        }
    }
    None
}

/// Django skips values so much shorter than the password that they cannot reach the threshold.
fn exceeds_maximum_length_ratio(password_len: usize, value_len: usize) -> bool {
    #[expect(clippy::cast_precision_loss, reason = "lengths of short strings")]
    let bound = MAX_SIMILARITY / 2.0 * password_len as f64;
    #[expect(clippy::cast_precision_loss, reason = "lengths of short strings")]
    let value = value_len as f64;
    password_len >= 10 * value_len && value < bound
}

/// Python's `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: twice the size of the multiset
/// intersection of the characters over the total length.
fn quick_ratio(a: &[char], b: &[char]) -> f64 {
    let mut available: HashMap<char, usize> = HashMap::new();
    for c in b {
        *available.entry(*c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a {
        if let Some(n) = available.get_mut(c).filter(|n| **n > 0) {
            *n -= 1;
            matches += 1;
        }
    }
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    #[expect(clippy::cast_precision_loss, reason = "lengths of short strings")]
    let ratio = 2.0 * matches as f64 / total as f64;
    ratio
}

fn common_passwords() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        let decoded = flate2::read::GzDecoder::new(COMMON_PASSWORDS_GZ).read_to_string(&mut text);
        if let Err(err) = decoded {
            // Compiled in and covered by tests, so this cannot happen in a released build.
            tracing::error!(error = %err, "the common-password list is unreadable");
        }
        text.lines().map(|l| l.trim().to_owned()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str, username: &str) -> Vec<String> {
        let attributes = [Attribute {
            verbose_name: "username",
            value: username,
        }];
        validate_password(password, &attributes)
    }

    #[test]
    fn the_list_is_djangos() {
        assert_eq!(common_passwords().len(), 19_640);
        assert!(common_passwords().contains("password"));
    }

    // Each expected answer was produced by Django 5.2's validate_password with the defaults.
    #[test]
    fn answers_as_django_does() {
        assert_eq!(
            check("123", "carol"),
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]
        );
        assert_eq!(
            check("carol123", "carol"),
            [
                "The password is too similar to the username.",
                "This password is too common."
            ]
        );
        assert_eq!(
            check("anilorac", "carolina"),
            ["The password is too similar to the username."]
        );
        assert_eq!(check("PassWord ", "dave"), ["This password is too common."]);
        assert!(check("Tr0ub4dor&3xyz", "dave").is_empty());
    }

    #[test]
    fn similarity_looks_at_parts_of_an_email() {
        let attributes = [Attribute {
            verbose_name: "email address",
            value: "jo.smithson@example.com",
        }];
        assert_eq!(
            validate_password("smithson99", &attributes),
            ["The password is too similar to the email address."]
        );
    }

    #[test]
    fn quick_ratio_matches_difflib() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        // difflib.SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        assert!((quick_ratio(&chars("abcd"), &chars("bcde")) - 0.75).abs() < 1e-9);
        assert!((quick_ratio(&chars(""), &chars("")) - 1.0).abs() < 1e-9);
    }
}
