//! The language of the pages for one request (`PageLanguage::negotiate`: the `Accept-Language`
//! header, then `language_code`) and the deployment's brand, known to every page the request
//! renders, error pages included (`views::context`); a handler that knows better (`ui_locales`,
//! the login page's `lang`) overrides the language. HTML answers carry `Content-Language` and
//! `Vary: Accept-Language`.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::Config;
use crate::state::AppState;
use crate::views::PageLanguage;
use crate::views::context::{self, Brand, PageContext};

/// The current request's page language (English outside a page route).
pub fn current() -> PageLanguage {
    context::lang()
}

/// `router`'s routes, each run in its negotiated page language, with the configured brand.
pub fn layer(router: Router<AppState>, config: &Config) -> Router<AppState> {
    let default = PageLanguage::for_language_code(&config.language_code);
    let brand = Arc::new(Brand::of(config));
    router.layer(axum::middleware::from_fn(move |request, next| {
        speak(default, brand.clone(), request, next)
    }))
}

/// Runs a page request in its negotiated language; `default` is `language_code`'s.
async fn speak(default: PageLanguage, brand: Arc<Brand>, request: Request, next: Next) -> Response {
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = PageLanguage::negotiate(accept, default);
    let mut response = context::scope(PageContext { lang, brand }, next.run(request)).await;
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
