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
use pkcs1::der::Encode as _;
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
        // RFC 8017 §A.1.1 RSAPublicKey, the DER aws-lc-rs reads for these algorithms.
        let public_key = pkcs1::RsaPublicKey {
            modulus: pkcs1::UintRef::new(&n).ok()?,
            public_exponent: pkcs1::UintRef::new(&e).ok()?,
        };
        let der = public_key.to_der().ok()?;
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
