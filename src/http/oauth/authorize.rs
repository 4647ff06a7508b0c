//! `GET /oauth/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2) and
//! `POST /oauth/authorize`, where the consent page posts the user's decision back to the same
//! request. Errors that cannot go back to the client are HTML pages (`PageError`).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::authorize::{self, AuthorizationRequest, Decision, Outcome, Subject};
use crate::auth::{Error, tokens};
use crate::http::extract::{Form, FormRejection, Params};
use crate::http::html::{Failure, PageError, see_other};
use crate::http::page_language;
use crate::http::session::{MaybeUser, SignedIn, csrf_matches, login_redirect};
use crate::paths;
use crate::state::AppState;
use crate::views::{self, ConsentPage, PageLanguage, ScopeItem, context};

/// The request as received: the login form comes back to it, the consent form posts to it.
fn request_path(query: &str) -> String {
    format!("{}?{query}", paths::AUTHORIZE)
}

/// RFC 6749 §3.1: parameters "MUST NOT be included more than once"; with two `redirect_uri`s
/// there is no telling where an error may go, so this is an HTML page.
fn parse(query: &str) -> Result<AuthorizationRequest, PageError> {
    let params = Params::parse(query.as_bytes())
        .map_err(|rejection| PageError::public(Failure::Query(rejection)))?;
    Ok(AuthorizationRequest::from_params(|name| params.get(name)))
}

fn subject(user: Option<&SignedIn>) -> Option<Subject> {
    user.map(|u| Subject {
        user_id: u.user.id,
        auth_time: u.auth_time,
    })
}

pub async fn authorize_get(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let request = parse(&query)?;
    let subject = subject(user.as_ref());
    let outcome =
        authorize::authorize(&state, &request, subject, Decision::Undecided, state.now()).await?;
    Ok(respond(outcome, &query, user.as_ref()))
}

pub async fn authorize_post(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    RawQuery(query): RawQuery,
    form: Result<Form, FormRejection>,
) -> Result<Response, PageError> {
    let Form(params) = form?;
    let query = query.unwrap_or_default();
    let request = parse(&query)?;
    let Some(signed_in) = &user else {
        let marked = authorize::mark_login_asked(&query, state.now());
        return Ok(login_redirect(&request_path(&marked)));
    };
    if !csrf_matches(signed_in, params.get("csrf_token")) {
        return Err(PageError::public(Failure::Csrf));
    }
    let decision = match params.get("decision") {
        Some("approve") => Decision::Approve,
        Some("deny") => Decision::Deny,
        _ => return Err(Error::InvalidRequest("decision must be approve or deny".into()).into()),
    };
    let subject = subject(user.as_ref());
    let outcome = authorize::authorize(&state, &request, subject, decision, state.now()).await?;
    Ok(respond(outcome, &query, user.as_ref()))
}

fn respond(outcome: Outcome, query: &str, user: Option<&SignedIn>) -> Response {
    match (outcome, user) {
        (Outcome::Redirect(location), _) => see_other(&location),
        (Outcome::Login { asked_at }, _) => {
            login_redirect(&request_path(&authorize::mark_login_asked(query, asked_at)))
        }
        (
            Outcome::Consent {
                client_name,
                client_logo,
                scope,
                redirect_origin,
                ui_locales,
            },
            Some(user),
        ) => {
            let lang =
                PageLanguage::from_ui_locales(&ui_locales).unwrap_or_else(page_language::current);
            let brand = context::brand();
            let site = brand.site_name.as_str();
            let page = ConsentPage {
                client_name,
                scopes: scope
                    .iter()
                    .map(|s| ScopeItem::describe(s, lang, site))
                    .collect(),
                user_name: tokens::display_name(&user.user).to_owned(),
                csrf_token: user.csrf_token.clone(),
                action: request_path(query),
                lang,
                brand: brand.clone(),
                client_logo,
            };
            let targets: Vec<String> = redirect_origin.into_iter().collect();
            let images: Vec<String> = page
                .client_logo
                .as_deref()
                .and_then(context::image_origin)
                .into_iter()
                .collect();
            let response = views::render_with_sources(StatusCode::OK, &page, &targets, &images);
            views::in_language(lang, response)
        }
        (Outcome::Consent { .. }, None) => login_redirect(&request_path(query)),
    }
}
