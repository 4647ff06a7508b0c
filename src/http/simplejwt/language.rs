//! The language of this surface's answers: `language_code`, or with `accept_language = true`
//! the request's choice as Django's `LocaleMiddleware` makes it, with its `Content-Language`
//! and `Vary: Accept-Language` headers (set on every response, as the middleware does when no
//! i18n URL patterns are used). Every response also carries DRF's `Vary: Accept` (an `APIView`
//! with more than one renderer sends it), which the middleware's `Vary` follows.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;

use super::error::TRANSLATOR;
use crate::config::Config;
use crate::i18n::{self, Language, Translator};

/// What the layer needs from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Speak {
    default: Language,
    accept_language: bool,
}

impl Speak {
    /// `language_code` was validated at load; an unknown one speaks English.
    pub fn from_config(config: &Config) -> Speak {
        Speak {
            default: Language::parse(&config.language_code).unwrap_or_default(),
            accept_language: config.accept_language,
        }
    }

    /// The language a request with these headers is answered in.
    pub fn translator(self, headers: &HeaderMap) -> Translator {
        let active = if self.accept_language {
            let jar = CookieJar::from_headers(headers);
            let cookie = jar.get(i18n::LANGUAGE_COOKIE).map(|c| c.value());
            let accept = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok());
            i18n::negotiate(cookie, accept, self.default)
        } else {
            self.default
        };
        Translator {
            active,
            default: self.default,
        }
    }
}

/// Runs `answer` (the rest of the request) in `translator`'s language for every error it
/// answers, then sets the response's `Vary` and `Content-Language` as Django's middleware does.
pub async fn speak<F>(speak: Speak, translator: Translator, answer: F) -> Response
where
    F: Future<Output = Response>,
{
    let mut response = TRANSLATOR.scope(translator, answer).await;
    let headers = response.headers_mut();
    patch_vary(headers, "Accept");
    if speak.accept_language {
        patch_vary(headers, "Accept-Language");
        if !headers.contains_key(header::CONTENT_LANGUAGE) {
            headers.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(translator.active.code()),
            );
        }
    }
    response
}

/// Django's `patch_vary_headers(response, (name,))`: appended once, `*` kept.
fn patch_vary(headers: &mut HeaderMap, name: &str) {
    let mut names: Vec<String> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        names.push(name.to_owned());
    }
    let value = if names.iter().any(|n| n == "*") {
        "*".to_owned()
    } else {
        names.join(", ")
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(header::VARY, value);
    }
}
