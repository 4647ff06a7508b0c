//! The errors of loading and managing keys, apart from the ring so that the key store, the key
//! directory import and the key material can name them without importing the ring.

use std::path::PathBuf;

use sea_orm::DbErr;

use super::algorithm::Algorithm;
use super::key_encryption::{KekError, KekSource, SealFailed};
use super::material::BoxError;

/// What can go wrong loading or managing keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading the ring or writing to it failed.
    #[error("the key ring in the database: {0}")]
    Database(#[from] DbErr),
    /// No key-encryption key could be had, or it is malformed.
    #[error(transparent)]
    Kek(#[from] KekError),
    /// The ring exists, and this instance has no key-encryption key to open it with.
    #[error(
        "the key ring in the database is sealed with a key-encryption key, and this instance has \
         none: set key_encryption_key (SESAME_KEY_ENCRYPTION_KEY) to the value the other instances \
         use, or restore the {} that created the ring. Nothing was generated",
        .0.display()
    )]
    NoKek(PathBuf),
    /// The ring was sealed under another key-encryption key (or a row was altered).
    #[error(
        "the key ring in the database cannot be opened with the key-encryption key from {from}: \
         key {kid} does not decrypt (it was sealed with another key-encryption key, or its row \
         was altered). Use the same \
         key_encryption_key as the other instances on this database, or restore the master.key \
         that created the ring. Nothing was generated"
    )]
    WrongKek { from: KekSource, kid: String },
    /// Sealing a key for the database failed.
    #[error(transparent)]
    Seal(#[from] SealFailed),
    /// Reading a file of the key directory being imported failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `keyring.json` of the key directory being imported is not valid.
    #[error("{}: malformed key manifest: {source}", path.display())]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// A key file does not hold a usable key of its algorithm, or not the key its `kid` names.
    #[error("{}: malformed key: {source}", path.display())]
    MalformedKey { path: PathBuf, source: BoxError },
    /// A row of the ring opened, but does not hold what its columns say.
    #[error("key {kid} of the ring: {source}")]
    MalformedStoredKey { kid: String, source: BoxError },
    /// Generating or preparing key material failed.
    #[error("cannot build a {alg} key: {source}")]
    KeyMaterial { alg: Algorithm, source: BoxError },
    /// No published key has this `kid`.
    #[error("no key with kid {0:?}")]
    UnknownKid(String),
    /// Retiring the key that signs now would leave tokens unverifiable mid-flight.
    #[error("key {0} signs tokens now; rotate to another key before retiring it")]
    CannotRetireSigningKey(String),
    /// An HMAC secret shorter than the hash output (RFC 7518 §3.2).
    #[error("{alg} needs a secret of at least {min} bytes (RFC 7518 §3.2), got {len}")]
    SecretTooShort {
        alg: Algorithm,
        min: usize,
        len: usize,
    },
    /// An HS* algorithm is configured without a secret.
    #[error("{0} is configured but no signing secret is set")]
    MissingSecret(Algorithm),
    /// HS* keys are the configured secret; the ring holds none.
    #[error("{0} keys are the configured secret; they are never stored in the key ring")]
    SymmetricKeyNotStored(Algorithm),
    /// The database has no key ring yet.
    #[error(
        "the database has no key ring yet: `sesame serve` or `sesame migrate` creates it \
         (operator commands never do)"
    )]
    EmptyRing,
    /// The ring has no key that can sign, or no refresh-token key.
    #[error("the key ring has no {0}")]
    Incomplete(&'static str),
    /// The publish-ahead duration does not fit a timestamp.
    #[error("publish-ahead duration out of range")]
    BadDuration,
    /// The signature could not be computed.
    #[error("signing failed: {0}")]
    Sign(BoxError),
    /// Serializing the JWKS failed.
    #[error("JSON encoding failed: {0}")]
    Json(serde_json::Error),
}
