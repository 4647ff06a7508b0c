//! The JWS algorithms Sesame signs with: RFC 7518 §3.1 (RS*, PS256, ES*, HS*) and RFC 8037
//! §3.1 (EdDSA over Ed25519), by their JOSE names.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

/// A JWS algorithm Sesame signs with (RFC 7518 §3.1, RFC 8037 §3.1 for EdDSA over Ed25519).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    RS256,
    RS384,
    RS512,
    PS256,
    ES256,
    ES384,
    EdDSA,
    HS256,
    HS384,
    HS512,
}

impl Algorithm {
    /// Every algorithm, in the order the discovery document lists them.
    pub const ALL: [Algorithm; 10] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
        Self::HS256,
        Self::HS384,
        Self::HS512,
    ];

    /// The JOSE name (`"RS256"`, `"EdDSA"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
        }
    }

    /// HMAC: a shared secret, never published in the JWKS.
    pub fn is_symmetric(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }

    /// The smallest HMAC secret allowed: the hash output size (RFC 7518 §3.2).
    pub fn min_secret_len(self) -> usize {
        match self {
            Self::HS384 => 48,
            Self::HS512 => 64,
            _ => 32,
        }
    }

    /// base64url of the left half of the hash of `value` with this algorithm's hash function:
    /// `at_hash` and `c_hash` (OpenID Connect Core §3.1.3.6; SHA-512 for Ed25519).
    pub fn left_half_hash(self, value: &str) -> String {
        let digest = match self {
            Self::RS256 | Self::PS256 | Self::ES256 | Self::HS256 => Sha256::digest(value).to_vec(),
            Self::RS384 | Self::ES384 | Self::HS384 => Sha384::digest(value).to_vec(),
            Self::RS512 | Self::EdDSA | Self::HS512 => Sha512::digest(value).to_vec(),
        };
        URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
    }

    pub(super) fn to_jwt(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as Jwt;
        match self {
            Self::RS256 => Jwt::RS256,
            Self::RS384 => Jwt::RS384,
            Self::RS512 => Jwt::RS512,
            Self::PS256 => Jwt::PS256,
            Self::ES256 => Jwt::ES256,
            Self::ES384 => Jwt::ES384,
            Self::EdDSA => Jwt::EdDSA,
            Self::HS256 => Jwt::HS256,
            Self::HS384 => Jwt::HS384,
            Self::HS512 => Jwt::HS512,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// The JOSE name, ignoring ASCII case (`es256` on a command line means ES256).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownAlgorithm(s.to_owned()))
    }
}

/// A name that is not one of the supported JOSE algorithms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown algorithm {0:?}; expected one of RS256, RS384, RS512, PS256, ES256, ES384, EdDSA, HS256, HS384, HS512"
)]
pub struct UnknownAlgorithm(pub String);

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.to_string().parse::<Algorithm>().unwrap(), alg);
            assert_eq!(serde_json::to_value(alg).unwrap(), alg.as_str());
            assert_eq!(
                serde_json::from_value::<Algorithm>(json!(alg.as_str())).unwrap(),
                alg
            );
        }
        assert_eq!("es256".parse::<Algorithm>().unwrap(), Algorithm::ES256);
        assert!("none".parse::<Algorithm>().is_err());
        assert!(Algorithm::HS384.is_symmetric() && !Algorithm::EdDSA.is_symmetric());
    }

    #[test]
    fn left_half_hash_matches_openid_example() {
        // OpenID Connect Core appendix A.3: at_hash of this access token with RS256.
        let at_hash =
            Algorithm::RS256.left_half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
        assert_eq!(at_hash, "77QmUPtjPfzWtF2AnpK9RQ");
    }
}
