//! The one rule by which Sesame decides that two usernames, two emails or two phone numbers name
//! the same account. The canonical forms are computed here, in Rust, and stored beside the values
//! (`users.username_canonical`, `email_canonical`, `phone_canonical`, each under a unique index), so
//! SQLite and PostgreSQL compare exactly the same way: byte equality of these strings. Neither
//! database's `lower()` is involved (SQLite's folds ASCII only; PostgreSQL's depends on the locale).
//!
//! - Usernames: Unicode identifier caseless matching (Unicode §3.13, D147, as `NFKC_Casefold`
//!   does it): NFKC, default-ignorable code points removed, full case folding (`ß` → `ss`), NFKC
//!   again. Compatibility forms (`ﬁ` and `fi`, fullwidth `ａ` and `a`), case variants (`Élodie`,
//!   `ÉLODIE`) and names with invisible characters (`ali` U+200B `ce`) are one username.
//! - Emails: the whole address by the same caseless rule, local part included (see
//!   [`canonical_email`] for why).
//! - Phone numbers: the digits, with a leading `+` kept (see [`canonical_phone`]); no country rules.
//!
//! This crate is separate from the server so that the migration that fills the columns for
//! existing rows (`migrations/`) and the server that fills them for new rows use the same code.

use icu_casemap::CaseMapperBorrowed;
use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::CodePointSetData;
use icu_properties::props::DefaultIgnorableCodePoint;

/// NFKC, as Django's `AbstractBaseUser.normalize_username` stores a username: the display form.
/// `ﬁona` becomes `fiona` and fullwidth `ａｌｉｃｅ` becomes `alice`; case is kept.
pub fn normalize_username(raw: &str) -> String {
    nfkc(raw)
}

/// The form usernames are compared by: `raw` trimmed of surrounding whitespace, then NFKC with
/// default-ignorable code points (zero-width spaces and joiners, soft hyphens, variation
/// selectors) removed, full Unicode case folding and NFKC again: `NFKC_Casefold`, the identifier
/// caseless match of Unicode §3.13 (D147).
///
/// `Élodie`, `élodie` and `ÉLODIE` give `élodie`; `straße` and `STRASSE` give `strasse`.
pub fn canonical_username(raw: &str) -> String {
    caseless(raw.trim())
}

/// The form emails are compared by: the whole address, trimmed, under the username rule (for an
/// ASCII address, lowercase).
///
/// RFC 5321 §2.4 lets a mail server treat the local part as case-sensitive, and lets no one else
/// rely on it: "exploiting the case sensitivity of mailbox local-parts impedes interoperability and
/// is discouraged". No common provider delivers `Bob@` and `bob@` to different people, and two
/// Sesame accounts that differ only by that case would be one mailbox holding two accounts (and
/// a login by email that picks one of them). So the whole address is folded; the stored `email`
/// keeps the spelling the user gave.
pub fn canonical_email(raw: &str) -> String {
    caseless(raw.trim())
}

/// The form phone numbers are compared by. A value that looks like a phone number (after NFKC,
/// so fullwidth digits count) — an optional leading `+`, then ASCII digits, spaces, `-`, `.`,
/// `(` and `)`, with at least one digit — becomes its digits, keeping the leading `+`:
/// `+1 (555) 010-9999` and `+15550109999` both give `+15550109999`.
///
/// No country rules: `+15550109999` and `5550109999` stay different, as a national number
/// cannot be told apart from an international one without knowing the user's country.
/// Anything else (an extension, letters) is not parsed: it is compared as it is, trimmed.
pub fn canonical_phone(raw: &str) -> String {
    let trimmed = nfkc(raw.trim());
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", trimmed.as_str()),
    };
    let phone_like = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if phone_like && !digits.is_empty() {
        format!("{plus}{digits}")
    } else {
        trimmed
    }
}

fn nfkc(s: &str) -> String {
    ComposingNormalizerBorrowed::new_nfkc()
        .normalize(s)
        .into_owned()
}

/// NFKC without default-ignorables, full case folding, NFKC. Ignorables go before the first NFKC,
/// so that `e` U+200B U+0301 composes to `é`, and after it, as NFKC maps U+FFA0 to the ignorable
/// U+3164. Folding can leave a string that is not NFKC (`ǰ` folds to `j` followed by U+030C), so
/// the last pass makes equal names equal bytes.
fn caseless(s: &str) -> String {
    let visible = without_ignorables(&nfkc(&without_ignorables(s)));
    let folded = CaseMapperBorrowed::new().fold_string(&visible).into_owned();
    nfkc(&folded)
}

