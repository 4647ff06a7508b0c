//! Server-rendered pages: one askama struct per page, and the one function that turns a page into
//! a response with the security headers every HTML page carries (SPEC §10: a strict CSP,
//! `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, `Cache-Control: no-store`).

pub mod admin;
pub mod context;
pub mod format;
pub mod locale;

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use context::Brand;
pub use locale::PageLanguage;

/// A page as a 200 response with the security headers.
pub fn render<T: Template>(page: &T) -> Response {
    render_status(StatusCode::OK, page)
}

/// A page with `status` and the security headers.
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Response {
    render_with_form_targets(status, page, &[])
}

/// A page whose forms may end in a redirect to another origin: CSP `form-action` applies to every
/// redirect after a form submission, so the consent and logout pages name the client's registered
/// origins (`https://app.example`, or `com.example.app:` for a custom scheme) besides `'self'`.
/// Callers pass only origins of URIs registered for a client, never request input.
pub fn render_with_form_targets<T: Template>(
    status: StatusCode,
    page: &T,
    form_targets: &[String],
) -> Response {
    render_with_sources(status, page, form_targets, &[])
}

/// [`render_with_form_targets`], with images from `image_origins` too (CSP `img-src`): the
/// consent page shows the client's registered `logo_uri`. Callers pass only origins of URIs
/// registered for a client (see [`context::image_origin`]), never request input.
pub fn render_with_sources<T: Template>(
    status: StatusCode,
    page: &T,
    form_targets: &[String],
    image_origins: &[String],
) -> Response {
    let mut response = match page.render() {
        Ok(html) => (status, html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering a page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be shown.",
            )
                .into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let brand_logo = context::brand().logo_origin();
    let mut images: Vec<&str> = image_origins.iter().map(String::as_str).collect();
    images.extend(brand_logo.as_deref());
    security_headers(headers, form_targets, &images);
    response
}

/// `'self'` and each of `sources` that is a well-formed CSP source, once each.
fn source_list(sources: &[&str]) -> String {
    let mut list = String::from("'self'");
    let mut seen: Vec<&str> = Vec::new();
    for source in sources.iter().copied() {
        if is_csp_source(source) && !seen.contains(&source) {
            seen.push(source);
            list.push(' ');
            list.push_str(source);
        }
    }
    list
}

/// The headers every HTML page carries. Every page may carry a CSRF token, so none is cached.
/// Images come from our origin and from the `https` origins of the configured logo and a
/// client's registered logo only.
fn security_headers(headers: &mut HeaderMap, form_targets: &[String], images: &[&str]) {
    let targets: Vec<&str> = form_targets.iter().map(String::as_str).collect();
    let form_action = source_list(&targets);
    let img_src = source_list(images);
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src {img_src}; form-action {form_action}; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// A CSP host or scheme source without characters that could end the directive.
fn is_csp_source(target: &str) -> bool {
    !target.is_empty()
        && target
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/[]+".contains(&b))
}

/// `GET /login` and a failed `POST /login`.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub csrf_token: String,
    /// Where to go after signing in (a same-origin path).
    pub next: Option<String>,
    /// The identifier as typed; the password is never rendered back.
    pub identifier: String,
    pub error: Option<String>,
    /// The application the user is signing in to, when the login serves an authorization.
    pub client_name: Option<String>,
    /// The signed-in account's display name, when `prompt=select_account` lets the user go on
    /// with it (a link to `next`) instead of signing in again.
    pub continue_as: Option<String>,
    /// The deployment's name and logo: "Sign in to Acme".
    pub brand: Arc<Brand>,
    pub lang: PageLanguage,
    /// The language switch: the same page in each shipped language.
    pub languages: Vec<LanguageLink>,
}

/// One entry of the login page's language switch.
pub struct LanguageLink {
    /// The language's name in itself ("简体中文").
    pub name: String,
    pub tag: &'static str,
    /// `/login?lang=<tag>`, with `next` when there is one.
    pub href: String,
    pub current: bool,
}

impl LanguageLink {
    /// The switch for the login page in `current`, keeping `next`.
    pub fn all(current: PageLanguage, next: Option<&str>) -> Vec<LanguageLink> {
        PageLanguage::ALL
            .into_iter()
            .map(|lang| {
                let mut query = form_urlencoded::Serializer::new(String::new());
                query.append_pair("lang", lang.tag());
                if let Some(next) = next {
                    query.append_pair("next", next);
                }
                LanguageLink {
                    name: lang.t("language-name"),
                    tag: lang.tag(),
                    href: format!("{}?{}", crate::paths::LOGIN, query.finish()),
                    current: lang == current,
                }
            })
            .collect()
    }
}

/// `GET /login` when already signed in.
#[derive(Template)]
#[template(path = "signed_in.html")]
pub struct SignedInPage {
    pub user_name: String,
    pub csrf_token: String,
    pub brand: Arc<Brand>,
    pub lang: PageLanguage,
}

/// One line of the consent page.
pub struct ScopeItem {
    pub name: String,
    pub description: String,
}

impl ScopeItem {
    /// What granting `scope` means, in words a user understands, in `lang` (`site`: the
    /// deployment's name).
    pub fn describe(scope: &str, lang: PageLanguage, site: &str) -> ScopeItem {
        let description = match scope {
            "openid" | "profile" | "email" | "phone" | "offline_access" => {
                lang.text(&format!("scope-{scope}"), &[("site", site)])
            }
            other => lang.text("scope-other", &[("scope", other)]),
        };
        ScopeItem {
            name: scope.to_owned(),
            description,
        }
    }
}

/// The consent page of `GET /oauth/authorize` for a third-party client.
#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub client_name: String,
    /// The client's registered `logo_uri` (RFC 7591 §2), an `https` URL.
    pub client_logo: Option<String>,
    pub user_name: String,
    pub scopes: Vec<ScopeItem>,
    pub csrf_token: String,
    /// The authorization request itself (`/oauth/authorize?...`), which the decision is posted to.
    pub action: String,
    pub brand: Arc<Brand>,
    pub lang: PageLanguage,
}

