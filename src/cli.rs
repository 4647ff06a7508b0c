//! Command-line interface: `serve`, `migrate`, and the operator commands for users, clients, keys
//! and tokens. Uses `anyhow`: this is start-up and tooling code, not the request path.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::auth::accounts::{self, NewAccount};
use crate::auth::audit::Actor;
use crate::auth::clients::{self, ClientKind, ClientRegistration, GrantType};
use crate::auth::django_import;
use crate::clock::{Clock, SharedClock, SystemClock};
use crate::config::Config;
use crate::crypto::keys::{self, Algorithm};
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

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Move users in from a Django database's `auth_user` table, keeping ids and password
    /// hashes (pbkdf2_sha256 hashes are upgraded to argon2id at each user's next login).
    Django {
        /// The Django database: `sqlite:///path/db.sqlite3?mode=ro` or `postgres://...`.
        #[arg(long)]
        database: String,
        /// The user table (a custom user model's, e.g. `accounts_user`).
        #[arg(long, default_value = "auth_user")]
        table: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from the first line of standard input.
    Add {
        username: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Give the `admin` role (opens the admin UI).
        #[arg(long)]
        admin: bool,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Set a password (read from standard input) and revoke the user's refresh tokens.
    Passwd { username: String },
    /// List users.
    List,
    /// Deactivate a user and revoke their refresh tokens.
    Deactivate { username: String },
}

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

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a key (active at once if the ring is empty).
    Generate {
        #[arg(long, default_value = "RS256")]
        alg: Algorithm,
    },
    /// Add a key that is published now and signs after `jwks_max_age`.
    Rotate {
        #[arg(long)]
        alg: Option<Algorithm>,
    },
    List,
    /// Stop publishing a key (once every token it signed has expired).
    Retire {
        kid: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Delete expired refresh-token, revocation, session, authorization-code and login-attempt
    /// rows, in batches.
    Flush {
        #[arg(long, default_value_t = 1000)]
        batch: u64,
    },
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            let db = store::connect(config.database_url.expose(), None).await?;
            store::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User(cmd) => user(cmd, &open(config).await?).await,
        Command::Client(cmd) => client(cmd, &open(config).await?).await,
        Command::Keys(cmd) => keys_command(cmd, &config),
        Command::Tokens(TokensCommand::Flush { batch }) => flush(&open(config).await?, batch).await,
        Command::Import(ImportCommand::Django { database, table }) => {
            import_django(&open(config).await?, &database, &table).await
        }
    }
}

async fn import_django(state: &AppState, database: &str, table: &str) -> anyhow::Result<()> {
    // Not store::connect: that would switch a Django SQLite file to WAL mode.
    let mut options = sea_orm::ConnectOptions::new(database);
    options.sqlx_logging(false).max_connections(1);
    let source = sea_orm::Database::connect(options)
        .await
        .context("connecting to the Django database")?;
    let report = django_import::import_django_users(state, &source, table, state.now()).await?;
    for (username, why) in &report.skipped {
        eprintln!("skipped {username}: {why}");
    }
    for (username, what) in &report.adjusted {
        eprintln!("imported {username} without its {what}, which another user holds");
    }
    for username in &report.unverifiable {
        eprintln!("imported {username}, whose password hash Sesame cannot verify: reset it");
    }
    println!(
        "imported {} users, skipped {}",
        report.imported,
        report.skipped.len()
    );
    Ok(())
}

/// Connects, migrates and loads the key ring: the state the operator commands share.
async fn open(config: Config) -> anyhow::Result<AppState> {
    server::build_state(config, None, SharedClock::default()).await
}

fn read_password() -> anyhow::Result<String> {
    eprint!("password (one line on standard input): ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("empty password");
    }
    Ok(password)
}

async fn find_user(state: &AppState, username: &str) -> anyhow::Result<i64> {
    store::users::find_by_username(&state.db, username)
        .await?
        .map(|u| u.id)
        .with_context(|| format!("no user `{username}`"))
}

