//! The one place where errors on browser routes (the login form, the authorization endpoint,
//! RP-initiated logout) become HTML pages. Internal causes are logged, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Error;
use crate::http::extract::FormRejection;
use crate::http::failure::retry_after_secs;
use crate::views::{self, ErrorPage};

/// An error answered with the HTML error page.
#[derive(Debug)]
pub enum PageError {
    Domain(Error),
    Form(FormRejection),
    /// A form without the session's CSRF token.
    Csrf,
    /// A query string that is not valid form encoding (or repeats a parameter).
    Query(FormRejection),
}

impl From<Error> for PageError {
    fn from(err: Error) -> Self {
        PageError::Domain(err)
    }
}

impl From<FormRejection> for PageError {
    fn from(err: FormRejection) -> Self {
        PageError::Form(err)
    }
}

fn page(status: StatusCode, title: &str, message: String) -> Response {
    let page = ErrorPage {
        title: title.to_owned(),
        message,
    };
    views::render_status(status, &page)
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        const BAD: StatusCode = StatusCode::BAD_REQUEST;
        match self {
            PageError::Domain(Error::Internal(internal)) => {
                tracing::error!(error = %internal, source = ?std::error::Error::source(&internal), "browser request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Sesame could not complete this request. Please try again in a moment.".into(),
                )
            }
            PageError::Domain(Error::Throttled { retry_after }) => {
                let secs = retry_after_secs(retry_after);
                let mut response = page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts",
                    format!("Too many failed sign-in attempts. Try again in {secs} seconds."),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                response
            }
            PageError::Domain(Error::InvalidRequest(message)) => {
                page(BAD, "This request cannot be completed", message)
            }
            PageError::Domain(err) => {
                page(BAD, "This request cannot be completed", err.to_string())
            }
            PageError::Form(rejection) => page(
                rejection.status(),
                "This form could not be read",
                rejection.to_string(),
            ),
            PageError::Query(rejection) => page(
                BAD,
                "This request cannot be completed",
                format!("The query string is invalid: {rejection}."),
            ),
            PageError::Csrf => page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was not sent from this session. Go back, reload the page and try again."
                    .into(),
            ),
        }
    }
}
