//! Properties of PKCE (RFC 7636): any challenge, method and verifier give a yes or a no, never a
//! panic; a well-formed verifier verifies against its own S256 challenge and no other verifier
//! does.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;

/// RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`.
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

const VERIFIER: &str = "[A-Za-z0-9._~-]{43,128}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_values_are_checked_without_panicking(
        challenge in ".{0,140}",
        method in proptest::option::of(prop_oneof![Just("S256".to_owned()), ".{0,8}"]),
        verifier in ".{0,140}",
    ) {
        let verified = pkce_verifies(&challenge, method.as_deref(), &verifier);
        // Only S256 with the verifier's own challenge passes.
        prop_assert_eq!(verified, method.as_deref() == Some(S256) && s256(&verifier) == challenge);
        let _ = is_pkce_value(&verifier);
    }

    #[test]
    fn a_verifier_matches_its_own_challenge_only(verifier in VERIFIER, other in VERIFIER) {
        prop_assert!(is_pkce_value(&verifier));
        let challenge = s256(&verifier);
        prop_assert!(pkce_verifies(&challenge, Some(S256), &verifier));
        prop_assert_eq!(pkce_verifies(&challenge, Some(S256), &other), other == verifier);
    }
}