fn without_ignorables(s: &str) -> String {
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    s.chars().filter(|&c| !ignorable.contains(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_case_beyond_ascii() {
        for raw in ["Élodie", "élodie", "ÉLODIE", " Élodie "] {
            assert_eq!(canonical_username(raw), "élodie", "{raw}");
        }
        // Decomposed É (E + U+0301) is the same username as the precomposed one.
        assert_eq!(canonical_username("E\u{301}lodie"), "élodie");
        assert_eq!(canonical_username("ZOË"), canonical_username("zoë"));
        assert_eq!(canonical_username("ΣΊΣΥΦΟΣ"), canonical_username("σίσυφος"));
    }

    #[test]
    fn full_case_folding_expands() {
        assert_eq!(canonical_username("straße"), "strasse");
        assert_eq!(canonical_username("STRASSE"), "strasse");
        assert_eq!(canonical_username("ẞ"), "ss");
    }

    #[test]
    fn compatibility_forms_are_one_username() {
        assert_eq!(canonical_username("ﬁona"), canonical_username("fiona"));
        assert_eq!(canonical_username("ａｌｉｃｅ"), "alice");
        assert_eq!(canonical_username("ＡＬＩＣＥ"), "alice");
        assert_eq!(canonical_username("ℌ"), "h");
    }

    #[test]
    fn invisible_characters_do_not_make_another_name() {
        // Zero-width space, zero-width joiner, soft hyphen, a variation selector.
        for raw in [
            "ali\u{200B}ce",
            "al\u{200D}ice",
            "ali\u{AD}ce",
            "alice\u{FE0F}",
        ] {
            assert_eq!(canonical_username(raw), "alice", "{raw:?}");
        }
        assert_eq!(canonical_username("e\u{200B}\u{301}lodie"), "élodie");
        assert_eq!(canonical_username("a\u{FFA0}b"), "ab");
        assert_eq!(
            canonical_email("bob\u{200B}@example.com"),
            "bob@example.com"
        );
    }

    #[test]
    fn different_names_stay_different() {
        assert_ne!(canonical_username("elodie"), canonical_username("élodie"));
        assert_ne!(canonical_username("alice"), canonical_username("alice2"));
        // Turkish dotless ı is its own letter under default (non-Turkic) folding.
        assert_ne!(canonical_username("ı"), canonical_username("i"));
    }

    #[test]
    fn display_form_is_nfkc_with_case_kept() {
        assert_eq!(normalize_username("ﬁona"), "fiona");
        assert_eq!(normalize_username("ＡＬＩＣＥ"), "ALICE");
        assert_eq!(normalize_username("E\u{301}lodie"), "Élodie");
        assert_eq!(normalize_username("Straße"), "Straße");
    }

    #[test]
    fn canonical_forms_are_fixed_points() {
        for raw in [
            "Élodie",
            "ﬁona",
            "ＳＴＲＡＳＳＥ",
            "ǰ",
            "ΐ",
            "ﬃ",
            "Ⅻ",
            "ᾼ",
            "ﾠe\u{301}",
        ] {
            let once = canonical_username(raw);
            assert_eq!(canonical_username(&once), once, "{raw}");
        }
    }

    #[test]
    fn emails_fold_the_whole_address() {
        assert_eq!(
            canonical_email("Bob.Smith@Example.COM"),
            "bob.smith@example.com"
        );
        assert_eq!(canonical_email(" bob@example.com "), "bob@example.com");
        assert_eq!(canonical_email("ÉLODIE@example.fr"), "élodie@example.fr");
        assert_ne!(
            canonical_email("bob@example.com"),
            canonical_email("bob@example.org")
        );
    }

    #[test]
    fn phones_keep_digits_and_a_leading_plus() {
        assert_eq!(canonical_phone("+1 (555) 010-9999"), "+15550109999");
        assert_eq!(canonical_phone("+15550109999"), "+15550109999");
        assert_eq!(canonical_phone("555.010.9999"), "5550109999");
        assert_eq!(canonical_phone("+86 138-0013-8000"), "+8613800138000");
        // Fullwidth digits are digits after NFKC.
        assert_eq!(canonical_phone("＋１５５５"), "+1555");
        // No country rules: a national number is not an international one.
        assert_ne!(
            canonical_phone("5550109999"),
            canonical_phone("+15550109999")
        );
    }

    #[test]
    fn non_phones_are_compared_as_given() {
        assert_eq!(canonical_phone(" alice "), "alice");
        assert_eq!(canonical_phone("555-0100 ext. 7"), "555-0100 ext. 7");
        assert_eq!(canonical_phone("1+2"), "1+2");
        assert_eq!(canonical_phone("+"), "+");
        assert_eq!(canonical_phone("()"), "()");
    }
}
