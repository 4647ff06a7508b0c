//! `sesame user`: add, set a password, list, deactivate.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::auth::accounts::{self, NewAccount};
use crate::auth::audit::Actor;
use crate::state::AppState;
use crate::store;

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

pub(super) async fn user(cmd: UserCommand, state: &AppState) -> anyhow::Result<()> {
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
