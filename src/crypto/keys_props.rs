//! Properties of token verification (`KeyRing::verify_at`, behind every surface's token checks):
//! whatever a client sends as a token, the answer is a clean `Invalid`, never a panic, and a
//! signed token changed anywhere no longer verifies.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

use super::tests::{claims, ring, t0};
use super::*;

/// One RSA and one HMAC ring for every case (generating a key per case would dominate).
static RINGS: LazyLock<Vec<(super::tests::Keys, KeyRing)>> =
    LazyLock::new(|| vec![ring(Algorithm::RS256), ring(Algorithm::HS256)]);

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JOSE header naming a real or made-up kid and any algorithm, sometimes with junk members.
fn header() -> impl Strategy<Value = String> {
    let kid = prop_oneof![
        Just(RINGS[0].1.signing_key_id(t0()).to_owned()),
        Just(RINGS[1].1.signing_key_id(t0()).to_owned()),
        "[ -~]{0,12}",
    ];
    let alg = prop_oneof![
        Just("none".to_owned()),
        Just("RS256".to_owned()),
        Just("HS256".to_owned()),
        "[A-Za-z0-9]{0,6}"
    ];
    (kid, alg, "[ -~]{0,16}").prop_map(|(kid, alg, junk)| {
        format!(
            r#"{{"alg":"{alg}","kid":{},"x":{junk:?}}}"#,
            serde_json::json!(kid)
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_is_refused(token in "[ -~]{0,200}") {
        for (_, ring) in RINGS.iter() {
            prop_assert_eq!(ring.verify_at(&token, 0, t0()).unwrap_err(), VerifyError::Invalid);
        }
    }

    #[test]
    fn any_three_segments_are_refused(
        header in header(),
        payload in proptest::collection::vec(any::<u8>(), 0..120),
        signature in proptest::collection::vec(any::<u8>(), 0..300),
        leeway in any::<u64>(),
    ) {
        let token = format!("{}.{}.{}", b64(header.as_bytes()), b64(&payload), b64(&signature));
        for (_, ring) in RINGS.iter() {
            prop_assert_eq!(ring.verify_at(&token, leeway, t0()).unwrap_err(), VerifyError::Invalid);
        }
    }

    #[test]
    fn a_changed_token_is_refused(position in any::<prop::sample::Index>(), with in "[A-Za-z0-9_.=-]") {
        for (_, ring) in RINGS.iter() {
            let token = ring.sign_access(&claims(t0() + chrono::Duration::hours(1)), "at+jwt", t0()).unwrap();
            let at = position.index(token.len());
            let mut changed = token.clone();
            changed.replace_range(at..=at, &with);
            prop_assume!(changed != token);
            prop_assert_eq!(ring.verify_at(&changed, 0, t0()).unwrap_err(), VerifyError::Invalid);
        }
    }
}
