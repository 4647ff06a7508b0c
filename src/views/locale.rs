//! The language of the public pages (login, consent, logout, signed in, errors): Fluent
//! catalogues in `locales/<tag>/*.ftl`, compiled into the binary by `fluent-templates`, and the
//! choice of language for a request — `ui_locales` (OIDC Core §3.1.2.1), then `Accept-Language`
//! (parsed as Django parses it, `i18n::accept_language_ranges`), then `language_code`.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

use crate::auth::throttle::Scope;
use crate::i18n;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps each argument in Unicode isolation marks (U+2068, U+2069) for mixed
        // directions; both shipped languages run left to right, and the marks would land in
        // titles and attribute values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the pages are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PageLanguage {
    #[default]
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl PageLanguage {
    /// Every shipped language, in the order of the login page's language switch.
    pub const ALL: [PageLanguage; 2] = [PageLanguage::En, PageLanguage::ZhCn];

    /// The BCP 47 tag: `<html lang>`, `Content-Language`, the `lang` parameter, the
    /// directory under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            PageLanguage::En => "en",
            PageLanguage::ZhCn => "zh-CN",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            PageLanguage::En => langid!("en"),
            PageLanguage::ZhCn => langid!("zh-CN"),
        }
    }

    /// The page language for a BCP 47 tag or a Django language code, case-insensitively:
    /// `en`, `en-GB` and `en-us` are English; `zh`, `zh-CN`, `zh-SG`, `zh-Hans` and `zh-hans`
    /// are Simplified Chinese. Traditional Chinese (`zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant`) and
    /// everything else: `None`.
    pub fn from_tag(tag: &str) -> Option<PageLanguage> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut subtags = tag.split('-');
        match subtags.next() {
            Some("en") => Some(PageLanguage::En),
            Some("zh") => {
                let traditional = subtags.any(|s| matches!(s, "hant" | "tw" | "hk" | "mo"));
                (!traditional).then_some(PageLanguage::ZhCn)
            }
            _ => None,
        }
    }

    /// The first of `ui_locales` (most preferred first) that the pages are written in.
    pub fn from_ui_locales(ui_locales: &[String]) -> Option<PageLanguage> {
        ui_locales.iter().find_map(|tag| Self::from_tag(tag))
    }

    /// The pages' default for `language_code` (a Django code: `zh-hans` → `zh-CN`); English
    /// when the pages are not written in it.
    pub fn for_language_code(language_code: &str) -> PageLanguage {
        Self::from_tag(language_code).unwrap_or_default()
    }

    /// The language of a page without `ui_locales`: the best `Accept-Language` range the pages
    /// are written in (by quality; a malformed header counts as absent and `*` ends the search,
    /// as in Django), else `default` (see [`PageLanguage::for_language_code`]).
    pub fn negotiate(accept_language: Option<&str>, default: PageLanguage) -> PageLanguage {
        i18n::accept_language_ranges(accept_language.unwrap_or_default())
            .iter()
            .take_while(|range| range.as_str() != "*")
            .find_map(|range| Self::from_tag(range))
            .unwrap_or(default)
    }

    /// The message `key`, as plain text (the template escapes it).
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(&self.id(), key)
    }

    /// The message `key` with `args`, as plain text (the template escapes it).
    pub fn t_with(self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.clone()))
            .collect();
        LOCALES.lookup_with_args(&self.id(), key, &args)
    }

    /// The message `key` with text arguments, as plain text (the template escapes it).
    pub fn text(self, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: Vec<_> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from((*value).to_owned())))
            .collect();
        self.t_with(key, &args)
    }

    /// The message `key` as HTML: the catalogue's own markup (`<strong>`) kept, every argument
    /// escaped. Templates print it with `|safe`.
    pub fn html(self, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: Vec<_> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from(escape_html(value))))
            .collect();
        self.t_with(key, &args)
    }

    /// The message of a throttled login: which rule refused it, and how many whole seconds
    /// until the next attempt may be checked.
    pub fn throttled(self, scope: Scope, seconds: u64) -> String {
        let reason = self.t(&format!("throttle-{}", scope.as_str()));
        self.t_with(
            "throttled",
            &[
                ("reason", FluentValue::from(reason)),
                ("seconds", FluentValue::from(seconds)),
            ],
        )
    }
}

/// Escapes text for an HTML element or a quoted attribute, as askama escapes every other value
/// of a page (numeric references: `&#38;`).
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "locale_tests.rs"]
mod tests;
