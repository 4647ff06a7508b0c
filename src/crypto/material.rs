//! Key material: generating PEM (PKCS#8) private keys, and parsing one once into everything the
//! key ring needs — a signer (josekit, holding an OpenSSL `PKey` for the life of the process),
//! a verifier (jsonwebtoken), the public JWK (RFC 7517 §4, RFC 7518 §6) and its RFC 7638
//! SHA-256 thumbprint, which is the `kid`.

use josekit::jwk::KeyPair as _;
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jws::{JwsHeader, JwsSigner};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Map, Value};

use super::algorithm::Algorithm;

/// The error type of this module: the libraries underneath report through several types.
pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// RFC 7518 §3.3: 2048 bits or larger.
const RSA_BITS: u32 = 2048;

/// One parsed key.
pub(super) struct Material {
    pub kid: String,
    pub alg: Algorithm,
    /// The public JWK with `kid`, `alg` and `use`; `None` for HMAC secrets, never published.
    pub public_jwk: Option<Jwk>,
    pub signer: Box<dyn JwsSigner>,
    pub decoding: DecodingKey,
}

impl Material {
    /// A compact JWS of `claims` with header `{"alg","typ","kid"}`.
    pub fn sign(&self, claims: &Map<String, Value>, typ: &str) -> Result<String, BoxError> {
        let mut header = JwsHeader::new();
        header.set_algorithm(self.alg.as_str());
        header.set_token_type(typ);
        header.set_key_id(self.kid.as_str());
        let payload = serde_json::to_vec(claims)?;
        Ok(josekit::jws::serialize_compact(
            &payload,
            &header,
            self.signer.as_ref(),
        )?)
    }
}

/// A new private key for `alg`, as a PKCS#8 PEM. Ed25519 for EdDSA; PS256 uses a plain RSA key,
/// as JWK has no separate key type for PSS.
pub(super) fn generate_pem(alg: Algorithm) -> Result<Vec<u8>, BoxError> {
    Ok(match alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 => {
            RsaKeyPair::generate(RSA_BITS)?.to_pem_private_key()
        }
        Algorithm::ES256 => EcKeyPair::generate(EcCurve::P256)?.to_pem_private_key(),
        Algorithm::ES384 => EcKeyPair::generate(EcCurve::P384)?.to_pem_private_key(),
        Algorithm::EdDSA => EdKeyPair::generate(EdCurve::Ed25519)?.to_pem_private_key(),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            return Err(format!("{alg} keys are configured secrets, not generated").into());
        }
    })
}

/// Parse a PEM private key for `alg`, refusing a key of another type or curve.
pub(super) fn from_pem(alg: Algorithm, pem: &[u8]) -> Result<Material, BoxError> {
    let public = public_jwk_from_pem(alg, pem)?;
    let signer = signer_from_pem(alg, pem)?;
    let jwk: Jwk = serde_json::from_value(Value::Object(public.into()))?;
    let decoding = DecodingKey::from_jwk(&jwk)?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256)?;
    let mut jwk = jwk;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.key_algorithm = Some(alg.to_jwt().into());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    Ok(Material {
        kid,
        alg,
        public_jwk: Some(jwk),
        signer,
        decoding,
    })
}

/// An HMAC key from a secret whose length the caller has checked.
pub(super) fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Material, BoxError> {
    let signer: Box<dyn JwsSigner> = match alg {
        Algorithm::HS256 => Box::new(josekit::jws::HS256.signer_from_bytes(secret)?),
        Algorithm::HS384 => Box::new(josekit::jws::HS384.signer_from_bytes(secret)?),
        Algorithm::HS512 => Box::new(josekit::jws::HS512.signer_from_bytes(secret)?),
        _ => return Err(format!("{alg} is not an HMAC algorithm").into()),
    };
    let jwk = Jwk::from_encoding_key(&EncodingKey::from_secret(secret), alg.to_jwt())?;
    Ok(Material {
        kid: jwk.thumbprint(ThumbprintHash::SHA256)?,
        alg,
        public_jwk: None,
        signer,
        decoding: DecodingKey::from_secret(secret),
    })
}

fn public_jwk_from_pem(alg: Algorithm, pem: &[u8]) -> Result<josekit::jwk::Jwk, BoxError> {
    match alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 => {
            let pair = RsaKeyPair::from_pem(pem)?;
            if pair.key_len() * 8 < RSA_BITS {
                return Err(format!(
                    "RSA key of {} bits; {RSA_BITS} required",
                    pair.key_len() * 8
                )
                .into());
            }
            Ok(pair.to_jwk_public_key())
        }
        Algorithm::ES256 => Ok(EcKeyPair::from_pem(pem, Some(EcCurve::P256))?.to_jwk_public_key()),
        Algorithm::ES384 => Ok(EcKeyPair::from_pem(pem, Some(EcCurve::P384))?.to_jwk_public_key()),
        Algorithm::EdDSA => {
            let pair = EdKeyPair::from_pem(pem)?;
            if pair.curve() != EdCurve::Ed25519 {
                return Err("EdDSA keys must be Ed25519".into());
            }
            Ok(pair.to_jwk_public_key())
        }
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            Err(format!("{alg} keys are configured secrets, not key files").into())
        }
    }
}

fn signer_from_pem(alg: Algorithm, pem: &[u8]) -> Result<Box<dyn JwsSigner>, BoxError> {
    use josekit::jws::{ES256, ES384, EdDSA, PS256, RS256, RS384, RS512};
    Ok(match alg {
        Algorithm::RS256 => Box::new(RS256.signer_from_pem(pem)?),
        Algorithm::RS384 => Box::new(RS384.signer_from_pem(pem)?),
        Algorithm::RS512 => Box::new(RS512.signer_from_pem(pem)?),
        // josekit reads a "PRIVATE KEY" PEM as PSS only if its OID says RSASSA-PSS; from DER it
        // also takes a plain rsaEncryption key, which is what JWK-compatible PS256 keys are.
        Algorithm::PS256 => {
            let der = RsaKeyPair::from_pem(pem)?.to_der_private_key();
            Box::new(PS256.signer_from_der(der)?)
        }
        Algorithm::ES256 => Box::new(ES256.signer_from_pem(pem)?),
        Algorithm::ES384 => Box::new(ES384.signer_from_pem(pem)?),
        Algorithm::EdDSA => Box::new(EdDSA.signer_from_pem(pem)?),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            return Err(format!("{alg} keys are configured secrets, not key files").into());
        }
    })
}
