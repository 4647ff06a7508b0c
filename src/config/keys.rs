//! The settings of the key ring, read the way the key store takes them.

use super::Config;
use crate::crypto::key_encryption::{KekError, KeyEncryptionKey};
use crate::crypto::key_store::Modes;

impl Config {
    /// How the ring is used: the algorithm, the ID-token algorithm, the HS* secret.
    pub fn key_modes(&self) -> Modes<'_> {
        Modes {
            algorithm: self.algorithm,
            id_token_algorithm: self.id_token_algorithm,
            hmac_secret: self.signing_key.as_ref().map(|s| s.expose().as_bytes()),
        }
    }

    /// The key-encryption key this instance has: the `key_encryption_key` setting, else
    /// `keys_dir/master.key` if it exists. `None` when neither is there (only a new ring may
    /// then create `master.key`).
    ///
    /// # Errors
    /// A malformed setting or file, an unreadable file.
    pub fn key_encryption_key(&self) -> Result<Option<KeyEncryptionKey>, KekError> {
        match &self.key_encryption_key {
            Some(setting) => KeyEncryptionKey::from_setting(setting.expose()).map(Some),
            None => KeyEncryptionKey::read_file(&self.keys_dir),
        }
    }
}
