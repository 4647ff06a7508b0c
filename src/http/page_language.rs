//! The language of the public pages for one request (`PageLanguage::negotiate`: the
//! `Accept-Language` header, then `language_code`), known to every page the request renders,
//! error pages included; a handler that knows better (`ui_locales`, the login page's `lang`)
//! overrides it. HTML answers carry `Content-Language` and `Vary: Accept-Language`.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::Config;
use crate::state::AppState;
use crate::views::PageLanguage;

tokio::task_local! {
    static PAGE_LANGUAGE: PageLanguage;
}

/// The current request's page language (English outside a page route).
pub fn current() -> PageLanguage {
    PAGE_LANGUAGE.try_with(|lang| *lang).unwrap_or_default()
}

/// `router`'s routes, each run in its negotiated page language.
pub fn layer(router: Router<AppState>, config: &Config) -> Router<AppState> {
    let default = PageLanguage::for_language_code(&config.language_code);
    router.layer(axum::middleware::from_fn(move |request, next| {
        speak(default, request, next)
    }))
}

/// Runs a page request in its negotiated language; `default` is `language_code`'s.
async fn speak(default: PageLanguage, request: Request, next: Next) -> Response {
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = PageLanguage::negotiate(accept, default);
    let mut response = PAGE_LANGUAGE.scope(lang, next.run(request)).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        let headers = response.headers_mut();
        // The page depends on Accept-Language even when ui_locales chose it: a shared cache
        // must not hand one browser's language to another.
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
        if !headers.contains_key(header::CONTENT_LANGUAGE) {
            headers.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(lang.tag()),
            );
        }
    }
    response
}
