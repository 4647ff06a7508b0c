//! What every surface does the same way with a failure, whatever its wire format: log an internal
//! cause with its whole source chain (the client only ever sees a generic answer), tell a
//! throttled client when to come back (`Retry-After`, RFC 9110 §10.2.3), and answer an unreachable
//! database with 503 and `Retry-After` (RFC 9110 §15.6.4), logged once per outage.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::DbErr;

use crate::state::AppState;

/// What a client is told to wait (`Retry-After`) when the database is unreachable: about the
/// time a restarted database takes to accept connections again.
pub const UNAVAILABLE_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Marks a response that answered "database unreachable", with the cause, for
/// [`watch_database`] to log once per outage.
#[derive(Clone, Debug)]
pub struct DatabaseUnavailable(pub Arc<str>);

/// Finishes a surface's 503 answer to an unreachable database: `Retry-After`, and the mark
/// [`watch_database`] looks for. Each surface calls this from its one error mapping.
pub fn mark_unavailable(response: &mut Response, cause: &DbErr) {
    set_retry_after(response.headers_mut(), UNAVAILABLE_RETRY_AFTER);
    response
        .extensions_mut()
        .insert(DatabaseUnavailable(cause.to_string().into()));
}

/// The router layer that reports responses marked by [`mark_unavailable`] to the database's
/// outage log: the first of an outage is logged with the database and the cause, the rest are
/// not (a log line per request would bury the one that says what is wrong).
pub async fn watch_database(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if let Some(DatabaseUnavailable(cause)) = response.extensions().get() {
        state.availability.report(cause);
    }
    response
}

use crate::auth::throttle::Scope;

/// Logs an internal failure of a request on `surface` (`oauth`, `api`, `html`) with every cause
/// in its source chain.
pub fn log_internal(surface: &'static str, err: &(dyn Error + 'static)) {
    tracing::error!(surface, error = %source_chain(err), "request failed");
}

/// `err: cause: cause ...`; a cause whose text the message already ends with (an error that
/// prints its source) is not repeated.
fn source_chain(err: &(dyn Error + 'static)) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !chain.ends_with(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = cause.source();
    }
    chain
}

/// Counts a login refused by the throttle on `surface` (`oauth`, `api`, `compat`, `form`), by the
/// rule it ran into: `sesame_login_throttled_total{surface, scope}`.
pub fn count_throttled(surface: &'static str, scope: Scope) {
    metrics::counter!("sesame_login_throttled_total", "surface" => surface, "scope" => scope.as_str())
        .increment(1);
}

/// `text` with its first letter upper-case, for a surface that words messages as sentences.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Whole seconds for `Retry-After`, rounded up so a client never comes back too early.
pub fn retry_after_secs(retry_after: Duration) -> u64 {
    retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0)
}

/// Sets `Retry-After` to `retry_after` in whole seconds, rounded up.
pub fn set_retry_after(headers: &mut HeaderMap, retry_after: Duration) {
    headers.insert(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs(retry_after)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Prints(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Hides(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    #[test]
    fn the_chain_names_each_cause_once() {
        assert_eq!(source_chain(&Prints(Inner)), "outer: inner");
        assert_eq!(source_chain(&Hides(Inner)), "outer: inner");
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::from_millis(3001)), 4);
        assert_eq!(retry_after_secs(Duration::ZERO), 0);
    }
}
