//! Cryptography: the signing key ring and its JWKS (RFC 7515, 7517, 7518, 7638), password
//! hashing (argon2id; Django's pbkdf2_sha256 for imported users), and high-entropy secrets.

pub mod cookie_key;
pub mod keys;
pub mod password_workers;
pub mod passwords;
pub mod secrets;

mod algorithm;
mod argon2_memory;
mod key_error;
mod keydir;
mod material;
