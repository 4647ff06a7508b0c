//! The browser login form (`GET`/`POST /login`) and `POST /logout` (SPEC §7 "Browser"). The
//! decisions (the CSRF cookie, the throttled password check, signing in) are
//! `auth::sessions::log_in`'s; this module parses the form, calls it and renders.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::login_csrf;
use crate::auth::sessions::{self, LoginAttempt, LoginOutcome, LoginRetry};
use crate::auth::{authorize, tokens};
use crate::config::Config;
use crate::http::cookies::{self, SessionCookies};
use crate::http::extract::{ClientOrigin, Form, FormRejection, Params};
use crate::http::failure::{count_throttled, retry_after_secs, set_retry_after};
use crate::http::html::{Failure, PageError, see_other};
use crate::http::page_language;
use crate::http::session::{MaybeUser, SignedIn, csrf_matches, is_same_origin_path};
use crate::paths;
use crate::state::AppState;
use crate::views::{self, LanguageLink, LoginPage, PageLanguage, SignedInPage, context};

pub fn routes(config: &Config) -> Router<AppState> {
    let routes = Router::new()
        .route(paths::HOME, get(home_get))
        .route(paths::LOGIN, get(login_get).post(login_post))
        .route(paths::LOGOUT, post(logout_post));
    page_language::layer(routes, config)
}

/// What the login form shows besides its CSRF token.
struct LoginForm {
    next: Option<String>,
    identifier: String,
    problem: Option<Problem>,
    /// The language picked on the page (`lang`: the language switch, or the form's own field),
    /// which wins over `ui_locales` and `Accept-Language`.
    lang: Option<PageLanguage>,
}

/// Why the form is shown again.
#[derive(Clone, Copy)]
enum Problem {
    /// The form's CSRF token had expired.
    Expired,
    Retry(LoginRetry),
}

impl Problem {
    fn message(self, lang: PageLanguage) -> String {
        match self {
            Problem::Expired => lang.t("login-form-expired"),
            Problem::Retry(LoginRetry::Incomplete) => lang.t("login-incomplete"),
            Problem::Retry(LoginRetry::Refused) => lang.t("login-refused"),
            Problem::Retry(LoginRetry::Throttled(retry_after, scope)) => {
                lang.throttled(scope, retry_after_secs(retry_after))
            }
        }
    }
}

/// Renders the form; when it serves an authorization request it names the client, pre-fills
/// `login_hint`, offers the signed-in account for `prompt=select_account`, and CSP lets the
/// submission end at the client's redirect URI.
async fn login_page(
    state: &AppState,
    status: StatusCode,
    csrf_token: String,
    form: LoginForm,
    signed_in: Option<&SignedIn>,
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
    let mut identifier = form.identifier;
    let mut continue_as = None;
    let mut lang = form.lang;
    let mut client_name = None;
    if let Some(context) = context {
        if identifier.is_empty() {
            identifier = context.login_hint.unwrap_or_default();
        }
        if context.offer_signed_in_account {
            continue_as = signed_in.map(|u| tokens::display_name(&u.user).to_owned());
        }
        lang = lang.or_else(|| PageLanguage::from_ui_locales(&context.ui_locales));
        client_name = Some(context.client_name);
    }
    let lang = lang.unwrap_or_else(page_language::current);
    let page = LoginPage {
        csrf_token,
        languages: LanguageLink::all(lang, form.next.as_deref()),
        next: form.next,
        identifier,
        error: form.problem.map(|problem| problem.message(lang)),
        client_name,
        continue_as,
        brand: context::brand(),
        lang,
    };
    let response = views::render_with_form_targets(status, &page, &targets);
    Ok(views::in_language(lang, response))
}

fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| is_same_origin_path(n)).map(str::to_owned)
}

fn signed_in_page(user: &SignedIn) -> Response {
    views::render(&SignedInPage {
        user_name: tokens::display_name(&user.user).to_owned(),
        csrf_token: user.csrf_token.clone(),
        brand: context::brand(),
        lang: page_language::current(),
    })
}

