//! Operations per second of the primitives behind Sesame's hot endpoints, on 1 thread and on
//! every core at once. Reports wall-clock rates and the process CPU time per operation (read
//! from /proc, so it stays meaningful when other jobs share the machine).
//!
//!     cargo run --release -- [seconds-per-measurement]

use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::sign::Signer;

/// utime+stime of this process, in seconds.
fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0 // CLK_TCK is 100 on Linux
}

fn measure(name: &str, secs: f64, threads: usize, op: &(dyn Fn() + Sync)) {
    let deadline = Duration::from_secs_f64(secs);
    let cpu0 = process_cpu();
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = 0u64;
                    while started.elapsed() < deadline {
                        op();
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("join")).sum()
    });
    let wall = started.elapsed().as_secs_f64();
    let cpu = process_cpu() - cpu0;
    println!(
        "{name:<46} threads={threads}  {:>10.1} ops/s  {:>9.1} us CPU/op",
        total as f64 / wall,
        cpu * 1e6 / total as f64
    );
}

fn main() {
    let secs: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let only = std::env::args().nth(2).unwrap_or_default();
    let want = |k: &str| only.is_empty() || only.contains(k);

    // A typical access-token signing input (header.payload, ~420 bytes).
    let input = vec![b'e'; 420];

    if want("argon2") {
        let params = Params::new(19_456, 2, 1, Some(32)).expect("params");
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::encode_b64(b"sesame-bench-salt").expect("salt");
        let phc = hasher.hash_password(b"pw", &salt).expect("hash").to_string();
        let hash = PasswordHash::new(&phc).expect("phc");
        // Exactly what Sesame's verify_argon2 calls.
        let op = || Argon2::default().verify_password(b"pw", &hash).expect("verifies");
        measure("argon2id verify m=19456 t=2 p=1 (argon2 0.5)", secs, 1, &op);
        measure("argon2id verify m=19456 t=2 p=1 (argon2 0.5)", secs, cores, &op);
    }

    let rsa = Rsa::generate(2048).expect("rsa");
    let pkey = PKey::from_rsa(rsa).expect("pkey");
    let pkcs8 = pkey.private_key_to_pkcs8().expect("pkcs8");
    if want("rsa") {
        let op = || {
            let mut signer = Signer::new(MessageDigest::sha256(), &pkey).expect("signer");
            signer.update(&input).expect("update");
            signer.sign_to_vec().expect("sign");
        };
        measure("RS256 sign, OpenSSL (josekit's backend)", secs, 1, &op);
        measure("RS256 sign, OpenSSL (josekit's backend)", secs, cores, &op);

        let key = RsaKeyPair::from_pkcs8(&pkcs8).expect("aws-lc rsa");
        let rng = SystemRandom::new();
        let op = || {
            let mut sig = vec![0; key.public_modulus_len()];
            key.sign(&signature::RSA_PKCS1_SHA256, &rng, &input, &mut sig).expect("sign");
        };
        measure("RS256 sign, aws-lc-rs", secs, 1, &op);
        measure("RS256 sign, aws-lc-rs", secs, cores, &op);

        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(&signature::RSA_PKCS1_SHA256, &rng, &input, &mut sig).expect("sign");
        let public = signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            key.public_key().as_ref().to_vec(),
        );
        let op = || public.verify(&input, &sig).expect("verify");
        measure("RS256 verify, aws-lc-rs (jsonwebtoken's)", secs, 1, &op);
    }
    if want("ec") {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("p256");
        let key = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref())
            .expect("p256");
        let op = || {
            key.sign(&rng, &input).expect("sign");
        };
        measure("ES256 sign, aws-lc-rs", secs, 1, &op);
        let doc = Ed25519KeyPair::generate_pkcs8(&rng).expect("ed25519");
        let key = Ed25519KeyPair::from_pkcs8(doc.as_ref()).expect("ed25519");
        let op = || {
            key.sign(&input);
        };
        measure("EdDSA (Ed25519) sign, aws-lc-rs", secs, 1, &op);
        let hkey = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &[7; 32]);
        let op = || {
            aws_lc_rs::hmac::sign(&hkey, &input);
        };
        measure("HS256 sign, aws-lc-rs", secs, 1, &op);
    }
}
