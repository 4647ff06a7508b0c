//! What the login form needs to know about the authorization request it serves (its `next`):
//! the client's name and redirect origin, and the OIDC Core §3.1.2.1 hints that shape the form
//! (`login_hint`, `prompt=select_account`, `ui_locales`).

use url::Url;

use super::super::Error;
use super::super::{clients, redirect_uri};
use super::csp_origin;
use super::prompt::{Prompt, parse_ui_locales};
use crate::paths;
use crate::state::AppState;

/// What the login form shows when it serves an authorization request.
#[derive(Clone, Debug)]
pub struct LoginContext {
    pub client_name: String,
    /// Where the authorization will redirect to after the login (for CSP `form-action`).
    pub redirect_origin: Option<String>,
    /// `login_hint`: pre-fills the identifier field (rendered escaped, like anything typed).
    pub login_hint: Option<String>,
    /// `prompt` has `select_account` and not `login`: the form offers to continue with the
    /// signed-in account (Sesame has one account per browser session).
    pub offer_signed_in_account: bool,
    /// `ui_locales`: the requested languages, most preferred first (BCP 47 tags as sent).
    pub ui_locales: Vec<String>,
}

/// The parameters of `next`'s query the login form reads.
#[derive(Default)]
struct NextParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    login_hint: Option<String>,
    prompt: Option<String>,
    ui_locales: Option<String>,
}

impl NextParams {
    fn parse(query: &str) -> NextParams {
        let mut params = NextParams::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "client_id" => &mut params.client_id,
                "redirect_uri" => &mut params.redirect_uri,
                "login_hint" => &mut params.login_hint,
                "prompt" => &mut params.prompt,
                "ui_locales" => &mut params.ui_locales,
                _ => continue,
            };
            // A NUL can name no client and no URI (and PostgreSQL's text cannot hold one).
            *slot = Some(value.into_owned()).filter(|v| !v.is_empty() && !v.contains('\0'));
        }
        params
    }
}

/// The client behind a login's `next`, when `next` is an authorization request of a known client.
///
/// Errors: only a failed client lookup (`Error::Internal`).
pub async fn login_context(state: &AppState, next: &str) -> Result<Option<LoginContext>, Error> {
    let Some(query) = next
        .strip_prefix(paths::AUTHORIZE)
        .and_then(|rest| rest.strip_prefix('?'))
    else {
        return Ok(None);
    };
    let params = NextParams::parse(query);
    let client_id = params.client_id.unwrap_or_default();
    let Some(client) = clients::find_client(state, &client_id).await? else {
        return Ok(None);
    };
    // The target is the URI asked for (its loopback port included), if it is registered.
    let target = match (params.redirect_uri, client.redirect_uris.as_slice()) {
        (Some(given), uris) => uris
            .iter()
            .any(|uri| redirect_uri::matches(uri, &given))
            .then_some(given),
        (None, [only]) => Some(only.clone()),
        (None, _) => None,
    };
    let redirect_origin = target
        .and_then(|uri| Url::parse(&uri).ok())
        .and_then(|url| csp_origin(&url));
    let prompt = Prompt::parse(params.prompt.as_deref()).unwrap_or_default();
    let ui_locales = parse_ui_locales(params.ui_locales.as_deref());
    Ok(Some(LoginContext {
        client_name: client.name,
        redirect_origin,
        login_hint: params.login_hint,
        offer_signed_in_account: prompt.select_account && !prompt.login,
        ui_locales,
    }))
}
