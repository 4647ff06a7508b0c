//! `sesame client`: register, list, rotate a secret.

use clap::{Args, Subcommand};

use super::admin_failure;
use crate::auth::admin::client_form::ClientInput;
use crate::auth::admin::clients as admin_clients;
use crate::auth::audit::Actor;
use crate::auth::clients::ClientKind;
use crate::state::AppState;
use crate::store;

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client. A confidential client's secret is printed once.
    Add(ClientAddArgs),
    List,
    /// Replace a client's secret; the new one is printed once.
    RotateSecret {
        client_id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ClientAddArgs {
    #[arg(long)]
    name: String,
    /// Default: a random id.
    #[arg(long)]
    client_id: Option<String>,
    /// A public client (no secret; SPAs and native apps).
    #[arg(long)]
    public: bool,
    /// Allowed grants: authorization_code, refresh_token, client_credentials, password (legacy).
    #[arg(long = "grant", default_values = ["authorization_code", "refresh_token"])]
    grants: Vec<String>,
    #[arg(long = "scope")]
    scopes: Vec<String>,
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    #[arg(long)]
    audience: Option<String>,
    #[arg(long)]
    first_party: bool,
    /// The client's logo on the consent page (RFC 7591 `logo_uri`): an https URL.
    #[arg(long)]
    logo_uri: Option<String>,
    /// Print `{"client_id","client_secret"}` for scripts.
    #[arg(long)]
    json: bool,
}

pub(super) async fn client(cmd: ClientCommand, state: &AppState) -> anyhow::Result<()> {
    let (actor, now) = (Actor::cli(), state.now());
    match cmd {
        ClientCommand::Add(args) => {
            let kind = if args.public {
                ClientKind::Public
            } else {
                ClientKind::Confidential
            };
            let input = ClientInput {
                name: args.name,
                redirect_uris: args.redirect_uris.join("\n"),
                post_logout_redirect_uris: String::new(),
                grant_types: args.grants,
                scopes: args.scopes.join(" "),
                audience: args.audience.unwrap_or_default(),
                access_token_lifetime: String::new(),
                refresh_token_lifetime: String::new(),
                logo_uri: args.logo_uri.unwrap_or_default(),
                first_party: args.first_party,
            };
            let client_id = args.client_id.unwrap_or_default();
            let registered =
                admin_clients::create_client(state, &actor, &client_id, kind, &input, now)
                    .await
                    .map_err(admin_failure)?;
            let secret = registered.secret.as_ref().map(|s| s.expose().to_owned());
            print_credentials(&registered.client_id, secret.as_deref(), args.json);
        }
        ClientCommand::List => {
            for c in store::clients::list(&state.db).await? {
                let active = if c.is_active { "active" } else { "disabled" };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.client_id, c.name, c.kind, c.grant_types, active
                );
            }
        }
        ClientCommand::RotateSecret { client_id, json } => {
            let secret = admin_clients::rotate_secret(state, &actor, &client_id, now)
                .await
                .map_err(admin_failure)?;
            print_credentials(&client_id, Some(secret.expose()), json);
        }
    }
    Ok(())
}

fn print_credentials(client_id: &str, secret: Option<&str>, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::json!({ "client_id": client_id, "client_secret": secret })
        );
        return;
    }
    println!("client_id:     {client_id}");
    if let Some(secret) = secret {
        println!("client_secret: {secret}");
        eprintln!("(the secret is shown once; store it now)");
    }
}
