//! How fast the ring signs and verifies, against jsonwebtoken's own signing (the README's figures).

use std::time::{Duration, Instant};

use jsonwebtoken::{EncodingKey, Header};

use super::*;

fn per_second(n: u32, started: Instant) -> f64 {
    f64::from(n) / started.elapsed().as_secs_f64()
}

/// `cargo test --release --lib crypto::keys -- --ignored --nocapture`
#[test]
#[ignore = "benchmark, run in release"]
fn signing_and_verification_throughput() {
    const N: u32 = 2_000;
    let (keys, ring) = ring(Algorithm::RS256);
    let kid = ring.signing_key_id(t0()).to_owned();
    let payload = claims(t0() + Duration::from_secs(300));

    let started = Instant::now();
    for _ in 0..N {
        ring.sign_access(&payload, "at+jwt", t0()).unwrap();
    }
    println!(
        "RS256 sign, josekit (OpenSSL key parsed once): {:.0}/s",
        per_second(N, started)
    );

    let key = EncodingKey::from_rsa_pem(keys.pem(&kid)).unwrap();
    let mut header = Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid);
    header.typ = Some("at+jwt".into());
    let started = Instant::now();
    for _ in 0..N {
        jsonwebtoken::encode(&header, &payload, &key).unwrap();
    }
    println!(
        "RS256 sign, jsonwebtoken aws_lc_rs EncodingKey: {:.0}/s",
        per_second(N, started)
    );

    let token = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
    let started = Instant::now();
    for _ in 0..N * 10 {
        ring.verify_at(&token, 0, t0()).unwrap();
    }
    println!(
        "RS256 verify, jsonwebtoken aws_lc_rs: {:.0}/s",
        per_second(N * 10, started)
    );

    let refresh = ring.sign_refresh(&payload).unwrap();
    let started = Instant::now();
    for _ in 0..N * 10 {
        ring.sign_refresh(&payload).unwrap();
        ring.verify_at(&refresh, 0, t0()).unwrap();
    }
    println!(
        "HS256 refresh sign + verify: {:.0}/s",
        per_second(N * 10, started)
    );

    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::PS256] {
        let (_keys, ring) = self::ring(alg);
        let started = Instant::now();
        for _ in 0..N {
            ring.sign_access(&payload, "at+jwt", t0()).unwrap();
        }
        let sign = per_second(N, started);
        let token = ring.sign_access(&payload, "at+jwt", t0()).unwrap();
        let started = Instant::now();
        for _ in 0..N {
            ring.verify_at(&token, 0, t0()).unwrap();
        }
        println!(
            "{alg}: sign {sign:.0}/s, verify {:.0}/s",
            per_second(N, started)
        );
    }
}
