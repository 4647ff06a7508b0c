//! Django's `LocaleMiddleware` choice of language (`get_language_from_request` without i18n URL
//! patterns): the `django_language` cookie, then `Accept-Language` by quality, each through
//! `get_supported_language_variant`, then `LANGUAGE_CODE`.

use super::{Language, shipped};

/// Django's `LANGUAGE_COOKIE_NAME`.
pub const LANGUAGE_COOKIE: &str = "django_language";

/// Django's `LANGUAGE_CODE_MAX_LENGTH`: longer headers and codes are cut, as Django cuts them.
const MAX_LENGTH: usize = 500;

/// The language for a request: `cookie` is the `django_language` cookie's value, `accept` the
/// `Accept-Language` header's; `default` is `language_code`.
pub fn negotiate(cookie: Option<&str>, accept: Option<&str>, default: Language) -> Language {
    if let Some(language) = cookie.and_then(|code| supported(code).or_else(|| variant(code))) {
        return language;
    }
    for range in parse_accept_language(accept.unwrap_or_default()) {
        if range == "*" {
            break;
        }
        if !is_language_code(&range) {
            continue;
        }
        if let Some(language) = variant(&range) {
            return language;
        }
    }
    variant(default.code()).unwrap_or(default)
}

/// A code of `LANGUAGES` itself (Django compares the cookie case-sensitively with its keys).
fn supported(code: &str) -> Option<Language> {
    shipped::LANGUAGES
        .contains(&code)
        .then(|| Language::parse(code))
        .flatten()
}

/// `get_supported_language_variant(code, strict=False)`: the code, its `LANG_INFO` fallback,
/// its shorter prefixes, then any supported code of the same generic language.
fn variant(code: &str) -> Option<Language> {
    let code = truncate(code)?;
    let mut possible = vec![code.to_owned()];
    possible.extend(
        shipped::FALLBACKS
            .iter()
            .filter(|(from, _)| *from == code)
            .map(|(_, to)| (*to).to_owned()),
    );
    let mut end = code.len();
    while let Some(dash) = code[..end].rfind('-') {
        possible.push(code[..dash].to_owned());
        end = dash;
    }
    let generic = possible.last().cloned().unwrap_or_default();
    if let Some(found) = possible
        .iter()
        .find_map(|candidate| supported(&candidate.to_ascii_lowercase()))
    {
        return Some(found);
    }
    let prefix = format!("{generic}-");
    shipped::LANGUAGES
        .iter()
        .find(|known| known.starts_with(&prefix))
        .and_then(|known| Language::parse(known))
}

/// A code longer than the limit is cut at its last `-` before it, or refused.
fn truncate(code: &str) -> Option<&str> {
    if code.is_empty() {
        return None;
    }
    if code.len() <= MAX_LENGTH {
        return Some(code);
    }
    let head = code.get(..MAX_LENGTH)?;
    head.rfind('-').filter(|at| *at > 0).map(|at| &code[..at])
}

