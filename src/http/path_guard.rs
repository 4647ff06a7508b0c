//! Requests whose path names nothing we could hold.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

/// Answers `404 Not Found` (as for any unknown route) to a path that holds U+0000 once decoded
/// (`/admin/clients/%00`): no route and no stored name holds one, and PostgreSQL's text cannot,
/// so such a name would otherwise reach a lookup as a database error (a 500) instead of a miss.
pub async fn refuse_nul_in_path(request: Request, next: Next) -> Response {
    if percent_decode_str(request.uri().path()).any(|byte| byte == 0) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}
