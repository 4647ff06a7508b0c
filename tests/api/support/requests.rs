//! Requests through the app's router and the responses they get, read whole.
//!
//! `app.get(path)` or `app.post(path)` starts a request; what it carries is added by name
//! (`.bearer(..)`, `.basic(..)`, `.form(..)`, `.json(..)`, ...), and awaiting it sends it.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::pin::Pin;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::request::Builder;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

/// A request on its way to the router.
#[must_use = "a request does nothing until it is awaited"]
pub struct TestRequest {
    router: Router,
    builder: Builder,
    body: Body,
    peer: Option<SocketAddr>,
}

impl TestRequest {
    pub(super) fn new(router: Router, method: Method, path: &str) -> TestRequest {
        TestRequest {
            router,
            builder: Request::builder().method(method).uri(path),
            body: Body::empty(),
            peer: None,
        }
    }

    /// A header of the request.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// Headers of the request, in order.
    pub fn headers(self, headers: &[(&str, &str)]) -> Self {
        headers
            .iter()
            .fold(self, |request, (name, value)| request.header(name, value))
    }

    /// `Authorization: <value>`, when there is one.
    pub fn authorization(self, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.header("authorization", value),
            None => self,
        }
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// `client_secret_basic` credentials (RFC 6749 §2.3.1).
    pub fn basic(self, id: &str, secret: &str) -> Self {
        let credentials = STANDARD.encode(format!("{id}:{secret}"));
        self.header("authorization", &format!("Basic {credentials}"))
    }

    /// `client_secret_basic` with a client as `ClientBuilder::create` returns it.
    pub fn client(self, (id, secret): &(String, String)) -> Self {
        self.basic(id, secret)
    }

    /// The `Cookie` header, as given (`name=value; ...`).
    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form(self, params: &[(&str, &str)]) -> Self {
        self.body("application/x-www-form-urlencoded", form(params))
    }

    /// An `application/json` body.
    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string())
    }

    /// A body of any content type, as given.
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, content_type);
        self.body = Body::from(body.into());
        self
    }

    /// The request appears to come from `peer`, as `ConnectInfo` says on a real listener.
    pub fn peer(mut self, peer: SocketAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    async fn send(self) -> TestResponse {
        let mut request = self.builder.body(self.body).expect("request");
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        let response = self.router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body");
        TestResponse {
            status,
            headers,
            body: body.to_bytes().to_vec(),
        }
    }
}

impl IntoFuture for TestRequest {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A response, read whole.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON; fails the test, showing the body, if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The names of the body's top-level members, in the order sent.
    pub fn keys(&self) -> Vec<String> {
        let body = self.json();
        let object = body.as_object().expect("a JSON object");
        object.keys().cloned().collect()
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body exactly as sent, for byte-level assertions and snapshots.
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    /// A header of the response, when it is there and ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Location` of a redirect.
    pub fn location(&self) -> String {
        self.header("location")
            .unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.text()))
            .to_owned()
    }
}

/// The bodies of many answers, each under a label, for one snapshot.
#[derive(Default)]
pub struct Answers(String);

impl Answers {
    /// Adds `response`'s exact body under `label`.
    pub fn add(&mut self, label: &str, response: &TestResponse) {
        self.0 += &format!("{label}\n  {}\n", response.body_str());
    }
}

impl std::fmt::Display for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `params` form-urlencoded.
pub fn form(params: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}
