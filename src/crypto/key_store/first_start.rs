//! What `serve` and `migrate` do with the ring at start: on an empty ring, import the key
//! directory of an earlier version (kids, times and the refresh key unchanged) or generate the
//! first keys, once however many instances start at the same time; on an existing ring, only
//! check that this instance's key-encryption key opens it.

use std::path::Path;

use chrono::{DateTime, Utc};
use rand::RngCore as _;
use rand::rngs::OsRng;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use zeroize::Zeroizing;

use super::{LoadedRing, Modes, Row, new_pem, open_ring, rows, seal};
use crate::crypto::algorithm::Algorithm;
use crate::crypto::key_encryption::{KeyEncryptionKey, MASTER_KEY_FILE};
use crate::crypto::key_error::KeyError;
use crate::crypto::key_info::{KeyUse, Schedule, has_signer};
use crate::crypto::keydir::{self, REFRESH_KEY_LEN};
use crate::crypto::material;

/// The ring this start ended with, and what it did to get it.
#[derive(Debug)]
pub struct Started {
    pub ring: LoadedRing,
    /// The KEK the ring opens with, for the instance's later loads and writes.
    pub kek: KeyEncryptionKey,
    /// Whether this start generated the signing key.
    pub generated: bool,
    /// How many keys of `keys_dir` (the refresh key included) this start imported.
    pub imported: usize,
}

/// Loads the ring, making it first if the database has none: under a lock held for the whole
/// transaction, so of instances starting at once one fills the ring and the others load it.
/// `configured` is the KEK of the setting or of an existing `keys_dir/master.key`; without one,
/// `master.key` is created, but only for a new ring.
///
/// # Errors
/// [`KeyError::NoKek`] or [`KeyError::WrongKek`] for an existing ring this instance cannot open
/// (nothing is written then); a key directory that cannot be imported; the database's.
pub async fn start(
    db: &DatabaseConnection,
    keys_dir: &Path,
    configured: Option<KeyEncryptionKey>,
    modes: Modes<'_>,
    now: DateTime<Utc>,
) -> Result<Started, KeyError> {
    let txn = db.begin().await?;
    rows::lock_ring(&txn, now).await?;
    let existing = rows::all(&txn).await?;
    let (kek, generated, imported) = if existing.is_empty() {
        let kek = match configured {
            Some(kek) => kek,
            None => KeyEncryptionKey::create_file(keys_dir)?,
        };
        let (generated, imported) = fill(&txn, keys_dir, &kek, modes, now).await?;
        (kek, generated, imported)
    } else {
        let kek = configured.ok_or_else(|| KeyError::NoKek(keys_dir.join(MASTER_KEY_FILE)))?;
        // Every key must open before anything is written: a wrong KEK writes nothing.
        prove(&kek, &existing)?;
        let generated = complete(&txn, &kek, modes, &existing, now).await?;
        (kek, generated, 0)
    };
    let version = rows::version(&txn).await?;
    let all = rows::all(&txn).await?;
    txn.commit().await?;
    let ring = open_ring(&all, &kek, modes)?;
    Ok(Started {
        ring: LoadedRing { ring, version },
        kek,
        generated,
        imported,
    })
}

/// Opens every key of `all`, retired ones too.
fn prove(kek: &KeyEncryptionKey, all: &[Row]) -> Result<(), KeyError> {
    for row in all {
        kek.open(&row.kid, &row.nonce, &row.ciphertext)
            .map_err(|_| KeyError::WrongKek {
                from: kek.source().clone(),
                kid: row.kid.clone(),
            })?;
    }
    Ok(())
}

/// Fills an empty ring from `keys_dir`, then [`complete`]s it; answers whether a signing key was
/// generated and how many keys were imported.
async fn fill(
    txn: &DatabaseTransaction,
    keys_dir: &Path,
    kek: &KeyEncryptionKey,
    modes: Modes<'_>,
    now: DateTime<Utc>,
) -> Result<(bool, usize), KeyError> {
    let legacy = keydir::read(keys_dir)?;
    let mut imported = 0;
    for key in &legacy.keys {
        rows::insert(txn, seal(kek, &key.schedule, KeyUse::Signature, &key.pem)?).await?;
        imported += 1;
    }
    if let Some(secret) = &legacy.refresh {
        // Refresh tokens signed before the import carry its kid: the key keeps it.
        insert_refresh_key(txn, kek, secret, now).await?;
        imported += 1;
    }
    if imported > 0 {
        tracing::info!(
            keys = imported,
            dir = %keys_dir.display(),
            "imported the key directory into the database; its files are now a backup"
        );
        rows::bump_version(txn, now).await?;
    }
    let all = rows::all(txn).await?;
    let generated = complete(txn, kek, modes, &all, now).await?;
    Ok((generated, imported))
}

/// Adds what a ring needs and lacks: a key that signs (of `algorithm`, or `id_token_algorithm`
/// under HS*, since relying parties verify ID tokens against the JWKS: OIDC Core §10.1) and the
/// refresh key. Answers whether it generated the signing key.
async fn complete(
    txn: &DatabaseTransaction,
    kek: &KeyEncryptionKey,
    modes: Modes<'_>,
    all: &[Row],
    now: DateTime<Utc>,
) -> Result<bool, KeyError> {
    let mut changed = false;
    let published = super::published(all)?;
    let generated = !has_signer(&published);
    if generated {
        let alg = if modes.algorithm.is_symmetric() {
            modes.id_token_algorithm
        } else {
            modes.algorithm
        };
        let (pem, kid) = new_pem(alg).await?;
        let schedule = Schedule {
            kid,
            alg,
            created_at: now,
            activates_at: Some(now),
            retired_at: None,
        };
        rows::insert(txn, seal(kek, &schedule, KeyUse::Signature, &pem)?).await?;
        changed = true;
    }
    let has_refresh = all
        .iter()
        .any(|row| row.retired_at.is_none() && row.key_use == KeyUse::Refresh.as_str());
    if !has_refresh {
        let mut secret = Zeroizing::new(vec![0u8; REFRESH_KEY_LEN]);
        OsRng.fill_bytes(&mut secret);
        insert_refresh_key(txn, kek, &secret, now).await?;
        changed = true;
    }
    if changed {
        rows::bump_version(txn, now).await?;
    }
    Ok(generated)
}

/// Seals and inserts the refresh-token key; its kid is its RFC 7638 thumbprint, as before.
async fn insert_refresh_key(
    txn: &DatabaseTransaction,
    kek: &KeyEncryptionKey,
    secret: &[u8],
    now: DateTime<Utc>,
) -> Result<(), KeyError> {
    let alg = Algorithm::HS256;
    let kid = material::from_secret(alg, secret)
        .map_err(|source| KeyError::KeyMaterial { alg, source })?
        .kid;
    let schedule = Schedule {
        kid,
        alg,
        created_at: now,
        activates_at: None,
        retired_at: None,
    };
    rows::insert(txn, seal(kek, &schedule, KeyUse::Refresh, secret)?).await?;
    Ok(())
}

#[cfg(test)]
#[path = "first_start_tests.rs"]
mod tests;