/// `GET /`: the signed-in account page (the same page `/login` shows a signed-in user), or a
/// 303 to the login form.
async fn home_get(MaybeUser(user): MaybeUser) -> Response {
    match user {
        Some(user) => signed_in_page(&user),
        None => see_other(paths::LOGIN),
    }
}

async fn login_get(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session_cookies: SessionCookies,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let params = Params::parse(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let next = safe_next(params.get("next"));
    if let (Some(user), None) = (&user, &next) {
        return Ok(signed_in_page(user));
    }
    let csrf = login_csrf::for_form(&state, cookies::login_csrf(&jar), state.now());
    let jar = session_cookies.set_login_csrf(jar, csrf.cookie.as_deref());
    let csrf_token = csrf.token;
    let form = LoginForm {
        next,
        identifier: String::new(),
        problem: None,
        lang: params.get("lang").and_then(PageLanguage::from_tag),
    };
    let page = login_page(&state, StatusCode::OK, csrf_token, form, user.as_ref()).await?;
    Ok((jar, page).into_response())
}

async fn login_post(
    State(state): State<AppState>,
    ClientOrigin { ip: client_ip, .. }: ClientOrigin,
    session_cookies: SessionCookies,
    jar: CookieJar,
    form: Result<Form, FormRejection>,
) -> Result<Response, PageError> {
    let Form(params) = form?;
    let form = LoginForm {
        next: safe_next(params.get("next")),
        identifier: params.get("username").unwrap_or_default().trim().to_owned(),
        problem: None,
        lang: params.get("lang").and_then(PageLanguage::from_tag),
    };
    let attempt = LoginAttempt {
        session_id: cookies::session_id(&jar),
        csrf_cookie: cookies::login_csrf(&jar),
        csrf_token: params.get("csrf_token"),
        identifier: &form.identifier,
        password: params.get("password").unwrap_or_default(),
        client_ip,
        device_cookie: cookies::device(&jar),
    };
    let outcome = sessions::log_in(&state, attempt, state.now()).await?;
    login_answer(&state, (session_cookies, jar), form, outcome).await
}

/// The answer to a login submission: on to `next`, or the form again saying why.
async fn login_answer(
    state: &AppState,
    (session_cookies, jar): (SessionCookies, CookieJar),
    form: LoginForm,
    outcome: LoginOutcome,
) -> Result<Response, PageError> {
    let (csrf_token, reason, jar) = match outcome {
        LoginOutcome::SignedIn {
            session,
            admin,
            device,
        } => {
            let jar = session_cookies.start(jar, &session.id, admin);
            let jar = session_cookies.set_device(jar, &device);
            let target = form.next.as_deref().unwrap_or(paths::LOGIN);
            return Ok((jar, see_other(target)).into_response());
        }
        LoginOutcome::Expired(fresh) => {
            let jar = session_cookies.set_login_csrf(jar, fresh.cookie.as_deref());
            (fresh.token, None, jar)
        }
        LoginOutcome::Retry { csrf_token, reason } => (csrf_token, Some(reason), jar),
    };
    let (status, problem) = form_again(reason);
    let form = LoginForm {
        problem: Some(problem),
        ..form
    };
    let mut page = login_page(state, status, csrf_token, form, None).await?;
    if let Some(LoginRetry::Throttled(retry_after, scope)) = reason {
        count_throttled("form", scope);
        set_retry_after(page.headers_mut(), retry_after);
    }
    Ok((jar, page).into_response())
}

/// The status and problem of the form shown again; no reason: the form had expired.
fn form_again(reason: Option<LoginRetry>) -> (StatusCode, Problem) {
    let status = match reason {
        None => StatusCode::FORBIDDEN,
        Some(LoginRetry::Incomplete) => StatusCode::BAD_REQUEST,
        Some(LoginRetry::Refused) => StatusCode::OK,
        Some(LoginRetry::Throttled(..)) => StatusCode::TOO_MANY_REQUESTS,
    };
    (status, reason.map_or(Problem::Expired, Problem::Retry))
}

async fn logout_post(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session_cookies: SessionCookies,
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
    let jar = session_cookies.end(jar);
    Ok((jar, see_other(paths::LOGIN)).into_response())
}