/// Django's `language_code_re`.
fn is_language_code(code: &str) -> bool {
    let (code, modifier) = match code.split_once('@') {
        Some((code, modifier)) => (code, Some(modifier)),
        None => (code, None),
    };
    let mut parts = code.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && modifier.is_none_or(|m| {
            (1..=20).contains(&m.len()) && m.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Django's `parse_accept_lang_header`: lowercased ranges by descending quality (stable), or
/// nothing at all when any part is malformed.
pub fn parse_accept_language(header: &str) -> Vec<String> {
    let header = if header.len() <= MAX_LENGTH {
        header
    } else {
        match header.get(..MAX_LENGTH).and_then(|head| head.rfind(',')) {
            Some(at) if at > 0 => &header[..at],
            _ => return Vec::new(),
        }
    };
    let lower = header.to_ascii_lowercase();
    let mut ranges: Vec<(String, f64)> = Vec::new();
    let mut rest = lower.as_str();
    while !rest.is_empty() {
        let Some((range, quality, after)) = accept_item(rest) else {
            return Vec::new();
        };
        ranges.push((range.to_owned(), quality));
        rest = after;
    }
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranges.into_iter().map(|(range, _)| range).collect()
}

/// One item of `accept_language_re`: a range, an optional `;q=`, then `,` or the end.
fn accept_item(input: &str) -> Option<(&str, f64, &str)> {
    let end = input
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '*'))
        .unwrap_or(input.len());
    let (range, mut rest) = input.split_at(end);
    let valid_range = range == "*"
        || (range.split('-').enumerate().all(|(i, part)| {
            (1..=8).contains(&part.len())
                && part.bytes().all(|b| {
                    if i == 0 {
                        b.is_ascii_alphabetic()
                    } else {
                        b.is_ascii_alphanumeric()
                    }
                })
        }));
    if !valid_range {
        return None;
    }
    let mut quality = 1.0;
    let trimmed = rest.trim_start();
    if let Some(after) = trimmed.strip_prefix(';') {
        let after = after.trim_start().strip_prefix("q=")?;
        let len = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        let (value, after) = after.split_at(len);
        quality = parse_quality(value)?;
        rest = after;
    }
    let trimmed = rest.trim_start();
    if trimmed.is_empty() {
        return Some((range, quality, ""));
    }
    let after = trimmed.strip_prefix(',')?.trim_start();
    // A trailing comma is the regex's `\s*,\s*` followed by nothing: the split leaves "".
    Some((range, quality, after))
}

/// `0(\.[0-9]{,3})?|1(\.0{,3})?`.
fn parse_quality(value: &str) -> Option<f64> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let ok = match whole {
        "0" => fraction.len() <= 3 && fraction.bytes().all(|b| b.is_ascii_digit()),
        "1" => fraction.len() <= 3 && fraction.bytes().all(|b| b == b'0'),
        _ => false,
    };
    ok.then(|| value.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(cookie: Option<&str>, accept: &str, default: &str) -> &'static str {
        let default = Language::parse(default).unwrap_or_default();
        negotiate(cookie, Some(accept), default).code()
    }

    #[test]
    fn accept_language_picks_what_django_picks() {
        assert_eq!(code(None, "zh-CN,zh;q=0.9,en;q=0.8", "en-us"), "zh-hans");
        assert_eq!(code(None, "zh-TW", "en-us"), "zh-hant");
        assert_eq!(code(None, "zh", "en-us"), "zh-hans");
        assert_eq!(code(None, "fr-CA, de;q=0.5", "en-us"), "fr");
        assert_eq!(code(None, "de;q=0.5, ru", "en-us"), "ru");
        assert_eq!(code(None, "es-419", "en-us"), "es");
        assert_eq!(code(None, "pt", "en-us"), "pt");
        assert_eq!(code(None, "ja, it;q=0.1", "en-us"), "it");
        assert_eq!(code(None, "en-GB", "zh-hans"), "en-gb");
        // Nothing usable: LANGUAGE_CODE, through the same variant search.
        assert_eq!(code(None, "ja", "zh-hans"), "zh-hans");
        assert_eq!(code(None, "*, de", "zh-hans"), "zh-hans");
        assert_eq!(code(None, "", "en-us"), "en");
        assert_eq!(code(None, "", "he-il"), "he");
        // A malformed header is ignored as a whole.
        assert_eq!(code(None, "de;q=2", "zh-hans"), "zh-hans");
        assert_eq!(code(None, "de,,fr", "zh-hans"), "zh-hans");
    }

    #[test]
    fn the_cookie_comes_first() {
        assert_eq!(code(Some("de"), "fr", "en-us"), "de");
        assert_eq!(code(Some("zh-cn"), "fr", "en-us"), "zh-hans");
        assert_eq!(code(Some("xx"), "fr", "en-us"), "fr");
    }
}
