//! The browser login form (`GET`/`POST /login`) and `POST /logout` (SPEC §7 "Browser"). The
//! password check is the domain's `accounts::check_password`, throttled exactly as on every
//! other surface.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::{Error, accounts, authorize, sessions, tokens};
use crate::http::cookies;
use crate::http::extract::{ClientIp, Form, FormRejection, Params};
use crate::http::failure::{retry_after_secs, set_retry_after};
use crate::http::html::{Failure, PageError, see_other};
use crate::http::session::{MaybeUser, SignedIn, csrf_matches, is_same_origin_path};
use crate::paths;
use crate::state::AppState;
use crate::views::{self, LoginPage, SignedInPage};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::LOGIN, get(login_get).post(login_post))
        .route(paths::LOGOUT, post(logout_post))
}

/// What the login form shows besides its CSRF token.
struct LoginForm {
    next: Option<String>,
    identifier: String,
    error: Option<String>,
}

impl LoginForm {
    fn failed(self, error: impl Into<String>) -> LoginForm {
        LoginForm {
            error: Some(error.into()),
            ..self
        }
    }
}

/// Renders the form; when it serves an authorization request it names the client, and CSP lets
/// the submission end at the client's redirect URI.
async fn login_page(
    state: &AppState,
    status: StatusCode,
    csrf_token: String,
    form: LoginForm,
) -> Result<Response, PageError> {
    let context = match &form.next {
        Some(next) => authorize::login_context(state, next).await?,
        None => None,
    };
    let targets: Vec<String> = context
        .as_ref()
        .and_then(|c| c.redirect_origin.clone())
        .into_iter()
        .collect();
    let page = LoginPage {
        csrf_token,
        next: form.next,
        identifier: form.identifier,
        error: form.error,
        client_name: context.map(|c| c.client_name),
    };
    Ok(views::render_with_form_targets(status, &page, &targets))
}

fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| is_same_origin_path(n)).map(str::to_owned)
}

fn signed_in_page(user: &SignedIn) -> Response {
    views::render(&SignedInPage {
        user_name: tokens::display_name(&user.user).to_owned(),
        csrf_token: user.csrf_token.clone(),
    })
}

async fn login_get(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let params = Params::parse(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let next = safe_next(params.get("next"));
    if let (Some(user), None) = (&user, &next) {
        return Ok(signed_in_page(user));
    }
    let now = state.now();
    let existing = match cookies::session_id(&jar) {
        Some(id) => sessions::find_session(&state, id, now).await?,
        None => None,
    };
    let (csrf_token, jar) = match existing {
        Some(session) => (session.csrf_token, jar),
        None => {
            let fresh = sessions::start_pre_session(&state, now).await?;
            let jar = cookies::start_session(&state.config, jar, &fresh.id, false);
            (fresh.csrf_token, jar)
        }
    };
    let form = LoginForm {
        next,
        identifier: String::new(),
        error: None,
    };
    let page = login_page(&state, StatusCode::OK, csrf_token, form).await?;
    Ok((jar, page).into_response())
}

async fn login_post(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    jar: CookieJar,
    form: Result<Form, FormRejection>,
) -> Result<Response, PageError> {
    let Form(params) = form?;
    let now = state.now();
    let form = LoginForm {
        next: safe_next(params.get("next")),
        identifier: params.get("username").unwrap_or_default().trim().to_owned(),
        error: None,
    };
    let session_id = cookies::session_id(&jar).map(str::to_owned);
    let session = match &session_id {
        Some(id) => sessions::find_session(&state, id, now).await?,
        None => None,
    };
    let Some(session) =
        session.filter(|s| sessions::csrf_matches(&s.csrf_token, params.get("csrf_token")))
    else {
        // A stale or forged form: a fresh pre-session, and the user types the password again.
        let fresh = sessions::start_pre_session(&state, now).await?;
        let form = form.failed("This form has expired. Please sign in again.");
        let page = login_page(&state, StatusCode::FORBIDDEN, fresh.csrf_token, form).await?;
        let jar = cookies::start_session(&state.config, jar, &fresh.id, false);
        return Ok((jar, page).into_response());
    };
    let csrf = session.csrf_token;
    let password = params.get("password").unwrap_or_default();
    if form.identifier.is_empty() || password.is_empty() {
        let form = form.failed("Enter your username, email or phone, and your password.");
        return login_page(&state, StatusCode::BAD_REQUEST, csrf, form).await;
    }
    match accounts::check_password(&state, &form.identifier, password, client_ip, now).await {
        Ok(user) => {
            let started = sessions::sign_in(&state, &user, session_id.as_deref(), now).await?;
            let jar =
                cookies::start_session(&state.config, jar, &started.id, user.has_role("admin"));
            let target = form.next.as_deref().unwrap_or(paths::LOGIN);
            Ok((jar, see_other(target)).into_response())
        }
        Err(Error::InvalidCredentials) => {
            let form = form.failed("The username or password is incorrect.");
            login_page(&state, StatusCode::OK, csrf, form).await
        }
        Err(Error::Throttled { retry_after }) => {
            let secs = retry_after_secs(retry_after);
            let form = form.failed(format!(
                "Too many failed attempts. Try again in {secs} seconds."
            ));
            let mut page = login_page(&state, StatusCode::TOO_MANY_REQUESTS, csrf, form).await?;
            set_retry_after(page.headers_mut(), retry_after);
            Ok(page)
        }
        Err(err) => Err(err.into()),
    }
}

async fn logout_post(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
    form: Result<Form, FormRejection>,
) -> Result<Response, PageError> {
    let Form(params) = form?;
    if let Some(user) = user {
        if !csrf_matches(&user, params.get("csrf_token")) {
            return Err(PageError::public(Failure::Csrf));
        }
        sessions::sign_out(&state, &user.session_id).await?;
        tracing::info!(user_id = user.user.id, "signed out");
    }
    let jar = cookies::end_session(&state.config, jar);
    Ok((jar, see_other(paths::LOGIN)).into_response())
}
