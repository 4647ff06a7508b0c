//! Command-line interface: `serve`, `migrate`, and the operator commands for users, clients, keys
//! and tokens. Uses `anyhow`: this is start-up and tooling code, not the request path.

mod clients;
mod import;
mod keys;
pub mod progress;
mod tokens;
mod users;

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser, Subcommand};
use migration::MigratorTrait;

pub use self::clients::{ClientAddArgs, ClientCommand};
pub use self::import::ImportCommand;
pub use self::keys::KeysCommand;
pub use self::tokens::TokensCommand;
pub use self::users::UserCommand;
use crate::auth::admin::AdminError;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::crypto::key_encryption::MASTER_KEY_FILE;
use crate::crypto::key_store;
use crate::crypto::keys::KeyError;
use crate::state::AppState;
use crate::views::PageLanguage;
use crate::views::admin::messages::{self, FieldMessages};
use crate::{server, store};

#[derive(Debug, Parser)]
#[command(
    name = "sesame",
    version,
    about = "OAuth 2.0 / OpenID Connect authorization server"
)]
pub struct Cli {
    /// Settings file; `SESAME_*` environment variables override it. Without this option
    /// `./sesame.toml` is read if it exists; a file named here must exist.
    #[arg(long, global = true, env = "SESAME_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The settings file to read: the one named, or `sesame.toml` (which may be absent).
    ///
    /// # Errors
    /// A file named with `--config` or `SESAME_CONFIG` that does not exist: a typo there would
    /// otherwise run on the defaults, against a new database.
    pub fn settings_file(&self) -> anyhow::Result<PathBuf> {
        match &self.config {
            Some(named) if !named.exists() => bail!(
                "the settings file {} does not exist (named by --config or SESAME_CONFIG)",
                named.display()
            ),
            Some(named) => Ok(named.clone()),
            None => Ok(PathBuf::from(DEFAULT_SETTINGS_FILE)),
        }
    }
}

/// Read when no settings file is named, if it exists.
pub const DEFAULT_SETTINGS_FILE: &str = "sesame.toml";

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
    /// Print a shell completion script (`sesame completions bash > /etc/bash_completion.d/sesame`).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff) on standard output (`sesame man > sesame.1`).
    Man,
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            let url = config.database_url.expose();
            eprintln!("database: {}", store::availability::redacted_url(url));
            let db = store::open::open(url, None, config.database_acquire_timeout).await?;
            store::migrate(&db, &progress::Reporter::for_stderr()).await?;
            println!("migrations applied");
            let now = SharedClock::default().now();
            let started = server::init_keys(&db, &config, now).await?;
            let keys = &started.ring.ring;
            println!(
                "signing key {} ({}) in the database, sealed with {}",
                keys.signing_key_id(now),
                keys.id_token_algorithm(now),
                started.kek.source()
            );
            Ok(())
        }
        Command::User(cmd) => users::user(cmd, &open(config).await?).await,
        Command::Client(cmd) => clients::client(cmd, &open(config).await?).await,
        Command::Keys(cmd) => keys::keys_command(cmd, &open(config).await?).await,
        Command::Tokens(TokensCommand::Flush { batch }) => {
            tokens::flush(&open(config).await?, batch).await
        }
        Command::Import(ImportCommand::Django {
            database,
            table,
            renumber,
        }) => import::import_django(&open(config).await?, &database, &table, renumber).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "sesame", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => Ok(clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?),
    }
}

/// Opens the installation `serve` made, for the operator commands: the database must exist and be
/// migrated, and the keys must be there. Nothing is created: run from the wrong directory, a
/// command that made a new database and key would look like it worked on the real one.
///
/// # Errors
/// A missing SQLite file, an unmigrated database or a missing key ring, each with what to do.
async fn open(config: Config) -> anyhow::Result<AppState> {
    let url = config.database_url.expose();
    eprintln!("database: {}", store::availability::redacted_url(url));
    if let Some(file) = store::availability::sqlite_path(url).filter(|file| !file.exists()) {
        bail!(
            "there is no database at {}: operator commands do not create one. Run this where \
             `sesame serve` runs (or pass its --config / SESAME_DATABASE_URL), or create a new \
             installation with `sesame migrate`",
            file.display()
        );
    }
    let db = store::open::open(
        url,
        config.database_max_connections,
        config.database_acquire_timeout,
    )
    .await?;
    let pending = migration::Migrator::get_pending_migrations(&db).await?;
    if !pending.is_empty() {
        bail!(
            "the database is missing {} migrations: run `sesame migrate` first",
            pending.len()
        );
    }
    let kek = config
        .key_encryption_key()
        .context("reading the key-encryption key")?
        .ok_or_else(|| KeyError::NoKek(config.keys_dir.join(MASTER_KEY_FILE)))
        .context(
            "operator commands do not create a key-encryption key: run this where `sesame serve` \
             runs, with its settings",
        )?;
    let ring = key_store::load(&db, &kek, config.key_modes())
        .await
        .context("loading the key ring (operator commands do not create keys)")?;
    Ok(AppState::new(
        db,
        config,
        ring,
        kek,
        None,
        SharedClock::default(),
    ))
}

/// The CLI's wording of a refusal from the admin domain, in English (the catalogues' words):
/// every field's message, one per line.
fn admin_failure(err: AdminError) -> anyhow::Error {
    match err {
        AdminError::Invalid(fields) => {
            let lines: Vec<String> = FieldMessages::new(&fields, PageLanguage::En)
                .iter()
                .map(|(field, message)| format!("  {field}: {message}"))
                .collect();
            anyhow::anyhow!("refused:\n{}", lines.join("\n"))
        }
        AdminError::NotFound => anyhow::anyhow!("not found"),
        AdminError::Refused(why) => {
            anyhow::anyhow!("refused: {}", messages::refusal(&why, PageLanguage::En))
        }
        AdminError::Internal(err) => anyhow::Error::new(err),
    }
}
