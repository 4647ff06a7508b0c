#![expect(clippy::unwrap_used, reason = "tests")]

use std::time::Duration;

use chrono::TimeZone as _;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;
use zeroize::Zeroizing;

use super::*;
use crate::crypto::key_info::Schedule;

pub(in crate::crypto) const SECRET: &[u8] =
    b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const ASYMMETRIC: [Algorithm; 7] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

pub(in crate::crypto) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
}

pub(in crate::crypto) fn claims(exp: DateTime<Utc>) -> Map<String, Value> {
    let value = json!({"sub": "42", "exp": exp.timestamp(), "aud": "api", "scope": "openid"});
    value.as_object().unwrap().clone()
}

/// The opened keys a test ring was built from, to read their private parts back.
pub(in crate::crypto) struct Keys(pub Vec<OpenedKey>);

impl Keys {
    /// The PEM of the published key `kid`.
    pub fn pem(&self, kid: &str) -> &[u8] {
        let key = self.0.iter().find(|key| key.schedule.kid == kid).unwrap();
        &key.secret
    }

    /// The raw refresh-token key.
    pub fn refresh(&self) -> &[u8] {
        let key = self.0.iter().find(|key| key.key_use == KeyUse::Refresh);
        &key.unwrap().secret
    }
}

/// A new published key of `alg`, signing from `activates_at`.
pub(in crate::crypto) fn opened(alg: Algorithm, activates_at: Option<DateTime<Utc>>) -> OpenedKey {
    let pem = material::generate_pem(alg).unwrap();
    let kid = material::from_pem(alg, &pem).unwrap().kid;
    OpenedKey {
        schedule: Schedule {
            kid,
            alg,
            created_at: t0(),
            activates_at,
            retired_at: None,
        },
        key_use: KeyUse::Signature,
        secret: Zeroizing::new(pem),
    }
}

/// A new random refresh-token key.
pub(in crate::crypto) fn refresh_key() -> OpenedKey {
    let secret: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
    let kid = material::from_secret(Algorithm::HS256, &secret)
        .unwrap()
        .kid;
    OpenedKey {
        schedule: Schedule {
            kid,
            alg: Algorithm::HS256,
            created_at: t0(),
            activates_at: None,
            retired_at: None,
        },
        key_use: KeyUse::Refresh,
        secret: Zeroizing::new(secret),
    }
}

/// A ring in mode `alg`: one key that signs from `t0` (RS256 for ID tokens in HS* mode, whose
/// secret is [`SECRET`]) and a refresh key.
pub(in crate::crypto) fn ring(alg: Algorithm) -> (Keys, KeyRing) {
    let signer = if alg.is_symmetric() {
        Algorithm::RS256
    } else {
        alg
    };
    let keys = vec![opened(signer, Some(t0())), refresh_key()];
    let secret = alg.is_symmetric().then_some(SECRET);
    let ring = KeyRing::from_keys(&keys, alg, secret).unwrap();
    (Keys(keys), ring)
}

pub(in crate::crypto) fn jwks_keys(ring: &KeyRing) -> Vec<Map<String, Value>> {
    let doc: Value = serde_json::from_slice(&ring.jwks().body).unwrap();
    let keys = doc["keys"].as_array().unwrap();
    keys.iter()
        .map(|key| key.as_object().unwrap().clone())
        .collect()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}
#[test]
fn every_algorithm_generates_signs_and_verifies() {
    for alg in Algorithm::ALL {
        let (_keys, ring) = ring(alg);
        assert_eq!(ring.algorithm(t0()), alg);
        let token = ring
            .sign_access(&claims(t0() + Duration::from_secs(300)), "at+jwt", t0())
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, alg.to_jwt(), "{alg}");
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid.as_deref(), Some(ring.signing_key_id(t0())));
        let verified = ring.verify_at(&token, 0, t0()).unwrap();
        assert_eq!(verified, claims(t0() + Duration::from_secs(300)), "{alg}");
    }
}

#[test]
fn refresh_tokens_use_the_internal_hmac_key() {
    let (keys, ring) = ring(Algorithm::RS256);
    let token = ring
        .sign_refresh(&claims(t0() + Duration::from_secs(60)))
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let kid = header.kid.unwrap();
    assert_ne!(kid, ring.signing_key_id(t0()));
    assert!(ring.verify_at(&token, 0, t0()).is_ok());
    assert!(!String::from_utf8_lossy(&ring.jwks().body).contains(&kid));
    let key = keys.refresh();
    assert_eq!(key.len(), 32);
    let oct = json!({"k": URL_SAFE_NO_PAD.encode(key), "kty": "oct"});
    assert_eq!(kid, URL_SAFE_NO_PAD.encode(Sha256::digest(oct.to_string())));
}

