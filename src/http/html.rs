//! The one vocabulary of HTML responses, shared by every page route (the login form, the
//! authorization endpoint, RP-initiated logout, the admin UI): [`PageError`], the one place a
//! failure becomes an error page (worded in the request's page language, the admin domain's
//! refusals included), and [`see_other`], the one redirect. Internal causes are logged with their
//! source chain, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Error;
use crate::auth::admin::{AdminError, FieldErrors, Refusal};
use crate::http::extract::FormRejection;
use crate::http::failure::{log_internal, mark_unavailable, retry_after_secs, set_retry_after};
use crate::http::page_language;
use crate::views::admin::AdminErrorPage;
use crate::views::admin::messages::{self, FieldMessages};
use crate::views::{Brand, ErrorPage, PageLanguage, context, render_status};

/// A 303 See Other to `location`: after a form is handled (so a reload does not repeat it), and
/// wherever a page sends the browser on.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => {
            tracing::error!("refusing to redirect to a location that is not a header value");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Why a page request failed.
#[derive(Debug)]
pub enum Failure {
    /// A domain error. On a public page its kind picks the page; in the admin UI every one is an
    /// internal failure, since the admin domain reports an admin's mistakes as [`AdminError`].
    Domain(Error),
    /// The form body could not be read.
    Form(FormRejection),
    /// The query string is not valid form encoding (or repeats a parameter).
    Query(FormRejection),
    /// A form without the session's CSRF token.
    Csrf,
    /// Nothing by that name (a client, user, family or key).
    NotFound,
    /// Signed in as this user, who lacks the admin role.
    NotAdmin(String),
    /// Input refused, field by field.
    Invalid(FieldErrors),
    /// An action refused as a whole.
    Refused(Refusal),
}

/// Which frame the error page is drawn in: the one of the route that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// The public pages: login, authorization, end session.
    Public,
    /// The admin UI: its header, and the way back to its dashboard.
    Admin,
}

/// A failed page request, answered with an error page in the frame of its route, with the status
/// the failure calls for (and `Retry-After` when throttled).
#[derive(Debug)]
pub struct PageError {
    frame: Frame,
    failure: Failure,
}

impl PageError {
    /// A failure of a public page.
    pub fn public(failure: Failure) -> PageError {
        PageError {
            frame: Frame::Public,
            failure,
        }
    }

    /// A failure inside the admin UI.
    pub fn admin(failure: Failure) -> PageError {
        PageError {
            frame: Frame::Admin,
            failure,
        }
    }
}

impl From<Error> for PageError {
    fn from(err: Error) -> PageError {
        PageError::public(Failure::Domain(err))
    }
}

impl From<FormRejection> for PageError {
    fn from(err: FormRejection) -> PageError {
        PageError::public(Failure::Form(err))
    }
}

impl From<AdminError> for PageError {
    fn from(err: AdminError) -> PageError {
        PageError::admin(match err {
            AdminError::Invalid(errors) => Failure::Invalid(errors),
            AdminError::NotFound => Failure::NotFound,
            AdminError::Refused(refusal) => Failure::Refused(refusal),
            AdminError::Internal(err) => Failure::Domain(err),
        })
    }
}

