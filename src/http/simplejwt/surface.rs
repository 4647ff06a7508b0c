//! The layer every route of this surface (and of the compat profile) runs under: its language
//! ([`language`](super::language)) and simplejwt's `WWW-Authenticate` challenge on a 401.
//!
//! A tower `Layer` rather than axum's `from_fn` and `map_response`: those clone the service
//! under them for each request, and under a `Router` that service is the route's chain of boxed
//! services, so each request paid one allocation per box (`GET /api/me/`: 14 a request).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tower::{Layer, Service};

use super::language::{self, Speak};

/// Sets the language of the answer and challenges a 401 with `<first header type> realm="api"`.
#[derive(Clone)]
pub struct SurfaceLayer {
    speak: Speak,
    challenge: HeaderValue,
}

impl SurfaceLayer {
    pub fn new(speak: Speak, challenge: HeaderValue) -> SurfaceLayer {
        SurfaceLayer { speak, challenge }
    }
}

impl<S> Layer<S> for SurfaceLayer {
    type Service = Surface<S>;

    fn layer(&self, inner: S) -> Surface<S> {
        Surface {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`SurfaceLayer`] wraps a route in.
#[derive(Clone)]
pub struct Surface<S> {
    inner: S,
    layer: SurfaceLayer,
}

impl<S> Service<Request> for Surface<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let SurfaceLayer { speak, challenge } = self.layer.clone();
        let translator = speak.translator(request.headers());
        let answer = self.inner.call(request);
        Box::pin(async move {
            let answer = async move {
                match answer.await {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            };
            let mut response = language::speak(speak, translator, answer).await;
            if response.status() == StatusCode::UNAUTHORIZED {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, challenge);
            }
            Ok(response)
        })
    }
}
