//! RSA signature checks with the public key parsed once (RFC 7515 §5.2 for the compact JWS,
//! RFC 8017 §8.2.2 / §8.1.2 for RSASSA-PKCS1-v1_5 and RSASSA-PSS).
//!
//! jsonwebtoken's aws-lc backend builds the RSA key from its modulus and exponent on every
//! verification (Montgomery constants included) behind a boxed verifier holding a copy of the
//! key. aws-lc-rs's `ParsedPublicKey` keeps the parsed key, and aws-lc caches the constants in
//! it after the first use: under callgrind a `GET /api/me/` took 425,691 instructions instead of
//! 474,784, an introspection 454,452 instead of 500,953 (bench/README.md).

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use serde_json::{Map, Value};

/// An RSA public key ready to check signatures of one JWS algorithm.
pub(super) struct PreparedRsa(ParsedPublicKey);

impl PreparedRsa {
    /// The key of a public RSA JWK for `alg` (RS256/384/512, PS256); `None` for any other
    /// algorithm or key type, or a JWK whose `n`/`e` are not base64url.
    pub fn from_jwk(alg: jsonwebtoken::Algorithm, jwk: &Jwk) -> Option<PreparedRsa> {
        let verification: &'static dyn VerificationAlgorithm = match alg {
            jsonwebtoken::Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            jsonwebtoken::Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            jsonwebtoken::Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            jsonwebtoken::Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            _ => return None,
        };
        let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
            return None;
        };
        let n = URL_SAFE_NO_PAD.decode(&rsa.n).ok()?;
        let e = URL_SAFE_NO_PAD.decode(&rsa.e).ok()?;
        let der = rsa_public_key_der(&n, &e);
        ParsedPublicKey::new(verification, der)
            .ok()
            .map(PreparedRsa)
    }

    /// The claims of a compact JWS `token` whose signature this key made: exactly three
    /// base64url segments, the signature over `header.payload`, the payload a JSON object.
    /// `None` otherwise. The header is the caller's to have read (its `alg` and `kid`).
    pub fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        let (signing_input, signature) = token.rsplit_once('.')?;
        let (_header, payload) = signing_input.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.0
            .verify_sig(signing_input.as_bytes(), &signature)
            .ok()?;
        // A fourth segment cannot hide in the payload: '.' is not base64url.
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        serde_json::from_slice(&payload).ok()
    }
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` in DER
/// (RFC 8017 §A.1.1), from big-endian unsigned magnitudes.
fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut body = der_unsigned_integer(n);
    body.extend(der_unsigned_integer(e));
    der_tlv(0x30, &body)
}

fn der_unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let first = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let mut content = Vec::with_capacity(magnitude.len() + 1);
    // A set high bit would read as negative: DER prefixes a zero byte.
    if magnitude.get(first).is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&magnitude[first..]);
    der_tlv(0x02, &content)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_never_negative() {
        assert_eq!(
            der_unsigned_integer(&[0x01, 0x00, 0x01]),
            [0x02, 0x03, 0x01, 0x00, 0x01]
        );
        assert_eq!(
            der_unsigned_integer(&[0x00, 0x00, 0x7f]),
            [0x02, 0x01, 0x7f]
        );
        assert_eq!(der_unsigned_integer(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der_unsigned_integer(&[]), [0x02, 0x01, 0x00]);
    }

    #[test]
    fn long_lengths_take_the_long_form() {
        let tlv = der_tlv(0x30, &[0u8; 300]);
        assert_eq!(&tlv[..4], [0x30, 0x82, 0x01, 0x2c]);
        assert_eq!(tlv.len(), 304);
        assert_eq!(&der_tlv(0x30, &[0u8; 200])[..3], [0x30, 0x81, 200]);
        assert_eq!(&der_tlv(0x30, &[0u8; 127])[..2], [0x30, 127]);
    }
}