/// The confirmation page of RP-initiated logout when the request alone is not enough.
#[derive(Template)]
#[template(path = "logout.html")]
pub struct LogoutPage {
    pub user_name: String,
    pub client_name: Option<String>,
    pub csrf_token: String,
    /// The end-session request itself (`/oauth/logout?...`), which the confirmation is posted to.
    pub action: String,
    pub brand: Arc<Brand>,
    pub lang: PageLanguage,
}

/// A neutral message (signed out, nothing to do).
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub title: String,
    pub message: String,
    pub brand: Arc<Brand>,
    pub lang: PageLanguage,
}

/// An error that cannot go back to an application.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
    pub brand: Arc<Brand>,
    pub lang: PageLanguage,
}

/// Marks `response` as written in `lang` (`Content-Language`), for a page whose language the
/// handler chose itself (`ui_locales`, the login page's `lang`); the page layer leaves it be.
pub fn in_language(lang: PageLanguage, mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.tag()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_the_security_headers() {
        let page = ErrorPage {
            title: "Oops".into(),
            message: "<script>".into(),
            brand: Arc::default(),
            lang: PageLanguage::En,
        };
        let response = render_with_form_targets(
            StatusCode::BAD_REQUEST,
            &page,
            &["https://app.example".into(), "x; script-src *".into()],
        );
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let headers = response.headers();
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default();
        assert!(
            csp.contains("form-action 'self' https://app.example;"),
            "{csp}"
        );
        assert!(!csp.contains("script-src"), "{csp}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn only_logo_origins_join_img_src() {
        let page = ErrorPage {
            title: "t".into(),
            message: "m".into(),
            brand: Arc::default(),
            lang: PageLanguage::En,
        };
        let images = [
            "https://partner.example".to_owned(),
            "https://partner.example".to_owned(),
            "x; script-src *".to_owned(),
        ];
        let response = render_with_sources(StatusCode::OK, &page, &[], &images);
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            csp,
            "default-src 'none'; style-src 'self'; img-src 'self' https://partner.example; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
        assert_eq!(
            context::image_origin("https://cdn.example:8443/a/logo.png?x=1"),
            Some("https://cdn.example:8443".to_owned())
        );
        assert_eq!(context::image_origin("/static/sesame.svg"), None);
        assert_eq!(context::image_origin("javascript:alert(1)"), None);
    }

    #[test]
    fn templates_escape_their_input() {
        let page = ErrorPage {
            title: "t".into(),
            message: "<script>alert(1)</script>".into(),
            brand: Arc::default(),
            lang: PageLanguage::ZhCn,
        };
        let html = page.render().unwrap_or_default();
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(html.contains("<html lang=\"zh-CN\">"), "{html}");
        assert!(html.contains("如果是某个应用把你带到这里"), "{html}");
    }
}
