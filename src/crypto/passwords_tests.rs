use super::*;

fn default_cost() -> PasswordHasher {
    PasswordHasher::new(Argon2Cost::default())
}

fn verify_password(stored: &str, password: &str) -> Verification {
    default_cost().verify(stored, password)
}

#[test]
fn argon2id_hash_verifies_with_the_default_owasp_parameters() {
    let hash = default_cost().hash("correct horse").unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert_eq!(
        verify_password(&hash, "correct horse"),
        Verification::Match {
            needs_rehash: false
        }
    );
    assert_eq!(
        verify_password(&hash, "wrong horse"),
        Verification::Mismatch
    );
}

#[test]
fn argon2_hash_with_other_parameters_needs_rehash() {
    let params = Params::new(8, 1, 1, None).unwrap();
    let weak = Argon2::new(argon2::Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    let hash = weak.hash_password(b"pw", &salt).unwrap().to_string();
    assert_eq!(
        verify_password(&hash, "pw"),
        Verification::Match { needs_rehash: true }
    );
}

#[test]
fn django_pbkdf2_hash_verifies_and_needs_rehash() {
    let hash = django_pbkdf2_sha256("s3cret!", "NaClNaCl", 1_000);
    assert!(hash.starts_with("pbkdf2_sha256$1000$NaClNaCl$"));
    assert_eq!(
        verify_password(&hash, "s3cret!"),
        Verification::Match { needs_rehash: true }
    );
    assert_eq!(verify_password(&hash, "s3cret?"), Verification::Mismatch);
}

#[test]
fn django_pbkdf2_matches_django_output() {
    // Computed with Python's hashlib.pbkdf2_hmac, which Django's hasher calls.
    let expected = "pbkdf2_sha256$1000$seasalt$JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A=";
    assert_eq!(django_pbkdf2_sha256("lètmein", "seasalt", 1_000), expected);
    assert_eq!(
        verify_password(expected, "lètmein"),
        Verification::Match { needs_rehash: true }
    );
}

#[test]
fn django_argon2_hash_verifies_and_needs_rehash() {
    let phc = default_cost().hash("pw").unwrap();
    let django = format!("argon2{phc}");
    assert_eq!(
        verify_password(&django, "pw"),
        Verification::Match { needs_rehash: true }
    );
    assert_eq!(verify_password(&django, "nope"), Verification::Mismatch);
}

#[test]
fn malformed_hashes_mismatch() {
    let valid = django_pbkdf2_sha256("pw", "salt", 10);
    let malformed = [
        "",
        "$",
        "plain-text-password",
        "pbkdf2_sha256$",
        "pbkdf2_sha256$abc$salt$hash",
        "pbkdf2_sha256$0$salt$AAAA",
        "pbkdf2_sha256$10$salt$not base64!",
        "pbkdf2_sha256$10$salt$AAAA",
        "pbkdf2_sha256$4294967295$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        &format!("{valid}$extra"),
        "$argon2id$v=19$m=19456,t=2,p=1$",
        "$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=16,r=8,p=1$c2FsdA$AAAA",
        "argon2$",
        "\u{0}\u{ffff}",
    ];
    for stored in malformed {
        assert_eq!(
            verify_password(stored, "pw"),
            Verification::Mismatch,
            "{stored}"
        );
    }
}

#[test]
fn dummy_hash_is_a_current_argon2id_hash() {
    let hasher = default_cost();
    assert!(matches!(
        hasher.verify(hasher.dummy_hash(), "anything"),
        Verification::Mismatch
    ));
    assert!(
        hasher
            .dummy_hash()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    assert_eq!(
        verify_password(FALLBACK_DUMMY_HASH, "sesame dummy password"),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[test]
fn a_configured_cost_hashes_at_that_cost_and_rehashes_others() {
    let cheap = PasswordHasher::new(Argon2Cost {
        m_cost: 1024,
        t_cost: 1,
        p_cost: 1,
    });
    let hash = cheap.hash("pw").unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
    assert!(
        cheap
            .dummy_hash()
            .starts_with("$argon2id$v=19$m=1024,t=1,p=1$")
    );
    assert_eq!(
        cheap.verify(&hash, "pw"),
        Verification::Match {
            needs_rehash: false
        }
    );
    assert_eq!(
        default_cost().verify(&hash, "pw"),
        Verification::Match { needs_rehash: true },
        "a hash at another cost is upgraded at the next login"
    );
}

#[test]
fn costs_outside_argon2s_bounds_or_ours_are_refused() {
    assert!(Argon2Cost::default().check().is_ok());
    assert!(!Argon2Cost::default().below_owasp());
    for (m_cost, t_cost, p_cost) in [
        (4, 1, 1),
        (1024, 0, 1),
        (1024, 1, 0),
        (1 << 20, 1, 1),
        (19_456, 64, 1),
    ] {
        let cost = Argon2Cost {
            m_cost,
            t_cost,
            p_cost,
        };
        assert!(cost.check().is_err(), "{cost:?}");
    }
    let cheap = Argon2Cost {
        m_cost: 1024,
        t_cost: 1,
        p_cost: 1,
    };
    assert!(cheap.check().is_ok() && cheap.below_owasp());
}

#[test]
fn every_owasp_equivalent_and_anything_above_one_is_not_below_owasp() {
    let cost = |m_cost, t_cost| Argon2Cost {
        m_cost,
        t_cost,
        p_cost: 1,
    };
    assert_eq!(Argon2Cost::default(), cost(19_456, 2));
    for (m_cost, t_cost) in Argon2Cost::OWASP_EQUIVALENTS {
        assert!(!cost(m_cost, t_cost).below_owasp(), "m={m_cost} t={t_cost}");
        assert!(!cost(m_cost + 1, t_cost + 1).below_owasp());
        assert!(cost(m_cost, t_cost).check().is_ok());
    }
    // One step below each row in either dimension, and not covered by another row.
    for (m_cost, t_cost) in [
        (47_103, 1),
        (19_455, 2),
        (7_167, 5),
        (7_167, 32),
        (12_287, 3),
        (65_536, 0),
        (1_024, 1),
    ] {
        assert!(cost(m_cost, t_cost).below_owasp(), "m={m_cost} t={t_cost}");
    }
    // Between rows: 19 MiB with t=3 is above the (12288, 3) row.
    assert!(!cost(19_456, 3).below_owasp());
}

#[test]
fn moving_to_an_equivalent_owasp_cost_upgrades_stored_hashes() {
    let light = PasswordHasher::new(Argon2Cost {
        m_cost: 7_168,
        t_cost: 5,
        p_cost: 1,
    });
    let hash = default_cost().hash("pw").unwrap();
    assert_eq!(
        light.verify(&hash, "pw"),
        Verification::Match { needs_rehash: true }
    );
    assert_eq!(light.verify(&hash, "wrong"), Verification::Mismatch);
    let rehashed = light.hash("pw").unwrap();
    assert!(
        rehashed.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{rehashed}"
    );
    assert_eq!(
        light.verify(&rehashed, "pw"),
        Verification::Match {
            needs_rehash: false
        }
    );
}
