//! The messages of the `/api/` surface and the compat profile in a language, exactly as a Django
//! project answers them: simplejwt's, DRF's and Django's own catalogues (`locale/`, subsets of
//! the packages' `.mo` files made by `tools/locale_subset.py`), looked up as `DjangoTranslation`
//! does — the packages merged in `INSTALLED_APPS` order (contrib.admin, contrib.auth,
//! rest_framework, rest_framework_simplejwt) over Django's own, then the less specific locale
//! directories gettext chained (`ru` behind `ru_RU`), then `LANGUAGE_CODE`'s catalogues, then
//! the English msgid.

mod catalogue;
mod negotiate;
mod plural;
mod shipped;

use std::borrow::Cow;

pub use negotiate::{LANGUAGE_COOKIE, negotiate, parse_accept_language as accept_language_ranges};

/// A package whose catalogue Sesame ships, in lookup order (the first one holding a msgid wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Package {
    /// `django.contrib.admin`, first in a new project's `INSTALLED_APPS`: its translations of
    /// shared msgids (`user`) win.
    Admin,
    /// `django.contrib.auth`: validators, the username field.
    Auth,
    /// `rest_framework`: field errors, parsers, exceptions.
    Drf,
    /// `rest_framework_simplejwt`.
    Simplejwt,
    /// Django's own (`django/conf/locale`).
    Django,
}

const PACKAGES: [Package; 5] = [
    Package::Admin,
    Package::Auth,
    Package::Drf,
    Package::Simplejwt,
    Package::Django,
];

/// A language Sesame speaks: a Django language code (`zh-hans`, `en-us`, `he-il`), lowercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Language(usize);

impl Language {
    /// Django's default `LANGUAGE_CODE`.
    pub const EN_US: &'static str = "en-us";

    /// The language for a code, case-insensitively; `None` when Sesame has no catalogues for it.
    pub fn parse(code: &str) -> Option<Language> {
        shipped::RESOLVED
            .iter()
            .position(|(known, _)| known.eq_ignore_ascii_case(code))
            .map(Language)
    }

    /// The Django language code, as `Content-Language` carries it.
    pub fn code(self) -> &'static str {
        shipped::RESOLVED
            .get(self.0)
            .map_or(Self::EN_US, |(code, _)| code)
    }

    /// Every code Sesame speaks, for the error that names them.
    pub fn all() -> impl Iterator<Item = &'static str> {
        shipped::RESOLVED.iter().map(|(code, _)| *code)
    }

    /// The catalogues this language reads, in Django's lookup order: each package's first
    /// directory (admin, auth, DRF, simplejwt, Django: what `DjangoTranslation` merges), then
    /// the others gettext found (`ru` after `ru_RU`) in the order Django adds them as fallbacks
    /// (Django's own first, then the apps in reverse `INSTALLED_APPS` order).
    fn directories(self) -> Vec<(Package, &'static str)> {
        let Some((_, dirs)) = shipped::RESOLVED.get(self.0) else {
            return Vec::new();
        };
        let merged = PACKAGES
            .into_iter()
            .zip(dirs)
            .filter_map(|(package, found)| found.first().map(|dir| (package, *dir)));
        let fallbacks = PACKAGES
            .into_iter()
            .zip(dirs)
            .rev()
            .flat_map(|(package, found)| found.iter().skip(1).map(move |dir| (package, *dir)));
        merged.chain(fallbacks).collect()
    }

    fn is_english(self) -> bool {
        self.code().starts_with("en")
    }
}

impl Default for Language {
    fn default() -> Self {
        Language::parse(Self::EN_US).unwrap_or(Language(0))
    }
}

/// The language of one response: the one chosen for the request, and `language_code`, whose
/// catalogues answer what the chosen one lacks (Django's fallback to `LANGUAGE_CODE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Translator {
    pub active: Language,
    pub default: Language,
}

impl Translator {
    /// Django's `gettext`: the translation of `msgid`, or `msgid` itself.
    pub fn gettext(self, msgid: &'static str) -> Cow<'static, str> {
        match self.lookup(|language| catalogue::singular(language, msgid)) {
            Some(translated) => Cow::Borrowed(translated),
            None => Cow::Borrowed(msgid),
        }
    }

    /// Django's `ngettext`: the plural form for `n` in the catalogue that has the message (by
    /// its `Plural-Forms`), or English's (`singular` for 1, else `plural`).
    pub fn ngettext(self, singular: &'static str, plural: &'static str, n: u64) -> &'static str {
        self.lookup(|language| catalogue::plural(language, singular, n))
            .unwrap_or(if n == 1 { singular } else { plural })
    }

    /// The active language's catalogues, then (unless it is English or `language_code`
    /// itself, as `DjangoTranslation._add_fallback` decides) `language_code`'s.
    fn lookup(self, find: impl Fn(Language) -> Option<&'static str>) -> Option<&'static str> {
        find(self.active).or_else(|| {
            let falls_back = self.active != self.default && !self.active.is_english();
            falls_back.then(|| find(self.default)).flatten()
        })
    }
}

#[cfg(test)]
mod tests;
