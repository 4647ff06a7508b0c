//! Password hashing for human passwords (SPEC §10): argon2id with the OWASP parameters
//! (m=19456 KiB, t=2, p=1) in PHC string format, plus verification of hashes imported from
//! Django (`pbkdf2_sha256$...`, `argon2$...`), which are upgraded at the next login.
//!
//! Every function here is CPU-heavy and synchronous: callers run it on a blocking thread.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::rngs::OsRng;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use super::argon2_memory::with_work_area;

const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

// Stored hashes are only ever read back from our own database, but a hand-edited or corrupt
// row must not make one login allocate gigabytes or spin for minutes.
const MAX_ARGON2_M_COST_KIB: u32 = 262_144;
const MAX_ARGON2_T_COST: u32 = 32;
const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;

const DJANGO_PBKDF2_PREFIX: &str = "pbkdf2_sha256$";
const DJANGO_ARGON2_PREFIX: &str = "argon2$";

/// `hash_password("sesame dummy password")`, used only if hashing itself fails at run time.
const FALLBACK_DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$PUkrc+sEH0iCOOhCyKNDuA$y7rxGrWVBu/Q0Ge8ZF3X2W+6GZxSIS3Qrl2nsVWtjRY";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The argon2 implementation refused the parameters or the input.
    #[error("argon2 hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The password is right. `needs_rehash` asks the caller to store `hash_password(password)`
    /// in place of the old hash (Django import, or argon2 with other parameters).
    Match { needs_rehash: bool },
    /// Wrong password, or a stored hash that cannot be parsed.
    Mismatch,
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN))
        .map_err(|err| PasswordError::Hash(err.into()))?;
    Ok(Argon2::new(
        argon2::Algorithm::Argon2id,
        Version::V0x13,
        params,
    ))
}

/// Hash `password` with argon2id (m=19456 KiB, t=2, p=1) and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(PasswordError::Hash)?;
    Ok(hash.to_string())
}

/// Check `password` against a stored argon2 PHC string or Django `pbkdf2_sha256` / `argon2` hash.
/// Never panics: anything unparseable is a `Mismatch`.
pub fn verify_password(stored: &str, password: &str) -> Verification {
    if let Some(rest) = stored.strip_prefix(DJANGO_PBKDF2_PREFIX) {
        return verify_django_pbkdf2(rest, password);
    }
    if let Some(rest) = stored.strip_prefix(DJANGO_ARGON2_PREFIX) {
        // Django stores a PHC string without its leading '$'.
        return match verify_argon2(&format!("${rest}"), password) {
            Verification::Match { .. } => Verification::Match { needs_rehash: true },
            Verification::Mismatch => Verification::Mismatch,
        };
    }
    verify_argon2(stored, password)
}

/// A valid argon2id hash with `hash_password`'s parameters, computed once per process: verify
/// against it when the user does not exist, so unknown and known users cost the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password("sesame dummy password").unwrap_or_else(|_| FALLBACK_DUMMY_HASH.to_owned())
    })
}

/// Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` for `password`, byte for byte
/// what Django's `PBKDF2PasswordHasher.encode` produces.
pub fn django_pbkdf2_sha256(password: &str, salt: &str, iterations: u32) -> String {
    let mut derived = [0u8; OUTPUT_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    format!(
        "{DJANGO_PBKDF2_PREFIX}{iterations}${salt}${}",
        STANDARD.encode(derived)
    )
}

fn verify_argon2(stored: &str, password: &str) -> Verification {
    let Ok(hash) = PasswordHash::new(stored) else {
        return Verification::Mismatch;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return Verification::Mismatch;
    };
    if params.m_cost() > MAX_ARGON2_M_COST_KIB || params.t_cost() > MAX_ARGON2_T_COST {
        return Verification::Mismatch;
    }
    if !argon2_matches(&hash, &params, password) {
        return Verification::Mismatch;
    }
    let current = hash.algorithm == argon2::Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && params.m_cost() == M_COST_KIB
        && params.t_cost() == T_COST
        && params.p_cost() == P_COST
        && hash.hash.is_some_and(|output| output.len() == OUTPUT_LEN);
    Verification::Match {
        needs_rehash: !current,
    }
}

/// What argon2's `PasswordVerifier` does, computed in a reused work area (`argon2_memory`).
fn argon2_matches(hash: &PasswordHash<'_>, params: &Params, password: &str) -> bool {
    let Ok(algorithm) = argon2::Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let Ok(version) = hash.version.map(Version::try_from).transpose() else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let hasher = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
    let mut computed = vec![0u8; expected.len()];
    let standard_blocks =
        Params::new(M_COST_KIB, T_COST, P_COST, None).map_or(0, |standard| standard.block_count());
    let hashed = with_work_area(params.block_count(), standard_blocks, |blocks| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, blocks)
    });
    hashed.is_ok() && bool::from(computed.ct_eq(expected.as_bytes()))
}

fn verify_django_pbkdf2(rest: &str, password: &str) -> Verification {
    let mut parts = rest.split('$');
    let (Some(iterations), Some(salt), Some(encoded), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Verification::Mismatch;
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return Verification::Mismatch;
    };
    let Ok(expected) = STANDARD.decode(encoded) else {
        return Verification::Mismatch;
    };
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS || expected.len() != OUTPUT_LEN {
        return Verification::Mismatch;
    }
    let mut derived = [0u8; OUTPUT_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    if derived.ct_eq(expected.as_slice()).into() {
        Verification::Match { needs_rehash: true }
    } else {
        Verification::Mismatch
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hash_verifies_with_owasp_parameters() {
        let hash = hash_password("correct horse").unwrap();
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
        let phc = hash_password("pw").unwrap();
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
        assert!(matches!(
            verify_password(dummy_hash(), "anything"),
            Verification::Mismatch
        ));
        assert!(dummy_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify_password(FALLBACK_DUMMY_HASH, "sesame dummy password"),
            Verification::Match {
                needs_rehash: false
            }
        );
    }
}
