//! Client pages: the list, the create/edit form, the once-only secret, the delete confirmation.

use askama::Template;

use super::messages::FieldMessages;
use super::{Chrome, PageLanguage, encode};
use crate::auth::admin::client_form::ClientInput;
use crate::auth::admin::clients::ClientSummary;
use crate::entities::clients::Model;
use crate::paths;

/// Where a client's pages live.
pub fn client_href(client_id: &str) -> String {
    paths::fill(paths::ADMIN_CLIENT, &encode(client_id))
}

/// A grant as a badge; the password grant is marked legacy (RFC 9700 §2.4).
#[derive(Clone, Debug)]
pub struct GrantBadge {
    pub name: String,
    pub legacy: bool,
}

fn badges(model: &Model) -> Vec<GrantBadge> {
    model
        .grant_types()
        .into_iter()
        .map(|name| GrantBadge {
            legacy: name == "password",
            name,
        })
        .collect()
}

/// One line of the client list.
#[derive(Clone, Debug)]
pub struct ClientRow {
    pub client_id: String,
    pub href: String,
    pub name: String,
    pub kind: String,
    pub grants: Vec<GrantBadge>,
    pub active: bool,
    pub first_party: bool,
    pub last_used: String,
}

/// A client's kind (`confidential`, `public`) in words.
fn kind_name(kind: &str, lang: PageLanguage) -> String {
    match kind {
        "public" => lang.t("kind-public"),
        "confidential" => lang.t("kind-confidential"),
        other => other.to_owned(),
    }
}

impl ClientRow {
    /// The line of `summary`, in `lang`.
    pub fn new(summary: &ClientSummary, lang: PageLanguage) -> ClientRow {
        let c = &summary.client;
        ClientRow {
            client_id: c.client_id.clone(),
            href: client_href(&c.client_id),
            name: c.name.clone(),
            kind: kind_name(&c.kind, lang),
            grants: badges(c),
            active: c.is_active,
            first_party: c.first_party,
            last_used: lang.datetime_or_never(summary.last_used),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/clients.html")]
pub struct ClientsPage {
    pub chrome: Chrome,
    pub rows: Vec<ClientRow>,
}

/// The form's values as text, to fill it in or show it again after an error.
#[derive(Clone, Debug, Default)]
pub struct ClientFormValues {
    pub client_id: String,
    pub kind: String,
    pub name: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub authorization_code: bool,
    pub refresh_token: bool,
    pub client_credentials: bool,
    pub password: bool,
    pub scopes: String,
    pub audience: String,
    pub access_token_lifetime: String,
    pub refresh_token_lifetime: String,
    pub logo_uri: String,
    pub first_party: bool,
}

impl ClientFormValues {
    /// A new client's defaults: confidential, authorization code with refresh, OpenID scopes.
    pub fn defaults() -> ClientFormValues {
        ClientFormValues {
            kind: "confidential".into(),
            authorization_code: true,
            refresh_token: true,
            scopes: "openid profile email".into(),
            ..ClientFormValues::default()
        }
    }

    /// What was submitted.
    pub fn submitted(client_id: &str, kind: &str, input: &ClientInput) -> ClientFormValues {
        let has = |grant: &str| input.grant_types.iter().any(|g| g == grant);
        ClientFormValues {
            client_id: client_id.to_owned(),
            kind: kind.to_owned(),
            name: input.name.clone(),
            redirect_uris: input.redirect_uris.clone(),
            post_logout_redirect_uris: input.post_logout_redirect_uris.clone(),
            authorization_code: has("authorization_code"),
            refresh_token: has("refresh_token"),
            client_credentials: has("client_credentials"),
            password: has("password"),
            scopes: input.scopes.clone(),
            audience: input.audience.clone(),
            access_token_lifetime: input.access_token_lifetime.clone(),
            refresh_token_lifetime: input.refresh_token_lifetime.clone(),
            logo_uri: input.logo_uri.clone(),
            first_party: input.first_party,
        }
    }

    /// A stored client.
    pub fn of(model: &Model) -> ClientFormValues {
        let grants = model.grant_types();
        let has = |grant: &str| grants.iter().any(|g| g == grant);
        let lifetime = |secs: Option<i64>| {
            secs.and_then(|s| u64::try_from(s).ok())
                .map(|s| humantime::format_duration(std::time::Duration::from_secs(s)).to_string())
                .unwrap_or_default()
        };
        ClientFormValues {
            client_id: model.client_id.clone(),
            kind: model.kind.clone(),
            name: model.name.clone(),
            redirect_uris: model.redirect_uris().join("\n"),
            post_logout_redirect_uris: model.post_logout_redirect_uris().join("\n"),
            authorization_code: has("authorization_code"),
            refresh_token: has("refresh_token"),
            client_credentials: has("client_credentials"),
            password: has("password"),
            scopes: model.scopes().join(" "),
            audience: model.audience.clone().unwrap_or_default(),
            access_token_lifetime: lifetime(model.access_token_lifetime_secs),
            refresh_token_lifetime: lifetime(model.refresh_token_lifetime_secs),
            logo_uri: model.logo_uri.clone().unwrap_or_default(),
            first_party: model.first_party,
        }
    }
}

/// Facts about an existing client, shown beside its form.
#[derive(Clone, Debug)]
pub struct ClientFacts {
    pub client_id: String,
    pub href: String,
    pub kind: String,
    pub confidential: bool,
    pub active: bool,
    pub created: String,
    pub last_used: String,
    pub tokens_href: String,
}

impl ClientFacts {
    /// The facts of `model`, in `lang`.
    pub fn of(model: &Model, lang: PageLanguage) -> ClientFacts {
        ClientFacts {
            client_id: model.client_id.clone(),
            href: client_href(&model.client_id),
            kind: kind_name(&model.kind, lang),
            confidential: !model.is_public(),
            active: model.is_active,
            created: lang.datetime(model.created_at),
            last_used: lang.datetime_or_never(model.last_used_at),
            tokens_href: format!(
                "{}?client={}",
                paths::ADMIN_TOKENS,
                encode(&model.client_id)
            ),
        }
    }
}

/// Creating (`existing` is `None`) or editing a client.
#[derive(Template)]
#[template(path = "admin/client_form.html")]
pub struct ClientFormPage {
    pub chrome: Chrome,
    pub action: String,
    pub values: ClientFormValues,
    pub errors: FieldMessages,
    pub existing: Option<ClientFacts>,
}

/// A new or rotated secret, shown this once.
#[derive(Template)]
#[template(path = "admin/client_secret.html")]
pub struct ClientSecretPage {
    pub chrome: Chrome,
    pub client_id: String,
    pub href: String,
    pub name: String,
    /// `None` for a public client: it has no secret.
    pub secret: Option<String>,
    pub rotated: bool,
}

/// "Delete this client?"
#[derive(Template)]
#[template(path = "admin/client_delete.html")]
pub struct ClientDeletePage {
    pub chrome: Chrome,
    pub client_id: String,
    pub href: String,
    pub name: String,
}
