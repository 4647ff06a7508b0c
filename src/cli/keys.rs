//! `sesame keys`: rotate, list, retire. The first key is made by `sesame serve` or
//! `sesame migrate`; every change goes through the admin UI's domain functions (same rules, same
//! audit trail, the CLI as the actor).

use anyhow::bail;
use clap::Subcommand;

use super::admin_failure;
use crate::auth::admin::keys::{self as admin_keys, Retirement};
use crate::auth::audit::Actor;
use crate::crypto::keys::Algorithm;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a key that is published now and signs after `jwks_max_age`.
    Rotate {
        /// The new key's algorithm; by default the signing key's. Another one changes the
        /// algorithm of every token signed from the key's activation on, so it also needs
        /// `--change-algorithm`.
        #[arg(long)]
        alg: Option<Algorithm>,
        #[arg(long)]
        change_algorithm: bool,
    },
    List,
    /// Stop publishing a key (once every token it signed has expired).
    Retire {
        kid: String,
    },
}

pub(super) async fn keys_command(cmd: KeysCommand, state: &AppState) -> anyhow::Result<()> {
    let (actor, now) = (Actor::cli(), state.now());
    match cmd {
        KeysCommand::Rotate {
            alg,
            change_algorithm,
        } => {
            // The published keys sign ID tokens in every mode; under HS* the secret is a setting.
            let signing = state.keys().id_token_algorithm(now);
            let alg = alg.unwrap_or(signing);
            if alg != signing && !change_algorithm {
                bail!(
                    "the server signs with {signing}; a {alg} key would switch every new token to \
                     {alg} once it activates, and resource servers that expect {signing} would \
                     refuse them. Nothing was changed. To switch, add --change-algorithm (and set \
                     algorithm = \"{alg}\" in the settings)"
                );
            }
            let info = admin_keys::rotate_key(state, &actor, alg, now)
                .await
                .map_err(admin_failure)?;
            let from = info.activates_at.unwrap_or(now);
            println!(
                "published {} key {}; it signs from {from}",
                info.alg, info.kid
            );
            if alg != signing {
                println!("from then on tokens are signed with {alg}, not {signing}");
            }
        }
        KeysCommand::List => {
            for row in admin_keys::list_keys(state, now)
                .await
                .map_err(admin_failure)?
            {
                let k = &row.info;
                let from = k.activates_at.unwrap_or(k.created_at);
                let retire = match row.retirement {
                    Retirement::Allowed => "can be retired".to_owned(),
                    Retirement::After(at) => format!("can be retired after {at}"),
                    Retirement::SignsNow | Retirement::AlreadyRetired => String::new(),
                };
                println!(
                    "{}\t{}\t{:?}\tcreated {}\tsigns from {from}\t{retire}",
                    k.kid, k.alg, k.status, k.created_at
                );
            }
        }
        KeysCommand::Retire { kid } => {
            admin_keys::retire_key(state, &actor, &kid, now)
                .await
                .map_err(admin_failure)?;
            println!("retired {kid}");
        }
    }
    Ok(())
}
