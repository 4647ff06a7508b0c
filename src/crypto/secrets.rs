//! High-entropy secrets: random tokens from the OS CSPRNG, SHA-256 digests compared in constant
//! time (client secrets, opaque codes), and a `Secret` string that never prints itself.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use rand::rngs::OsRng;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// `bytes` random bytes from the OS CSPRNG, base64url without padding.
/// Client secrets use 32 bytes (256 bits).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Lowercase hex SHA-256 of `input`, the stored form of a high-entropy secret.
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// Whether `presented` hashes to `expected_hex`, compared in constant time.
/// A malformed `expected_hex` never matches.
pub fn verify_sha256_hex(expected_hex: &str, presented: &str) -> bool {
    let Ok(expected) = hex::decode(expected_hex) else {
        return false;
    };
    let actual = Sha256::digest(presented.as_bytes());
    expected.as_slice().ct_eq(actual.as_slice()).into()
}

/// A secret string (password, client secret, HMAC key) whose `Debug` and `Display`
/// print `[redacted]`, so it cannot leak through logs or error messages.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret itself; call this only where the value is really needed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Whether `submitted` is the `expected` CSRF token (never an empty one), compared in constant
/// time.
pub fn csrf_matches(expected: &str, submitted: Option<&str>) -> bool {
    use subtle::ConstantTimeEq as _;
    submitted.is_some_and(|submitted| {
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn csrf_comparison() {
        assert!(csrf_matches("abc", Some("abc")));
        assert!(!csrf_matches("abc", Some("abd")));
        assert!(!csrf_matches("abc", Some("ab")));
        assert!(!csrf_matches("abc", None));
        assert!(!csrf_matches("", Some("")));
    }

    #[test]
    fn random_token_is_base64url_of_the_requested_length() {
        let token = random_token(32);
        assert_eq!(token.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 32);
        assert_ne!(token, random_token(32));
    }

    #[test]
    fn sha256_hex_matches_the_known_digest() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn verify_sha256_hex_accepts_only_the_right_secret() {
        let stored = sha256_hex("s3cret");
        assert!(verify_sha256_hex(&stored, "s3cret"));
        assert!(!verify_sha256_hex(&stored, "s3cret "));
        assert!(!verify_sha256_hex("not hex", "s3cret"));
        assert!(!verify_sha256_hex(&stored[..10], "s3cret"));
        assert!(!verify_sha256_hex("", ""));
    }

    #[test]
    fn secret_never_prints_its_value() {
        let secret: Secret = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(Secret::from("x".to_owned()).expose(), "x");
    }
}
