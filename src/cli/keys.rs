//! `sesame keys`: generate, rotate, list, retire.

use clap::Subcommand;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::keys::{self, Algorithm};

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

pub(super) fn keys_command(cmd: KeysCommand, config: &Config) -> anyhow::Result<()> {
    let dir = &config.keys_dir;
    let now = SystemClock.now();
    match cmd {
        KeysCommand::Generate { alg } => {
            let info = keys::generate_key(dir, alg, now)?;
            println!("generated {} key {}", info.alg, info.kid);
        }
        KeysCommand::Rotate { alg } => {
            // In HS* mode the directory's keys sign ID tokens only; the secret is a setting.
            let default = if config.algorithm.is_symmetric() {
                config.id_token_algorithm
            } else {
                config.algorithm
            };
            let alg = alg.unwrap_or(default);
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
