//! `sesame user`: add, set a password, set roles, list, deactivate. Every change goes through the
//! admin UI's domain functions, so the same rules apply and the CLI is an actor in the audit log.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::Subcommand;

use super::admin_failure;
use crate::auth::admin::users::{self as admin_users, ADMIN_ROLE, ProfileInput};
use crate::auth::audit::Actor;
use crate::entities::users::Model;
use crate::state::AppState;
use crate::store;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. On a terminal the password is asked twice, hidden; otherwise it is the
    /// first line of standard input.
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
    /// Set a password (asked as for `add`) and revoke the user's refresh tokens.
    Passwd { username: String },
    /// Replace a user's roles (`--role admin --role staff`; none clears them).
    SetRoles {
        username: String,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Add roles to the ones a user has.
    Grant {
        username: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// List users.
    List,
    /// Deactivate a user and revoke their refresh tokens.
    Deactivate { username: String },
}

pub(super) async fn user(cmd: UserCommand, state: &AppState) -> anyhow::Result<()> {
    let (actor, now) = (Actor::cli(), state.now());
    match cmd {
        UserCommand::Add {
            username,
            email,
            phone,
            admin,
            mut roles,
        } => {
            if admin && !roles.iter().any(|r| r == ADMIN_ROLE) {
                roles.push(ADMIN_ROLE.into());
            }
            let profile = ProfileInput {
                email: email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
                roles: roles.join(" "),
                is_active: true,
                ..ProfileInput::default()
            };
            let password = read_password()?;
            let user = admin_users::create_user(state, &actor, &username, &password, &profile, now)
                .await
                .map_err(admin_failure)?;
            println!("created user {} (id {})", user.username, user.id);
        }
        UserCommand::Passwd { username } => {
            let user = find_user(state, &username).await?;
            let password = read_password()?;
            admin_users::reset_password(state, &actor, user.id, &password, now)
                .await
                .map_err(admin_failure)?;
            println!("password changed; refresh tokens of {username} revoked");
        }
        UserCommand::SetRoles { username, roles } => {
            let user = find_user(state, &username).await?;
            let roles = roles.join(" ");
            save(state, &actor, &user, |profile| {
                profile.roles.clone_from(&roles)
            })
            .await?;
            println!("roles of {username}: {roles}");
        }
        UserCommand::Grant { username, roles } => {
            let user = find_user(state, &username).await?;
            let mut all = user.roles();
            all.extend(roles.into_iter().filter(|r| !user.roles().contains(r)));
            let all = all.join(" ");
            save(state, &actor, &user, |profile| {
                profile.roles.clone_from(&all)
            })
            .await?;
            println!("roles of {username}: {all}");
        }
        UserCommand::List => list(state).await?,
        UserCommand::Deactivate { username } => {
            let user = find_user(state, &username).await?;
            save(state, &actor, &user, |profile| profile.is_active = false).await?;
            println!("deactivated {username}; refresh tokens revoked");
        }
    }
    Ok(())
}

async fn list(state: &AppState) -> anyhow::Result<()> {
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
    Ok(())
}

/// Saves `user`'s profile as the admin form shows it, with `change` applied.
async fn save(
    state: &AppState,
    actor: &Actor,
    user: &Model,
    change: impl FnOnce(&mut ProfileInput),
) -> anyhow::Result<()> {
    let mut profile = ProfileInput {
        display_name: user.display_name.clone().unwrap_or_default(),
        email: user.email.clone().unwrap_or_default(),
        phone: user.phone.clone().unwrap_or_default(),
        roles: user.roles().join(" "),
        is_active: user.is_active,
    };
    change(&mut profile);
    admin_users::update_user(state, actor, user.id, &profile, state.now())
        .await
        .map_err(admin_failure)
}

/// On a terminal: asked twice without echo, and the two must match. Otherwise the first line of
/// standard input, so scripts can pipe it.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let second = rpassword::prompt_password("password (again): ")?;
        if first != second {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("empty password");
    }
    Ok(password)
}

async fn find_user(state: &AppState, username: &str) -> anyhow::Result<Model> {
    store::users::find_by_username(&state.db, username)
        .await?
        .with_context(|| format!("no user `{username}`"))
}
