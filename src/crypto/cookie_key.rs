//! The key that signs Sesame's own cookies (the login form's CSRF cookie, the device cookie):
//! HMAC-SHA256 over the cookie's purpose and value, appended to the value. It is derived by
//! HMAC-SHA256 with a fixed label from the refresh-token key (`refresh.key`, or `signing_key` for
//! HS* algorithms), so every instance that shares the key directory shares it, and it is never
//! the key that signs a token.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Separates the cookie key from every other use of the secret it is derived from.
const LABEL: &[u8] = b"sesame cookie signing key v1";

/// A keyed HMAC-SHA256, ready to sign and verify cookie values.
#[derive(Clone)]
pub struct CookieKey(Hmac<Sha256>);

/// HMAC-SHA256 takes keys of any length; this only names the impossible case.
#[derive(Debug, thiserror::Error)]
#[error("the cookie key cannot be derived")]
pub struct DeriveError;

impl CookieKey {
    /// The cookie key derived from `secret` (at least 32 random bytes).
    pub fn derive(secret: &[u8]) -> Result<CookieKey, DeriveError> {
        let mut kdf = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| DeriveError)?;
        kdf.update(LABEL);
        let derived = kdf.finalize().into_bytes();
        let mac = Hmac::<Sha256>::new_from_slice(&derived).map_err(|_| DeriveError)?;
        Ok(CookieKey(mac))
    }

    fn tag(&self, purpose: &str, value: &str) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(purpose.as_bytes());
        mac.update(b"=");
        mac.update(value.as_bytes());
        mac
    }

    /// `value.<base64url tag>`: `value` (cookie-safe) signed for `purpose` (`device`,
    /// `login-csrf`), so one signed cookie cannot be passed off as another.
    pub fn sign(&self, purpose: &str, value: &str) -> String {
        let tag = self.tag(purpose, value).finalize().into_bytes();
        format!("{value}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The value [`CookieKey::sign`] signed for `purpose`; `None` when the tag is missing or
    /// wrong (compared in constant time).
    pub fn verify<'a>(&self, purpose: &str, signed: &'a str) -> Option<&'a str> {
        let (value, tag) = signed.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.tag(purpose, value).verify_slice(&tag).ok()?;
        Some(value)
    }
}

impl fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_value_verifies_only_under_its_name_and_key() -> Result<(), DeriveError> {
        let key = CookieKey::derive(&[7; 32])?;
        let signed = key.sign("a", "v1.x");
        assert_eq!(key.verify("a", &signed), Some("v1.x"));
        assert_eq!(key.verify("b", &signed), None);
        assert_eq!(CookieKey::derive(&[8; 32])?.verify("a", &signed), None);
        let forged = signed.replacen("v1.x", "v1.y", 1);
        assert_eq!(key.verify("a", &forged), None);
        for junk in ["", ".", "v1", "v1.", "v1.!!", "v1.x.AAAA"] {
            assert_eq!(key.verify("a", junk), None, "{junk}");
        }
        Ok(())
    }
}