#[test]
fn kid_is_the_rfc7638_thumbprint() {
    // RFC 7638 §3.1.
    let rfc = json!({"kty": "RSA", "e": "AQAB", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
    let rfc: jsonwebtoken::jwk::Jwk = serde_json::from_value(rfc).unwrap();
    let thumbprint = rfc
        .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
        .unwrap();
    assert_eq!(thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");

    for alg in ASYMMETRIC {
        let (_keys, ring) = ring(alg);
        let key = &jwks_keys(&ring)[0];
        // Required members only, lexicographic order, no whitespace (RFC 7638 §3.2, §3.3).
        let canonical = match key["kty"].as_str().unwrap() {
            "RSA" => format!(r#"{{"e":{},"kty":"RSA","n":{}}}"#, key["e"], key["n"]),
            "EC" => format!(
                r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                key["crv"], key["x"], key["y"]
            ),
            "OKP" => format!(r#"{{"crv":{},"kty":"OKP","x":{}}}"#, key["crv"], key["x"]),
            other => panic!("unexpected kty {other}"),
        };
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical));
        assert_eq!(key["kid"], expected.as_str(), "{alg}");
        assert_eq!(ring.signing_key_id(t0()), expected, "{alg}");
    }
}

#[test]
fn jwks_publishes_public_parameters_only_and_never_hmac_keys() {
    let mut keys: Vec<_> = ASYMMETRIC
        .iter()
        .enumerate()
        .map(|(i, alg)| opened(*alg, (i == 0).then(t0)))
        .collect();
    keys.push(refresh_key());
    for mode in [Algorithm::RS256, Algorithm::HS256] {
        let ring = KeyRing::from_keys(&keys, mode, Some(SECRET)).unwrap();
        let keys = jwks_keys(&ring);
        assert_eq!(keys.len(), ASYMMETRIC.len());
        for key in &keys {
            for member in ["kty", "kid", "alg", "use"] {
                assert!(key.contains_key(member), "{member} missing in {key:?}");
            }
            assert_eq!(key["use"], "sig");
            for private in ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] {
                assert!(!key.contains_key(private), "{private} published in {key:?}");
            }
            assert_ne!(key["kty"], "oct");
        }
        let etag = format!(
            "\"{}\"",
            URL_SAFE_NO_PAD.encode(Sha256::digest(&ring.jwks().body))
        );
        assert_eq!(ring.jwks().etag, etag);
    }
}

#[test]
fn alg_none_and_algorithm_confusion_are_invalid() {
    let (keys, ring) = ring(Algorithm::RS256);
    let kid = ring.signing_key_id(t0()).to_owned();
    let body = b64(&Value::Object(claims(t0() + Duration::from_secs(60))));

    let none = format!(
        "{}.{body}.",
        b64(&json!({"alg": "none", "typ": "JWT", "kid": kid}))
    );
    assert_eq!(ring.verify_at(&none, 0, t0()), Err(VerifyError::Invalid));

    // HS256 "signed" with the RSA public key as the HMAC secret (the classic confusion attack).
    let pem = keys.pem(&kid);
    let public_pem = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(pem)
        .unwrap()
        .to_pem_public_key();
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid.clone());
    let payload = claims(t0() + Duration::from_secs(60));
    for secret in [public_pem.as_slice(), ring.jwks().body.as_slice()] {
        let forged =
            jsonwebtoken::encode(&header, &payload, &EncodingKey::from_secret(secret)).unwrap();
        assert_eq!(ring.verify_at(&forged, 0, t0()), Err(VerifyError::Invalid));
    }

    // A valid RS256 signature presented under the refresh key's kid, and vice versa.
    let access = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
    let refresh = ring.sign_refresh(&payload).unwrap();
    let refresh_kid = jsonwebtoken::decode_header(&refresh).unwrap().kid.unwrap();
    let swap = |token: &str, alg: &str, kid: &str| {
        let (_, rest) = token.split_once('.').unwrap();
        format!(
            "{}.{rest}",
            b64(&json!({"alg": alg, "typ": "JWT", "kid": kid}))
        )
    };
    let forged = swap(&access, "RS256", &refresh_kid);
    assert_eq!(ring.verify_at(&forged, 0, t0()), Err(VerifyError::Invalid));
    let forged = swap(&refresh, "HS256", &kid);
    assert_eq!(ring.verify_at(&forged, 0, t0()), Err(VerifyError::Invalid));
    let forged = swap(&access, "PS256", &kid);
    assert_eq!(ring.verify_at(&forged, 0, t0()), Err(VerifyError::Invalid));
}

#[test]
fn unknown_or_missing_kid_is_invalid() {
    let (_keys, ring) = ring(Algorithm::ES256);
    let (_other_keys, other) = self::ring(Algorithm::ES256);
    let payload = claims(t0() + Duration::from_secs(60));
    let foreign = other.sign_access(&payload, "at+jwt", t0()).unwrap();
    assert_eq!(ring.verify_at(&foreign, 0, t0()), Err(VerifyError::Invalid));

    let token = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
    let (_, rest) = token.split_once('.').unwrap();
    let no_kid = format!("{}.{rest}", b64(&json!({"alg": "ES256", "typ": "at+jwt"})));
    assert_eq!(ring.verify_at(&no_kid, 0, t0()), Err(VerifyError::Invalid));
}

#[test]
fn garbage_truncated_and_oversized_tokens_are_invalid() {
    let (_keys, ring) = ring(Algorithm::EdDSA);
    let mut payload = claims(t0() + Duration::from_secs(60));
    let token = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
    for end in 0..token.len() {
        assert_eq!(
            ring.verify_at(&token[..end], 0, t0()),
            Err(VerifyError::Invalid),
            "{end}"
        );
    }
    let tampered = token.replacen('.', ".e", 1);
    assert_eq!(
        ring.verify_at(&tampered, 0, t0()),
        Err(VerifyError::Invalid)
    );
    let garbage = [
        "",
        ".",
        "..",
        "...",
        "a.b.c",
        "é.é.é",
        "eyJ.eyJ.eyJ",
        "\0",
        &"A".repeat(10_000),
    ];
    for input in garbage {
        assert_eq!(ring.verify_at(input, 0, t0()), Err(VerifyError::Invalid));
    }
    payload.insert("pad".into(), Value::String("x".repeat(8 * 1024)));
    let oversized = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
    assert_eq!(
        ring.verify_at(&oversized, 0, t0()),
        Err(VerifyError::Invalid)
    );
}

#[test]
fn expiry_and_not_before_are_checked_with_leeway() {
    let (_keys, ring) = ring(Algorithm::HS256);
    let exp = t0() + Duration::from_secs(60);
    let token = ring.sign_access(&claims(exp), "at+jwt", t0()).unwrap();
    assert!(ring.verify_at(&token, 0, exp).is_ok());
    let later = exp + Duration::from_secs(1);
    assert_eq!(ring.verify_at(&token, 0, later), Err(VerifyError::Expired));
    assert!(ring.verify_at(&token, 1, later).is_ok());
    assert!(ring.verify_at(&token, u64::MAX, later).is_ok());
    let past = later - Duration::from_secs(10);
    let expired = ring.sign_access(&claims(past), "at+jwt", past).unwrap();
    assert_eq!(
        ring.verify_at(&expired, 0, later),
        Err(VerifyError::Expired)
    );

    let bad_signature = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        ring.verify_at(&bad_signature, 0, later),
        Err(VerifyError::Invalid)
    );

    let mut no_exp = claims(exp);
    no_exp.remove("exp");
    let token = ring.sign_access(&no_exp, "at+jwt", t0()).unwrap();
    assert_eq!(ring.verify_at(&token, 0, t0()), Err(VerifyError::NoExp));
    no_exp.insert("exp".into(), json!("soon"));
    let token = ring.sign_access(&no_exp, "at+jwt", t0()).unwrap();
    assert_eq!(ring.verify_at(&token, 0, t0()), Err(VerifyError::Invalid));

    let mut not_yet = claims(exp);
    not_yet.insert(
        "nbf".into(),
        json!((t0() + Duration::from_secs(10)).timestamp()),
    );
    let token = ring.sign_access(&not_yet, "at+jwt", t0()).unwrap();
    assert_eq!(ring.verify_at(&token, 0, t0()), Err(VerifyError::Invalid));
    assert!(ring.verify_at(&token, 10, t0()).is_ok());

    let mut string_exp = claims(exp);
    string_exp.insert("exp".into(), json!("tomorrow"));
    let token = ring.sign_access(&string_exp, "at+jwt", t0()).unwrap();
    assert_eq!(ring.verify_at(&token, 0, t0()), Err(VerifyError::Invalid));
}

