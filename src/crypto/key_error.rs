//! The errors of loading and managing keys, apart from the ring so that the key directory and the
//! key material can name them without importing the ring.

use std::path::PathBuf;

use super::algorithm::Algorithm;
use super::material::BoxError;

/// What can go wrong loading or managing keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing a file of the key directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `keyring.json` is not valid.
    #[error("{}: malformed key manifest: {source}", path.display())]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// A key file does not hold a usable key of its algorithm, or not the key its `kid` names.
    #[error("{}: malformed key: {source}", path.display())]
    MalformedKey { path: PathBuf, source: BoxError },
    /// Generating or preparing key material failed.
    #[error("cannot build a {alg} key: {source}")]
    KeyMaterial { alg: Algorithm, source: BoxError },
    /// No key in the manifest has this `kid`.
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
    /// HS* keys cannot be generated into the key directory.
    #[error("{0} keys are the configured secret; they are never stored in the key directory")]
    SymmetricKeyNotStored(Algorithm),
    /// The directory has no key that can sign.
    #[error("{}: no key can sign; run `sesame keys generate`", .0.display())]
    NoSigningKey(PathBuf),
    /// The publish-ahead duration does not fit a timestamp.
    #[error("publish-ahead duration out of range")]
    BadDuration,
    /// The signature could not be computed.
    #[error("signing failed: {0}")]
    Sign(BoxError),
    /// Serializing the manifest or the JWKS failed.
    #[error("JSON encoding failed: {0}")]
    Json(serde_json::Error),
}
