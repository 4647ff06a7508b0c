//! A browser-like agent for the HTML surfaces: it keeps cookies, reads CSRF tokens out of forms
//! and never follows redirects, so every hop can be asserted.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::http::{StatusCode, header};

use super::html::csrf_token;
use super::requests::{TestRequest, TestResponse, form};
use super::{PASSWORD, TestApp};

/// A browser without a browser: the cookies it was given, and where it seems to come from.
pub struct Agent<'a> {
    app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    peer: Option<SocketAddr>,
}

impl TestApp {
    /// A browser with no cookies yet.
    pub fn agent(&self) -> Agent<'_> {
        Agent {
            app: self,
            cookies: HashMap::new(),
            peer: None,
        }
    }
}

impl Agent<'_> {
    /// Requests appear to come from `ip` (as `ConnectInfo` does on a real listener).
    pub fn with_ip(mut self, ip: [u8; 4]) -> Self {
        self.peer = Some(SocketAddr::from((ip, 40000)));
        self
    }

    /// `GET path` with the agent's cookies; keeps the cookies the answer sets.
    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(self.app.get(path)).await
    }

    /// A form `POST` with the agent's cookies; keeps the cookies the answer sets.
    pub async fn post(&mut self, path: &str, params: &[(&str, &str)]) -> TestResponse {
        self.send(self.app.post(path).form(params)).await
    }

    async fn send(&mut self, mut request: TestRequest) -> TestResponse {
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.cookie(&cookie.join("; "));
        }
        if let Some(peer) = self.peer {
            request = request.peer(peer);
        }
        let response = request.await;
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

    /// The login session cookie.
    pub fn session(&self) -> Option<&str> {
        self.cookies.get("sesame_session").map(String::as_str)
    }
}
