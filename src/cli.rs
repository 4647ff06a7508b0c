//! Command-line interface: `serve`, `migrate`, and the operator commands for users, clients, keys
//! and tokens. Uses `anyhow`: this is start-up and tooling code, not the request path.

mod clients;
mod import;
mod keys;
mod tokens;
mod users;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use self::clients::{ClientAddArgs, ClientCommand};
pub use self::import::ImportCommand;
pub use self::keys::KeysCommand;
pub use self::tokens::TokensCommand;
pub use self::users::UserCommand;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::state::AppState;
use crate::{server, store};

#[derive(Debug, Parser)]
#[command(
    name = "sesame",
    version,
    about = "OAuth 2.0 / OpenID Connect authorization server"
)]
pub struct Cli {
    /// Settings file (optional; `SESAME_*` environment variables override it).
    #[arg(
        long,
        global = true,
        default_value = "sesame.toml",
        env = "SESAME_CONFIG"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, create a signing key if there is none, and serve.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    #[command(subcommand)]
    User(UserCommand),
    #[command(subcommand)]
    Client(ClientCommand),
    #[command(subcommand)]
    Keys(KeysCommand),
    #[command(subcommand)]
    Tokens(TokensCommand),
    #[command(subcommand)]
    Import(ImportCommand),
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            let db = store::open::open(
                config.database_url.expose(),
                None,
                config.database_acquire_timeout,
            )
            .await?;
            store::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User(cmd) => users::user(cmd, &open(config).await?).await,
        Command::Client(cmd) => clients::client(cmd, &open(config).await?).await,
        Command::Keys(cmd) => keys::keys_command(cmd, &config),
        Command::Tokens(TokensCommand::Flush { batch }) => {
            tokens::flush(&open(config).await?, batch).await
        }
        Command::Import(ImportCommand::Django { database, table }) => {
            import::import_django(&open(config).await?, &database, &table).await
        }
    }
}

/// Connects, migrates and loads the key ring: the state the operator commands share.
async fn open(config: Config) -> anyhow::Result<AppState> {
    server::build_state(config, None, SharedClock::default()).await
}
