//! `sesame client`: register, list, rotate a secret.

use clap::{Args, Subcommand};

use crate::auth::clients::{self, ClientKind, ClientRegistration, GrantType};
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
    /// Print `{"client_id","client_secret"}` for scripts.
    #[arg(long)]
    json: bool,
}

pub(super) async fn client(cmd: ClientCommand, state: &AppState) -> anyhow::Result<()> {
    match cmd {
        ClientCommand::Add(args) => {
            let grant_types = args
                .grants
                .iter()
                .map(|g| {
                    g.parse::<GrantType>()
                        .map_err(|_| anyhow::anyhow!("unknown grant `{g}`"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let registration = ClientRegistration {
                client_id: args.client_id,
                name: args.name,
                kind: if args.public {
                    ClientKind::Public
                } else {
                    ClientKind::Confidential
                },
                redirect_uris: args.redirect_uris,
                grant_types,
                scopes: args.scopes,
                audience: args.audience,
                first_party: args.first_party,
            };
            let registered = clients::register_client(state, registration, state.now()).await?;
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
            let secret = clients::rotate_client_secret(state, &client_id).await?;
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
