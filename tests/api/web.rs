//! A browser-like agent for the HTML surfaces: it keeps cookies, reads CSRF tokens out of forms
//! and never follows redirects, so every hop can be asserted. Plus PKCE and URL helpers.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::helpers::{PASSWORD, TestApp, TestResponse, form};

pub const REDIRECT_URI: &str = "https://app.example/callback";

pub struct Agent<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    pub peer: Option<SocketAddr>,
}

impl<'a> Agent<'a> {
    pub fn new(app: &'a TestApp) -> Agent<'a> {
        Agent {
            app,
            cookies: HashMap::new(),
            peer: None,
        }
    }

    /// Requests appear to come from `ip` (as `ConnectInfo` does on a real listener).
    pub fn with_ip(mut self, ip: [u8; 4]) -> Self {
        self.peer = Some(SocketAddr::from((ip, 40000)));
        self
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, params: &[(&str, &str)]) -> TestResponse {
        self.request(Method::POST, path, Some(form(params))).await
    }

    async fn request(&mut self, method: Method, path: &str, body: Option<String>) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header(header::COOKIE, cookie.join("; "));
        }
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let mut request = request
            .body(Body::from(body.unwrap_or_default()))
            .expect("request");
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        let response = self.app.send(request).await;
        for set in response.headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    /// Loads the login form and submits it.
    pub async fn login(
        &mut self,
        identifier: &str,
        password: &str,
        next: Option<&str>,
    ) -> TestResponse {
        let path = match next {
            Some(next) => format!("/login?{}", form(&[("next", next)])),
            None => "/login".to_owned(),
        };
        let page = self.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let csrf = csrf_token(&page.text());
        let mut params = vec![
            ("username", identifier),
            ("password", password),
            ("csrf_token", csrf.as_str()),
        ];
        if let Some(next) = next {
            params.push(("next", next));
        }
        self.post("/login", &params).await
    }

    /// Signs in as `username` with the test password.
    pub async fn sign_in(&mut self, username: &str) {
        let response = self.login(username, PASSWORD, None).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{}",
            response.text()
        );
    }

    pub fn session(&self) -> Option<&str> {
        self.cookies.get("sesame_session").map(String::as_str)
    }
}

/// The value of the first `csrf_token` field of a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field in {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote");
    html[start..start + end].to_owned()
}

/// The `action` of the first form of a page, unescaped.
pub fn form_action(html: &str) -> String {
    let marker = "<form method=\"post\" action=\"";
    let start = html.find(marker).expect("a form") + marker.len();
    let end = html[start..].find('"').expect("closing quote");
    html[start..start + end]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A PKCE verifier and its S256 challenge (RFC 7636 §4.1-§4.2).
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}-{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// `/oauth/authorize?...` with `response_type=code` and the given parameters.
pub fn authorize_path(params: &[(&str, &str)]) -> String {
    let mut all = vec![("response_type", "code")];
    all.extend_from_slice(params);
    format!("/oauth/authorize?{}", form(&all))
}

/// The `Location` of a redirect.
pub fn location(response: &TestResponse) -> String {
    response
        .header("location")
        .unwrap_or_else(|| panic!("no Location ({}): {}", response.status, response.text()))
        .to_owned()
}

/// A query parameter of a URL or path.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}
