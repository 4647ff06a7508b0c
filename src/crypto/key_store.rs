//! The key ring in the database (SPEC §4, §6): every instance on one database signs and verifies
//! with the same keys. Each private part is sealed under the key-encryption key; every write moves
//! the ring's version in its own transaction. Loading, listing, adding (generate, rotate) and
//! retiring keys happen here; `KeyRing` only holds what was loaded.

mod first_start;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use zeroize::Zeroizing;

use super::algorithm::Algorithm;
use super::key_encryption::KeyEncryptionKey;
use super::key_error::KeyError;
use super::key_info::{self, KeyInfo, KeyUse, OpenedKey, Schedule};
use super::keys::KeyRing;
use super::material;
use crate::entities::signing_keys::Model as Row;
use crate::store::WriteGate;
use crate::store::signing_keys as rows;

pub use first_start::{Started, start};

/// How the ring is used, from the settings.
#[derive(Clone, Copy, Debug)]
pub struct Modes<'a> {
    /// The configured algorithm; HS* means `hmac_secret` signs access and refresh tokens.
    pub algorithm: Algorithm,
    /// The asymmetric algorithm of the key generated for ID tokens when `algorithm` is HS*.
    pub id_token_algorithm: Algorithm,
    /// The HS* secret (`signing_key`).
    pub hmac_secret: Option<&'a [u8]>,
}

/// A ring as loaded, with the version it was read at.
#[derive(Debug)]
pub struct LoadedRing {
    pub ring: KeyRing,
    /// The `key_ring` version read before the keys: a change after it moves the version past it.
    pub version: i64,
}

/// The ring's version (0 before its first key): one row, cheap enough to read every second.
///
/// # Errors
/// The database's.
pub async fn version<C: ConnectionTrait>(db: &C) -> Result<i64, KeyError> {
    Ok(rows::version(db).await?)
}

/// Loads the ring: reads the version, then every key, opens the live ones with `kek`.
///
/// # Errors
/// [`KeyError::EmptyRing`] before `serve` or `migrate` made one; [`KeyError::WrongKek`] when a
/// key does not open; what [`KeyRing`] refuses.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    kek: &KeyEncryptionKey,
    modes: Modes<'_>,
) -> Result<LoadedRing, KeyError> {
    let version = rows::version(db).await?;
    let all = rows::all(db).await?;
    if all.is_empty() {
        return Err(KeyError::EmptyRing);
    }
    let ring = open_ring(&all, kek, modes)?;
    Ok(LoadedRing { ring, version })
}

/// Every published key (retired ones too), oldest first, with its status at `now`.
///
/// # Errors
/// The database's, or a row whose columns do not parse.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<KeyInfo>, KeyError> {
    let published = published(&rows::all(db).await?)?;
    Ok(key_info::describe(&published, now))
}

/// Adds a new key of `alg`, published at once but signing only from `now + publish_ahead`, so
/// JWKS caches learn it before the first token it signs appears. It signs at once if the ring
/// has no signing key.
///
/// # Errors
/// [`KeyError::SymmetricKeyNotStored`] for HS*; [`KeyError::BadDuration`]; the database's.
pub async fn rotate(
    db: &DatabaseConnection,
    writes: &WriteGate,
    kek: &KeyEncryptionKey,
    alg: Algorithm,
    now: DateTime<Utc>,
    publish_ahead: Duration,
) -> Result<KeyInfo, KeyError> {
    let ahead = chrono::Duration::from_std(publish_ahead).map_err(|_| KeyError::BadDuration)?;
    let activates_at = now.checked_add_signed(ahead).ok_or(KeyError::BadDuration)?;
    add_key(db, writes, kek, alg, now, Some(activates_at)).await
}

/// Adds a new key of `alg` that is published only, never scheduled to sign; it signs at once if
/// the ring has no signing key.
///
/// # Errors
/// As [`rotate`].
pub async fn generate_key(
    db: &DatabaseConnection,
    writes: &WriteGate,
    kek: &KeyEncryptionKey,
    alg: Algorithm,
    now: DateTime<Utc>,
) -> Result<KeyInfo, KeyError> {
    add_key(db, writes, kek, alg, now, None).await
}

/// Retires `kid`: it leaves the JWKS and stops verifying at each instance's next load. Refuses
/// the key that signs at `now`; retiring a retired key changes nothing.
///
/// # Errors
/// [`KeyError::UnknownKid`], [`KeyError::CannotRetireSigningKey`], the database's.
pub async fn retire(
    db: &DatabaseConnection,
    writes: &WriteGate,
    kid: &str,
    now: DateTime<Utc>,
) -> Result<KeyInfo, KeyError> {
    let txn = writes.begin(db).await?;
    let ring = published(&rows::all(txn.conn()).await?)?;
    if !ring.iter().any(|key| key.kid == kid) {
        return Err(KeyError::UnknownKid(kid.to_owned()));
    }
    if key_info::active_kid(&ring, now) == Some(kid) {
        return Err(KeyError::CannotRetireSigningKey(kid.to_owned()));
    }
    if rows::retire(txn.conn(), kid, now).await? {
        rows::bump_version(txn.conn(), now).await?;
    }
    let after = published(&rows::all(txn.conn()).await?)?;
    txn.commit().await?;
    key_info::describe(&after, now)
        .into_iter()
        .find(|key| key.kid == kid)
        .ok_or_else(|| KeyError::UnknownKid(kid.to_owned()))
}

