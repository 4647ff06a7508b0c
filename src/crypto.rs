//! Cryptography: the signing key ring and its JWKS (RFC 7515, 7517, 7518, 7638), kept in the
//! database sealed under the key-encryption key (AES-256-GCM), password hashing (argon2id;
//! Django's pbkdf2_sha256 for imported users), and high-entropy secrets.

pub mod cookie_key;
pub mod key_encryption;
pub mod key_store;
pub mod keys;
pub mod password_workers;
pub mod passwords;
pub mod secrets;

mod algorithm;
mod argon2_memory;
mod key_error;
mod key_info;
mod keydir;
mod material;
mod prepared_rsa;
