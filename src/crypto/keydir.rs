//! The key directory of earlier versions, read once to import it into an empty ring: one PKCS#8
//! PEM private key per file, the `keyring.json` manifest recording each key's lifecycle, and
//! `refresh.key`, the internal HMAC key for refresh tokens. Nothing here writes: after the import
//! the files are a backup the operator may remove.

use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::algorithm::Algorithm;
use super::key_error::KeyError;
use super::key_info::Schedule;
use super::material;

const MANIFEST: &str = "keyring.json";
const REFRESH_KEY: &str = "refresh.key";
/// The refresh key's minimum length: HS256's (RFC 7518 §3.2).
pub(super) const REFRESH_KEY_LEN: usize = 32;

/// `keyring.json`: the keys in creation order.
#[derive(Debug, Default, Deserialize)]
struct Manifest {
    #[serde(default)]
    keys: Vec<Entry>,
}

/// One key of the manifest.
#[derive(Debug, Clone, Deserialize)]
struct Entry {
    kid: String,
    alg: Algorithm,
    file: String,
    created_at: DateTime<Utc>,
    activates_at: Option<DateTime<Utc>>,
    retired_at: Option<DateTime<Utc>>,
}

/// A key of the directory, checked against its `kid`.
pub(super) struct LegacyKey {
    pub schedule: Schedule,
    pub pem: Zeroizing<Vec<u8>>,
}

/// What a key directory holds; empty when there is none.
pub(super) struct LegacyDir {
    pub keys: Vec<LegacyKey>,
    pub refresh: Option<Zeroizing<Vec<u8>>>,
}

/// Reads the keys of `dir` in manifest order, each parsed and checked against its recorded `kid`
/// (RFC 7638 thumbprint), and `refresh.key`. A retired key whose file is gone is left out: it
/// would neither sign nor verify.
///
/// # Errors
/// A malformed manifest, an unreadable or malformed key, a key file that is not the key its kid
/// names, a refresh key shorter than 32 bytes.
pub(super) fn read(dir: &Path) -> Result<LegacyDir, KeyError> {
    let mut keys = Vec::new();
    for entry in read_manifest(dir)?.keys {
        let Some(pem) = read_key_file(dir, &entry)? else {
            tracing::warn!(kid = %entry.kid, "a retired key's file is missing; not imported");
            continue;
        };
        keys.push(LegacyKey {
            schedule: Schedule {
                kid: entry.kid,
                alg: entry.alg,
                created_at: entry.created_at,
                activates_at: entry.activates_at,
                retired_at: entry.retired_at,
            },
            pem,
        });
    }
    Ok(LegacyDir {
        keys,
        refresh: read_refresh_key(dir)?,
    })
}

fn read_manifest(dir: &Path) -> Result<Manifest, KeyError> {
    let path = dir.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|source| KeyError::Manifest { path, source })
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(source) => Err(KeyError::Io { path, source }),
    }
}

/// The PEM of a manifest entry, checked against its kid; `None` for a retired key without a file.
fn read_key_file(dir: &Path, entry: &Entry) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    let path = dir.join(&entry.file);
    let malformed = |source| KeyError::MalformedKey {
        path: path.clone(),
        source,
    };
    // The manifest names files inside `dir`, nothing else.
    if Path::new(&entry.file).file_name() != Some(entry.file.as_ref()) {
        return Err(malformed(
            "key file must be a plain file name inside the key directory".into(),
        ));
    }
    let pem = match fs::read(&path) {
        Ok(pem) => Zeroizing::new(pem),
        Err(err) if err.kind() == io::ErrorKind::NotFound && entry.retired_at.is_some() => {
            return Ok(None);
        }
        Err(source) => return Err(KeyError::Io { path, source }),
    };
    let material = material::from_pem(entry.alg, &pem).map_err(malformed)?;
    if material.kid != entry.kid {
        let mismatch = format!("thumbprint {} is not kid {}", material.kid, entry.kid);
        return Err(malformed(mismatch.into()));
    }
    Ok(Some(pem))
}

/// `refresh.key`, or `None` when there is none.
fn read_refresh_key(dir: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    let path = dir.join(REFRESH_KEY);
    let key = match fs::read(&path) {
        Ok(key) => Zeroizing::new(key),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(KeyError::Io { path, source }),
    };
    if key.len() < REFRESH_KEY_LEN {
        return Err(KeyError::MalformedKey {
            path,
            source: format!("{} bytes; {REFRESH_KEY_LEN} required", key.len()).into(),
        });
    }
    Ok(Some(key))
}