async fn add_key(
    db: &DatabaseConnection,
    writes: &WriteGate,
    kek: &KeyEncryptionKey,
    alg: Algorithm,
    now: DateTime<Utc>,
    activates_at: Option<DateTime<Utc>>,
) -> Result<KeyInfo, KeyError> {
    // Before the transaction, which holds SQLite's one writer.
    let (pem, kid) = new_pem(alg).await?;
    let txn = writes.begin(db).await?;
    let ring = published(&rows::all(txn.conn()).await?)?;
    let activates_at = if key_info::has_signer(&ring) {
        activates_at
    } else {
        Some(now)
    };
    let schedule = Schedule {
        kid,
        alg,
        created_at: now,
        activates_at,
        retired_at: None,
    };
    rows::insert(txn.conn(), seal(kek, &schedule, KeyUse::Signature, &pem)?).await?;
    rows::bump_version(txn.conn(), now).await?;
    let after = published(&rows::all(txn.conn()).await?)?;
    txn.commit().await?;
    key_info::describe(&after, now)
        .into_iter()
        .find(|key| key.kid == schedule.kid)
        .ok_or_else(|| KeyError::UnknownKid(schedule.kid.clone()))
}

/// A new PKCS#8 PEM private key of `alg` and its `kid`, made on a blocking thread: RSA
/// generation takes a good part of a second.
async fn new_pem(alg: Algorithm) -> Result<(Zeroizing<Vec<u8>>, String), KeyError> {
    if alg.is_symmetric() {
        return Err(KeyError::SymmetricKeyNotStored(alg));
    }
    let material_err = move |source| KeyError::KeyMaterial { alg, source };
    let pem = tokio::task::spawn_blocking(move || material::generate_pem(alg))
        .await
        .map_err(|err| material_err(err.into()))?
        .map_err(material_err)?;
    let pem = Zeroizing::new(pem);
    let kid = material::from_pem(alg, &pem).map_err(material_err)?.kid;
    Ok((pem, kid))
}

/// The row of a key: its schedule, and `secret` sealed under `kek` with the `kid` as associated
/// data. A key enters the JWKS when it is added.
fn seal(
    kek: &KeyEncryptionKey,
    schedule: &Schedule,
    key_use: KeyUse,
    secret: &[u8],
) -> Result<Row, KeyError> {
    let sealed = kek.seal(&schedule.kid, secret)?;
    Ok(Row {
        kid: schedule.kid.clone(),
        alg: schedule.alg.as_str().to_owned(),
        key_use: key_use.as_str().to_owned(),
        created_at: schedule.created_at,
        publishes_at: schedule.created_at,
        activates_at: schedule.activates_at,
        retired_at: schedule.retired_at,
        nonce: sealed.nonce,
        ciphertext: sealed.ciphertext,
    })
}

/// A row's schedule and use, without opening it.
fn schedule(row: &Row) -> Result<(Schedule, KeyUse), KeyError> {
    let malformed = |what: String| KeyError::MalformedStoredKey {
        kid: row.kid.clone(),
        source: what.into(),
    };
    let alg = row
        .alg
        .parse()
        .map_err(|_| malformed(format!("unknown alg {:?}", row.alg)))?;
    let key_use = KeyUse::parse(&row.key_use)
        .ok_or_else(|| malformed(format!("unknown use {:?}", row.key_use)))?;
    let schedule = Schedule {
        kid: row.kid.clone(),
        alg,
        created_at: row.created_at,
        activates_at: row.activates_at,
        retired_at: row.retired_at,
    };
    Ok((schedule, key_use))
}

/// The schedules of the published (`sig`) keys, in the ring's order.
fn published(all: &[Row]) -> Result<Vec<Schedule>, KeyError> {
    let mut published = Vec::new();
    for row in all {
        let (schedule, key_use) = schedule(row)?;
        if key_use == KeyUse::Signature {
            published.push(schedule);
        }
    }
    Ok(published)
}

/// Opens every live key of `all` with `kek` and builds the ring.
fn open_ring(all: &[Row], kek: &KeyEncryptionKey, modes: Modes<'_>) -> Result<KeyRing, KeyError> {
    let mut opened = Vec::new();
    for row in all.iter().filter(|row| row.retired_at.is_none()) {
        let (schedule, key_use) = schedule(row)?;
        let secret = kek
            .open(&row.kid, &row.nonce, &row.ciphertext)
            .map_err(|_| KeyError::WrongKek {
                from: kek.source().clone(),
                kid: row.kid.clone(),
            })?;
        opened.push(OpenedKey {
            schedule,
            key_use,
            secret,
        });
    }
    KeyRing::from_keys(&opened, modes.algorithm, modes.hmac_secret)
}

#[cfg(test)]
#[path = "key_store_tests.rs"]
mod tests;
