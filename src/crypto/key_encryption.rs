//! The key-encryption key (KEK): 32 random bytes under which every private key of the ring is
//! sealed in the database with AES-256-GCM (NIST SP 800-38D), a fresh 96-bit nonce per seal and
//! the key's `kid` as associated data, so a ciphertext copied onto another key's row does not
//! open. It comes from the `key_encryption_key` setting (base64url), or else from
//! `keys/master.key`, which `serve` and `migrate` create (0600) when they create the ring.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use aes_gcm::aead::rand_core::RngCore as _;
use aes_gcm::aead::{Aead as _, AeadCore as _, KeyInit as _, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

/// The file under `keys_dir` that holds the KEK when the setting is unset.
pub const MASTER_KEY_FILE: &str = "master.key";

/// The KEK's length: AES-256.
const KEY_LEN: usize = 32;

/// Where the KEK in use came from, for messages that tell the operator which one to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KekSource {
    /// The `key_encryption_key` setting (`SESAME_KEY_ENCRYPTION_KEY`).
    Setting,
    /// `keys/master.key` at this path.
    File(PathBuf),
}

impl fmt::Display for KekSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KekSource::Setting => f.write_str("the key_encryption_key setting"),
            KekSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The key-encryption key. Its `Debug` never shows the key; the expanded key is wiped on drop.
#[derive(Clone)]
pub struct KeyEncryptionKey {
    cipher: Aes256Gcm,
    source: KekSource,
}

/// A key sealed for one row: the nonce, and the ciphertext followed by the GCM tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// The ciphertext does not open under this KEK with this `kid`: another KEK sealed it, or it was
/// altered or moved from another row. AES-GCM cannot tell these apart, and neither can we.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the key does not open under this key-encryption key")]
pub struct Unopenable;

/// AES-GCM refused to seal (only past 64 GiB of plaintext: never for a key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sealing a key failed")]
pub struct SealFailed;

/// Why no KEK could be had.
#[derive(Debug, thiserror::Error)]
pub enum KekError {
    /// The setting is not 32 bytes of base64url. The message never includes the value.
    #[error(
        "key_encryption_key must be 32 random bytes in base64url (43 characters of A-Z a-z 0-9 - _, \
         e.g. from `head -c 32 /dev/urandom | basenc --base64url`): {0}"
    )]
    Malformed(String),
    /// `master.key` exists but does not hold a key.
    #[error("{}: not a key-encryption key: {reason}", path.display())]
    MalformedFile { path: PathBuf, reason: String },
    /// Reading or creating `master.key` failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl KeyEncryptionKey {
    /// The KEK of the `key_encryption_key` setting: 32 bytes, base64url with or without padding.
    ///
    /// # Errors
    /// [`KekError::Malformed`] saying what is wrong (alphabet or length), without the value.
    pub fn from_setting(text: &str) -> Result<KeyEncryptionKey, KekError> {
        let key = decode(text).map_err(KekError::Malformed)?;
        Ok(KeyEncryptionKey::new(&key, KekSource::Setting))
    }

    /// The KEK in `dir/master.key`, or `None` when there is no such file.
    ///
    /// # Errors
    /// The file cannot be read or does not hold a key.
    pub fn read_file(dir: &Path) -> Result<Option<KeyEncryptionKey>, KekError> {
        let path = dir.join(MASTER_KEY_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => Zeroizing::new(text),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(KekError::Io { path, source }),
        };
        let key = decode(&text).map_err(|reason| KekError::MalformedFile {
            path: path.clone(),
            reason,
        })?;
        Ok(Some(KeyEncryptionKey::new(&key, KekSource::File(path))))
    }

    /// Creates `dir/master.key` (mode 0600, in a 0700 directory made if needed) holding a new
    /// random KEK in base64url; if another process created it first, reads that one instead.
    ///
    /// # Errors
    /// The directory or file cannot be created or read.
    pub fn create_file(dir: &Path) -> Result<KeyEncryptionKey, KekError> {
        let path = dir.join(MASTER_KEY_FILE);
        let io_err = |source| KekError::Io {
            path: path.clone(),
            source,
        };
        create_private_dir(dir).map_err(|source| KekError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(&mut key[..]);
        let mut text = Zeroizing::new(URL_SAFE_NO_PAD.encode(&key[..]));
        text.push('\n');
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes()).map_err(io_err)?;
                file.sync_all().map_err(io_err)?;
                Ok(KeyEncryptionKey::new(&key[..], KekSource::File(path)))
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Self::read_file(dir)?
                .ok_or_else(|| io_err(io::Error::from(io::ErrorKind::NotFound))),
            Err(source) => Err(io_err(source)),
        }
    }

    /// `key` is 32 bytes: `decode` checked it, or it was generated so.
    fn new(key: &[u8], source: KekSource) -> KeyEncryptionKey {
        KeyEncryptionKey {
            cipher: Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(key)),
            source,
        }
    }

    /// Where this KEK came from.
    pub fn source(&self) -> &KekSource {
        &self.source
    }

    /// Seals `plaintext` (a PEM or a raw secret) for the row of `kid`, under a fresh random nonce.
    ///
    /// # Errors
    /// [`SealFailed`], which AES-GCM answers only for plaintexts past 64 GiB.
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Sealed, SealFailed> {
        let nonce = Aes256Gcm::generate_nonce(OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: kid.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(&nonce, payload)
            .map_err(|_| SealFailed)?;
        Ok(Sealed {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Opens what [`seal`](Self::seal) sealed for `kid`.
    ///
    /// # Errors
    /// [`Unopenable`] for another KEK, another `kid`, a malformed nonce or any altered byte.
    pub fn open(
        &self,
        kid: &str,
        nonce: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Unopenable> {
        if nonce.len() != 12 {
            return Err(Unopenable);
        }
        let payload = Payload {
            msg: ciphertext,
            aad: kid.as_bytes(),
        };
        self.cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map(Zeroizing::new)
            .map_err(|_| Unopenable)
    }
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEncryptionKey")
            .field("key", &"[redacted]")
            .field("source", &self.source)
            .finish()
    }
}

/// 32 bytes from base64url text (padding and surrounding whitespace allowed); the error says what
/// is wrong without repeating the text.
fn decode(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let trimmed = text.trim().trim_end_matches('=');
    if let Some(bad) = trimmed
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        // Never the character itself: it would be a piece of the secret in a log.
        return Err(if bad == '+' || bad == '/' {
            "it is base64, not base64url (- and _ stand for + and /)".to_owned()
        } else {
            "it has a character outside the base64url alphabet".to_owned()
        });
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed)
        .map(Zeroizing::new)
        .map_err(|_| format!("{} characters cannot be base64url", trimmed.len()))?;
    if bytes.len() != KEY_LEN {
        return Err(format!(
            "it decodes to {} bytes, not {KEY_LEN}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
#[path = "key_encryption_tests.rs"]
mod tests;