#[path = "keys_throughput.rs"]
mod throughput;

#[path = "keys_modes_tests.rs"]
mod modes;

/// RSA tokens are checked with the key parsed once (`prepared_rsa`): the same claims back, and
/// every truncation, a padded signature and a fourth segment refused, for PKCS#1 and PSS.
#[test]
fn rsa_keys_parsed_once_accept_exactly_their_tokens() {
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let (_keys, ring) = ring(alg);
        let rsa: Vec<_> = ring
            .verifiers
            .values()
            .filter(|verifier| verifier.alg == alg.to_jwt())
            .collect();
        assert!(!rsa.is_empty() && rsa.iter().all(|verifier| verifier.prepared.is_some()));
        let payload = claims(t0() + Duration::from_secs(60));
        let token = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
        assert_eq!(
            ring.verify_at(&token, 0, t0()),
            Ok(payload.clone()),
            "{alg}"
        );
        for end in 0..token.len() {
            assert_eq!(
                ring.verify_at(&token[..end], 0, t0()),
                Err(VerifyError::Invalid),
                "{alg} {end}"
            );
        }
        for changed in [
            format!("{token}="),
            format!("{token}.{}", b64(&json!({}))),
            token.replacen('.', "..", 1),
        ] {
            assert_eq!(
                ring.verify_at(&changed, 0, t0()),
                Err(VerifyError::Invalid),
                "{alg} {changed}"
            );
        }
    }
}