/// The status, title and message of the page, in `lang`, naming the deployment as `brand` does.
fn describe(
    frame: Frame,
    failure: &Failure,
    lang: PageLanguage,
    brand: &Brand,
) -> (StatusCode, String, String) {
    use Frame::{Admin, Public};
    use StatusCode as S;
    let t = |key: &str| lang.text(key, &[("site", &brand.site_name)]);
    match (frame, failure) {
        (_, Failure::Domain(Error::Unavailable(_))) => (
            S::SERVICE_UNAVAILABLE,
            t("error-unavailable-title"),
            t("error-unavailable"),
        ),
        (Public, Failure::Domain(err)) => describe_domain(err, lang, brand),
        (Admin, Failure::Domain(_)) => (
            S::INTERNAL_SERVER_ERROR,
            t("error-wrong-title"),
            t("error-admin-internal"),
        ),
        (Public, Failure::Form(r)) => (r.status(), t("error-form-title"), rejection(r, lang)),
        (Public, Failure::Query(r)) => (
            S::BAD_REQUEST,
            t("error-cannot-title"),
            lang.text("error-query", &[("reason", &rejection(r, lang))]),
        ),
        (Admin, Failure::Form(r) | Failure::Query(r)) => {
            (r.status(), t("error-bad-request-title"), rejection(r, lang))
        }
        (Public, Failure::Csrf) => (S::FORBIDDEN, t("error-csrf-title"), t("error-csrf")),
        (Admin, Failure::Csrf) => (
            S::FORBIDDEN,
            t("error-admin-csrf-title"),
            t("error-admin-csrf"),
        ),
        (_, Failure::NotFound) => (
            S::NOT_FOUND,
            t("error-not-found-title"),
            t("error-not-found"),
        ),
        (_, Failure::NotAdmin(username)) => (
            S::FORBIDDEN,
            t("error-not-admin-title"),
            lang.text("error-not-admin", &[("user", username)]),
        ),
        (_, Failure::Invalid(errors)) => (
            S::BAD_REQUEST,
            t("error-bad-request-title"),
            invalid_fields(errors, lang),
        ),
        (_, Failure::Refused(refusal)) => (
            S::CONFLICT,
            t("error-refused-title"),
            messages::refusal(refusal, lang),
        ),
    }
}

/// A form refused outside its own page (a button whose form has no field to mark): each field
/// and why, in `lang`.
fn invalid_fields(errors: &FieldErrors, lang: PageLanguage) -> String {
    let fields: Vec<String> = FieldMessages::new(errors, lang)
        .iter()
        .map(|(field, message)| format!("{field}: {message}"))
        .collect();
    lang.text("error-invalid-fields", &[("fields", &fields.join("; "))])
}

/// Why a form body or query string could not be read, in `lang`.
fn rejection(rejection: &FormRejection, lang: PageLanguage) -> String {
    match rejection {
        FormRejection::ContentType => lang.t("form-content-type"),
        FormRejection::TooLarge => lang.t("form-too-large"),
        FormRejection::Unreadable => lang.t("form-unreadable"),
        FormRejection::Malformed(_) => lang.t("form-malformed"),
        FormRejection::Repeated(name) => lang.text("form-repeated", &[("name", name)]),
        FormRejection::NulCharacter(name) => lang.text("form-nul-character", &[("name", name)]),
    }
}

/// A domain error on a public page. The detail of a refused request (`InvalidRequest` and the
/// like) is the domain's own English sentence.
fn describe_domain(err: &Error, lang: PageLanguage, brand: &Brand) -> (StatusCode, String, String) {
    match err {
        Error::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            lang.t("error-wrong-title"),
            lang.text("error-internal", &[("site", &brand.site_name)]),
        ),
        Error::Throttled { retry_after, scope } => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.t("error-throttled-title"),
            lang.throttled(*scope, retry_after_secs(*retry_after)),
        ),
        Error::InvalidRequest(message) => (
            StatusCode::BAD_REQUEST,
            lang.t("error-cannot-title"),
            message.clone(),
        ),
        err => (
            StatusCode::BAD_REQUEST,
            lang.t("error-cannot-title"),
            err.to_string(),
        ),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError { frame, failure } = self;
        match (&failure, frame) {
            (Failure::Domain(Error::Internal(internal)), Frame::Public) => {
                log_internal("html", internal);
            }
            (Failure::Domain(Error::Unavailable(_)), _) => {}
            (Failure::Domain(err), Frame::Admin) => log_internal("admin", err),
            _ => {}
        }
        let lang = page_language::current();
        let brand = context::brand();
        let (status, title, message) = describe(frame, &failure, lang, &brand);
        let mut response = match frame {
            Frame::Public => render_status(
                status,
                &ErrorPage {
                    title,
                    message,
                    brand,
                    lang,
                },
            ),
            Frame::Admin => {
                let show_nav = !matches!(failure, Failure::NotAdmin(_));
                let page = AdminErrorPage {
                    title,
                    message,
                    show_nav,
                    lang,
                    brand,
                };
                render_status(status, &page)
            }
        };
        if let (Failure::Domain(Error::Throttled { retry_after, .. }), Frame::Public) =
            (&failure, frame)
        {
            set_retry_after(response.headers_mut(), *retry_after);
        }
        if let Failure::Domain(Error::Unavailable(cause)) = &failure {
            mark_unavailable(&mut response, cause);
        }
        response
    }
}
