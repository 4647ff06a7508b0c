//! The key directory (SPEC §6): one PKCS#8 PEM private key per file, the `keyring.json`
//! manifest recording each key's lifecycle, and `refresh.key`, the internal HMAC key for
//! refresh tokens. Every file is created with mode 0600. Generating, rotating, listing and
//! retiring keys happen here; `KeyRing` only reads.

use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::RngCore as _;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use super::algorithm::Algorithm;
use super::key_error::KeyError;
use super::material;

const MANIFEST: &str = "keyring.json";
const MANIFEST_TMP: &str = ".keyring.json.tmp";
const REFRESH_KEY: &str = "refresh.key";
const REFRESH_KEY_LEN: usize = 32;

/// `keyring.json`: the keys in creation order.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    #[serde(default)]
    pub keys: Vec<Entry>,
}

/// One key of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Entry {
    pub kid: String,
    pub alg: Algorithm,
    pub file: String,
    pub created_at: DateTime<Utc>,
    /// When the key starts signing; `None` for a key published but not scheduled to sign.
    pub activates_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// Where a key stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Signs new tokens (exactly one key at a time), and is published.
    Active,
    /// In the JWKS and verifies tokens, but does not sign: not yet active, or superseded.
    Published,
    /// Neither published nor accepted.
    Retired,
}

/// A key as `sesame keys list` shows it. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// RFC 7638 thumbprint of the public key.
    pub kid: String,
    pub alg: Algorithm,
    pub created_at: DateTime<Utc>,
    /// When it starts signing; `None` for a key published but not scheduled to sign.
    pub activates_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
    /// Where the key stands at the `now` it was listed with.
    pub status: KeyStatus,
}

/// Add a new key of `alg`. It signs at once if the ring has no signing key; otherwise it is
/// published only (use `rotate` to schedule a switch).
pub fn generate_key(dir: &Path, alg: Algorithm, now: DateTime<Utc>) -> Result<KeyInfo, KeyError> {
    add_key(dir, alg, now, None)
}

/// Add a new key of `alg`, published at once but signing only from `now + publish_ahead`, so
/// JWKS caches learn it before the first token it signs appears.
pub fn rotate(
    dir: &Path,
    alg: Algorithm,
    now: DateTime<Utc>,
    publish_ahead: Duration,
) -> Result<KeyInfo, KeyError> {
    let ahead = chrono::Duration::from_std(publish_ahead).map_err(|_| KeyError::BadDuration)?;
    let activates_at = now.checked_add_signed(ahead).ok_or(KeyError::BadDuration)?;
    add_key(dir, alg, now, Some(activates_at))
}

/// Every key in the manifest, oldest first, with its status at `now`.
pub fn list(dir: &Path, now: DateTime<Utc>) -> Result<Vec<KeyInfo>, KeyError> {
    let manifest = read_manifest(dir)?;
    let active = active_kid(&manifest, now).map(str::to_owned);
    Ok(manifest
        .keys
        .iter()
        .map(|entry| key_info(entry, active.as_deref()))
        .collect())
}

/// Retire `kid`: it leaves the JWKS and stops verifying at the next load. Refuses the key that
/// signs at `now`. Retiring a retired key changes nothing.
pub fn retire(dir: &Path, kid: &str, now: DateTime<Utc>) -> Result<KeyInfo, KeyError> {
    let mut manifest = read_manifest(dir)?;
    let active = active_kid(&manifest, now).map(str::to_owned);
    let entry = manifest
        .keys
        .iter_mut()
        .find(|entry| entry.kid == kid)
        .ok_or_else(|| KeyError::UnknownKid(kid.to_owned()))?;
    if active.as_deref() == Some(kid) {
        return Err(KeyError::CannotRetireSigningKey(kid.to_owned()));
    }
    if entry.retired_at.is_none() {
        entry.retired_at = Some(now);
    }
    let info = key_info(entry, active.as_deref());
    write_manifest(dir, &manifest)?;
    Ok(info)
}

/// The item that signs at `now`: the latest activation not after `now`; before any activation,
/// the earliest scheduled one. Items without an activation never sign.
pub(super) fn select_active<'a, T: 'a>(
    items: impl Iterator<Item = &'a T> + Clone,
    activation: impl Fn(&T) -> Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<&'a T> {
    let scheduled = items.filter_map(|item| activation(item).map(|at| (at, item)));
    scheduled
        .clone()
        .filter(|(at, _)| *at <= now)
        .max_by_key(|(at, _)| *at)
        .or_else(|| scheduled.min_by_key(|(at, _)| *at))
        .map(|(_, item)| item)
}

/// Whether the manifest has a non-retired key that can sign.
pub(super) fn has_signing_key(dir: &Path) -> Result<bool, KeyError> {
    let manifest = read_manifest(dir)?;
    Ok(manifest
        .keys
        .iter()
        .any(|entry| entry.retired_at.is_none() && entry.activates_at.is_some()))
}

