//! `GET /oauth/logout`, the OIDC `end_session_endpoint` (RP-Initiated Logout 1.0), and its
//! confirmation `POST`. A request whose `id_token_hint` names the signed-in user signs out at once;
//! otherwise the user confirms on a page (a cross-site GET alone must not end a session).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::end_session::{self, EndSession, EndSessionRequest};
use crate::auth::{sessions, tokens};
use crate::http::cookies::SessionCookies;
use crate::http::extract::{Form, FormRejection, Params};
use crate::http::html::{Failure, PageError, see_other};
use crate::http::page_language;
use crate::http::session::{MaybeUser, SignedIn, csrf_matches};
use crate::paths;
use crate::state::AppState;
use crate::views::{self, LogoutPage, NoticePage, context};

async fn check(state: &AppState, query: &str) -> Result<EndSession, PageError> {
    let params = Params::parse(query.as_bytes())
        .map_err(|rejection| PageError::public(Failure::Query(rejection)))?;
    let take = |name: &str| params.get(name).map(str::to_owned);
    let request = EndSessionRequest {
        id_token_hint: take("id_token_hint"),
        client_id: take("client_id"),
        post_logout_redirect_uri: take("post_logout_redirect_uri"),
        state: take("state"),
    };
    Ok(end_session::check_end_session(state, &request, state.now()).await?)
}

pub async fn end_session_get(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: (SessionCookies, CookieJar),
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let end = check(&state, &query).await?;
    match user {
        Some(user) if end.hinted_user != Some(user.user.id) => Ok(confirm(&end, &user, &query)),
        user => finish(&state, jar, user.as_ref(), end).await,
    }
}

pub async fn end_session_post(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: (SessionCookies, CookieJar),
    RawQuery(query): RawQuery,
    form: Result<Form, FormRejection>,
) -> Result<Response, PageError> {
    let Form(params) = form?;
    let end = check(&state, &query.unwrap_or_default()).await?;
    if let Some(user) = &user
        && !csrf_matches(user, params.get("csrf_token"))
    {
        return Err(PageError::public(Failure::Csrf));
    }
    finish(&state, jar, user.as_ref(), end).await
}

fn confirm(end: &EndSession, user: &SignedIn, query: &str) -> Response {
    let page = LogoutPage {
        user_name: tokens::display_name(&user.user).to_owned(),
        client_name: end.client_name.clone(),
        csrf_token: user.csrf_token.clone(),
        action: format!("{}?{query}", paths::END_SESSION),
        brand: context::brand(),
        lang: page_language::current(),
    };
    let targets: Vec<String> = end
        .redirect
        .as_ref()
        .and_then(crate::auth::authorize::csp_origin)
        .into_iter()
        .collect();
    views::render_with_form_targets(StatusCode::OK, &page, &targets)
}

async fn finish(
    state: &AppState,
    (session_cookies, jar): (SessionCookies, CookieJar),
    user: Option<&SignedIn>,
    end: EndSession,
) -> Result<Response, PageError> {
    if let Some(user) = user {
        sessions::sign_out(state, &user.session_id).await?;
        tracing::info!(user_id = user.user.id, "signed out by the relying party");
    }
    let response = match end.redirect {
        Some(url) => see_other(url.as_str()),
        None => {
            let (lang, brand) = (page_language::current(), context::brand());
            views::render(&NoticePage {
                title: lang.t("signed-out-title"),
                message: lang.text("signed-out-message", &[("site", &brand.site_name)]),
                brand,
                lang,
            })
        }
    };
    Ok((session_cookies.end(jar), response).into_response())
}