async fn user(cmd: UserCommand, state: &AppState) -> anyhow::Result<()> {
    let now = state.now();
    match cmd {
        UserCommand::Add {
            username,
            email,
            phone,
            admin,
            mut roles,
        } => {
            if admin && !roles.iter().any(|r| r == "admin") {
                roles.push("admin".into());
            }
            let password = read_password()?;
            let account = NewAccount {
                username,
                password,
                email,
                phone,
                roles,
                display_name: None,
            };
            let user = accounts::create_user(state, account, now).await?;
            println!("created user {} (id {})", user.username, user.id);
        }
        UserCommand::Passwd { username } => {
            let id = find_user(state, &username).await?;
            accounts::set_password(state, &Actor::system(), id, &read_password()?, now).await?;
            println!("password changed; refresh tokens of {username} revoked");
        }
        UserCommand::List => {
            let (users, total) = store::users::list(&state.db, None, 0, u64::MAX >> 1).await?;
            for u in users {
                let active = if u.is_active { "active" } else { "inactive" };
                let email = u.email.unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id, u.username, email, u.roles, active
                );
            }
            eprintln!("{total} users");
        }
        UserCommand::Deactivate { username } => {
            let id = find_user(state, &username).await?;
            accounts::deactivate_user(state, &Actor::system(), id, now).await?;
            println!("deactivated {username}; refresh tokens revoked");
        }
    }
    Ok(())
}

async fn client(cmd: ClientCommand, state: &AppState) -> anyhow::Result<()> {
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

fn keys_command(cmd: KeysCommand, config: &Config) -> anyhow::Result<()> {
    let dir = &config.keys_dir;
    let now = SystemClock.now();
    match cmd {
        KeysCommand::Generate { alg } => {
            let info = keys::generate_key(dir, alg, now)?;
            println!("generated {} key {}", info.alg, info.kid);
        }
        KeysCommand::Rotate { alg } => {
            let alg = alg.unwrap_or(config.algorithm);
            let info = keys::rotate(dir, alg, now, config.jwks_max_age)?;
            let from = info.activates_at.unwrap_or(now);
            println!(
                "published {} key {}; it signs from {from}",
                info.alg, info.kid
            );
        }
        KeysCommand::List => {
            for k in keys::list(dir, now)? {
                let from = k.activates_at.unwrap_or(k.created_at);
                println!(
                    "{}\t{}\t{:?}\tcreated {}\tsigns from {from}",
                    k.kid, k.alg, k.status, k.created_at
                );
            }
        }
        KeysCommand::Retire { kid } => {
            keys::retire(dir, &kid, now)?;
            println!("retired {kid}");
        }
    }
    Ok(())
}

async fn flush(state: &AppState, batch: u64) -> anyhow::Result<()> {
    let now = state.now();
    let mut refresh = 0;
    loop {
        let deleted = store::refresh_tokens::delete_expired(&state.db, now, batch).await?;
        refresh += deleted;
        if deleted < batch {
            break;
        }
        // Let other writers in between batches.
        tokio::task::yield_now().await;
    }
    let mut revocations = 0;
    loop {
        let deleted = store::revocations::delete_expired(&state.db, now, batch).await?;
        revocations += deleted;
        if deleted < batch {
            break;
        }
        tokio::task::yield_now().await;
    }
    println!("deleted {refresh} expired refresh tokens and {revocations} expired revocations");
    flush_browser(state, now, batch).await
}

/// Deletes expired sessions, authorization codes no longer worth remembering and login attempts
/// the throttle has forgotten (issue 4).
async fn flush_browser(
    state: &AppState,
    now: chrono::DateTime<chrono::Utc>,
    batch: u64,
) -> anyhow::Result<()> {
    let db = &state.db;
    let sessions = drain(batch, || store::sessions::delete_expired(db, now, batch)).await?;
    // A used code is kept while the refresh tokens it issued live, so a late replay still
    // revokes them.
    let keep = chrono::Duration::from_std(state.config.refresh_token_lifetime)?;
    let codes = drain(batch, || {
        store::authorization_codes::delete_expired(db, now - keep, batch)
    })
    .await?;
    let forget = chrono::Duration::from_std(crate::auth::throttle::RETENTION)?;
    let attempts = drain(batch, || {
        store::login_attempts::delete_older_than(db, now - forget, batch)
    })
    .await?;
    println!(
        "deleted {sessions} expired sessions, {codes} old authorization codes and {attempts} old login attempts"
    );
    Ok(())
}

/// Runs `delete` until it deletes fewer than `batch` rows, yielding between batches.
async fn drain<F, Fut>(batch: u64, mut delete: F) -> anyhow::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, sea_orm::DbErr>>,
{
    let mut total = 0;
    loop {
        let deleted = delete().await?;
        total += deleted;
        if deleted < batch {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