pub(super) fn read_manifest(dir: &Path) -> Result<Manifest, KeyError> {
    let path = dir.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|source| KeyError::Manifest { path, source })
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(source) => Err(KeyError::Io { path, source }),
    }
}

/// The PEM bytes of a manifest entry's key file.
pub(super) fn read_key_file(dir: &Path, entry: &Entry) -> Result<(PathBuf, Vec<u8>), KeyError> {
    let path = dir.join(&entry.file);
    // The manifest names files inside `dir`, nothing else.
    if Path::new(&entry.file).file_name() != Some(entry.file.as_ref()) {
        return Err(KeyError::MalformedKey {
            path,
            source: "key file must be a plain file name inside the key directory".into(),
        });
    }
    let pem = fs::read(&path).map_err(|source| KeyError::Io {
        path: path.clone(),
        source,
    })?;
    Ok((path, pem))
}

/// The internal refresh-token HMAC key.
pub(super) fn read_refresh_key(dir: &Path) -> Result<Vec<u8>, KeyError> {
    let path = dir.join(REFRESH_KEY);
    let key = fs::read(&path).map_err(|source| KeyError::Io {
        path: path.clone(),
        source,
    })?;
    if key.len() < REFRESH_KEY_LEN {
        return Err(KeyError::MalformedKey {
            path,
            source: format!("{} bytes; {REFRESH_KEY_LEN} required", key.len()).into(),
        });
    }
    Ok(key)
}

fn add_key(
    dir: &Path,
    alg: Algorithm,
    now: DateTime<Utc>,
    activates_at: Option<DateTime<Utc>>,
) -> Result<KeyInfo, KeyError> {
    if alg.is_symmetric() {
        return Err(KeyError::SymmetricKeyNotStored(alg));
    }
    create_dir(dir)?;
    ensure_refresh_key(dir)?;
    let mut manifest = read_manifest(dir)?;
    let pem =
        material::generate_pem(alg).map_err(|source| KeyError::KeyMaterial { alg, source })?;
    let kid = material::from_pem(alg, &pem)
        .map_err(|source| KeyError::KeyMaterial { alg, source })?
        .kid;
    let file = format!("{kid}.pem");
    write_private(&dir.join(&file), &pem)?;
    let has_signer = manifest
        .keys
        .iter()
        .any(|entry| entry.retired_at.is_none() && entry.activates_at.is_some());
    let entry = Entry {
        kid,
        alg,
        file,
        created_at: now,
        activates_at: if has_signer { activates_at } else { Some(now) },
        retired_at: None,
    };
    manifest.keys.push(entry.clone());
    write_manifest(dir, &manifest)?;
    Ok(key_info(&entry, active_kid(&manifest, now)))
}

fn active_kid(manifest: &Manifest, now: DateTime<Utc>) -> Option<&str> {
    let live = manifest
        .keys
        .iter()
        .filter(|entry| entry.retired_at.is_none());
    select_active(live, |entry| entry.activates_at, now).map(|entry| entry.kid.as_str())
}

fn key_info(entry: &Entry, active_kid: Option<&str>) -> KeyInfo {
    let status = if entry.retired_at.is_some() {
        KeyStatus::Retired
    } else if active_kid == Some(entry.kid.as_str()) {
        KeyStatus::Active
    } else {
        KeyStatus::Published
    };
    KeyInfo {
        kid: entry.kid.clone(),
        alg: entry.alg,
        created_at: entry.created_at,
        activates_at: entry.activates_at,
        retired_at: entry.retired_at,
        status,
    }
}

/// Create `refresh.key` if it does not exist yet.
pub(super) fn ensure_refresh_key(dir: &Path) -> Result<(), KeyError> {
    let path = dir.join(REFRESH_KEY);
    let mut key = [0u8; REFRESH_KEY_LEN];
    OsRng.fill_bytes(&mut key);
    match write_private(&path, &key) {
        Err(KeyError::Io { source, .. }) if source.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), KeyError> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(MANIFEST_TMP);
    let mut json = serde_json::to_vec_pretty(manifest).map_err(KeyError::Json)?;
    json.push(b'\n');
    match fs::remove_file(&tmp) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => {
            return Err(KeyError::Io {
                path: tmp,
                source: err,
            });
        }
        _ => {}
    }
    write_private(&tmp, &json)?;
    // A rename is atomic: a crash never leaves a half-written manifest.
    fs::rename(&tmp, &path).map_err(|source| KeyError::Io { path, source })
}

fn create_dir(dir: &Path) -> Result<(), KeyError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| KeyError::Io {
        path: dir.to_owned(),
        source,
    })
}

/// Create `path` with mode 0600 from the start (never a window where it is world-readable);
/// fails if it exists.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let io_err = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io_err)?;
    file.write_all(bytes).map_err(io_err)?;
    file.sync_all().map_err(io_err)
}

#[cfg(test)]
#[path = "keydir_tests.rs"]
mod tests;
