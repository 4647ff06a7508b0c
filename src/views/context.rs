//! What every page of one request shares: the language chosen for it and the deployment's brand
//! (`site_name`, `logo_uri`). The page layer (`http::page_language`) sets both for the request;
//! pages, error pages included, read them here, and the security headers name the logo's origin
//! in CSP `img-src`.

use std::future::Future;
use std::sync::Arc;

use url::Url;

use super::PageLanguage;
use crate::config::Config;
use crate::paths;

/// The deployment's name and logo on its pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brand {
    /// `site_name`: "Sign in to Acme".
    pub site_name: String,
    /// `logo_uri`: an `https` URL or a same-origin path (`/static/sesame.svg` by default).
    pub logo_uri: String,
}

impl Default for Brand {
    fn default() -> Brand {
        Brand {
            site_name: "Sesame".to_owned(),
            logo_uri: paths::LOGO.to_owned(),
        }
    }
}

impl Brand {
    /// The brand `config` sets.
    pub fn of(config: &Config) -> Brand {
        Brand {
            site_name: config.site_name.clone(),
            logo_uri: config.logo_uri.clone(),
        }
    }

    /// The origin CSP `img-src` must allow for the logo: `None` for a same-origin path.
    pub fn logo_origin(&self) -> Option<String> {
        image_origin(&self.logo_uri)
    }
}

/// The `https` origin of an absolute image URL (`https://cdn.example`), for CSP `img-src`; `None`
/// for anything else (a same-origin path is covered by `'self'`).
pub fn image_origin(uri: &str) -> Option<String> {
    let url = Url::parse(uri).ok()?;
    (url.scheme() == "https" && url.host().is_some()).then(|| url.origin().ascii_serialization())
}

/// The language and brand of the pages of one request.
#[derive(Clone, Debug, Default)]
pub struct PageContext {
    pub lang: PageLanguage,
    pub brand: Arc<Brand>,
}

tokio::task_local! {
    static CONTEXT: PageContext;
}

/// Runs `future` (a page request) with `context`.
pub async fn scope<F: Future>(context: PageContext, future: F) -> F::Output {
    CONTEXT.scope(context, future).await
}

/// The current request's page language (English outside a page route).
pub fn lang() -> PageLanguage {
    CONTEXT.try_with(|c| c.lang).unwrap_or_default()
}

/// The deployment's brand (Sesame's own outside a page route).
pub fn brand() -> Arc<Brand> {
    CONTEXT.try_with(|c| c.brand.clone()).unwrap_or_default()
}
