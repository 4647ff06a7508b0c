//! Which key signs which token kind: HS* mode's secret for access and refresh tokens, the
//! published asymmetric key for ID tokens in every mode.

use std::time::Duration;

use super::*;

#[test]
fn hmac_mode_signs_access_and_refresh_with_the_secret_and_id_tokens_with_a_published_key() {
    let (_keys, ring) = ring(Algorithm::HS512);
    let exp = claims(t0() + Duration::from_secs(60));
    let refresh = ring.sign_refresh(&exp).unwrap();
    let access = ring.sign_access(&exp, "at+jwt", t0()).unwrap();
    for token in [&refresh, &access] {
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::HS512);
        assert_eq!(header.kid.as_deref(), Some(ring.signing_key_id(t0())));
        assert!(ring.verify_at(token, 0, t0()).is_ok());
    }
    assert_eq!(ring.algorithm(t0()), Algorithm::HS512);

    // The ID-token key is generated as RS256 and is the one key the JWKS publishes.
    let id_token = ring.sign_id_token(&exp, t0()).unwrap();
    let header = jsonwebtoken::decode_header(&id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(ring.id_token_algorithm(t0()), Algorithm::RS256);
    let kid = ring.id_token_key_id(t0());
    assert_eq!(header.kid.as_deref(), Some(kid));
    assert_ne!(kid, ring.signing_key_id(t0()));
    let published = jwks_keys(&ring);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["kid"], kid);
    assert!(ring.verify_at(&id_token, 0, t0()).is_ok());
}

#[test]
fn asymmetric_mode_signs_access_and_id_tokens_with_the_same_key() {
    let (_keys, ring) = ring(Algorithm::ES256);
    assert_eq!(ring.id_token_key_id(t0()), ring.signing_key_id(t0()));
    assert_eq!(ring.id_token_algorithm(t0()), Algorithm::ES256);
}

#[test]
fn short_or_missing_hmac_secrets_and_incomplete_rings_are_refused() {
    let keys = [opened(Algorithm::RS256, Some(t0())), refresh_key()];
    let short = KeyRing::from_keys(&keys, Algorithm::HS256, Some(&SECRET[..31]));
    assert!(matches!(
        short,
        Err(KeyError::SecretTooShort {
            min: 32,
            len: 31,
            ..
        })
    ));
    let short = KeyRing::from_keys(&keys, Algorithm::HS512, Some(&SECRET[..48]));
    assert!(matches!(
        short,
        Err(KeyError::SecretTooShort {
            min: 64,
            len: 48,
            ..
        })
    ));
    let missing = KeyRing::from_keys(&keys, Algorithm::HS256, None);
    assert!(matches!(
        missing,
        Err(KeyError::MissingSecret(Algorithm::HS256))
    ));
    let no_refresh_key = KeyRing::from_keys(&keys[..1], Algorithm::RS256, None);
    assert!(matches!(
        no_refresh_key,
        Err(KeyError::Incomplete("refresh-token key"))
    ));
    let no_signer = [opened(Algorithm::ES256, None), refresh_key()];
    let missing = KeyRing::from_keys(&no_signer, Algorithm::ES256, None);
    assert!(matches!(
        missing,
        Err(KeyError::Incomplete("key that can sign"))
    ));
    let missing = KeyRing::from_keys(&keys, Algorithm::HS256, None);
    assert!(matches!(
        missing,
        Err(KeyError::MissingSecret(Algorithm::HS256))
    ));
}
