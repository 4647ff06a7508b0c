//! Password hashing for human passwords (SPEC §10): argon2id at a configured cost (OWASP's
//! m=19456 KiB, t=2, p=1 by default) in PHC string format, plus verification of hashes imported from
//! Django (`pbkdf2_sha256$...`, `argon2$...`), which are upgraded at the next login.
//!
//! Every function here is CPU-heavy and synchronous: callers run it on a blocking thread.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::rngs::OsRng;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use super::argon2_memory::with_work_area;

const OUTPUT_LEN: usize = 32;

// Stored hashes are only ever read back from our own database, but a hand-edited or corrupt
// row must not make one login allocate gigabytes or spin for minutes.
const MAX_ARGON2_M_COST_KIB: u32 = 262_144;
const MAX_ARGON2_T_COST: u32 = 32;
const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;

const DJANGO_PBKDF2_PREFIX: &str = "pbkdf2_sha256$";
const DJANGO_ARGON2_PREFIX: &str = "argon2$";

/// A hash of "sesame dummy password" at the default cost, used only if hashing itself fails.
const FALLBACK_DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$PUkrc+sEH0iCOOhCyKNDuA$y7rxGrWVBu/Q0Ge8ZF3X2W+6GZxSIS3Qrl2nsVWtjRY";

/// argon2id's cost (RFC 9106 §3.1): `m_cost` memory in KiB, `t_cost` passes, `p_cost` lanes. The
/// `[argon2]` settings; the default is [`Argon2Cost::DEFAULT`].
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Cost {
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Argon2Cost {
    /// The OWASP Password Storage Cheat Sheet's argon2id configurations, `(m_cost KiB, t_cost)`
    /// with p=1: "an equal level of defense, and the only difference is a trade off between CPU
    /// and RAM usage".
    pub const OWASP_EQUIVALENTS: [(u32, u32); 5] = [
        (47_104, 1),
        (19_456, 2),
        (12_288, 3),
        (9_216, 4),
        (7_168, 5),
    ];

    /// The default: OWASP's first configuration, m=19456 KiB, t=2, p=1. Every login in flight
    /// holds `m_cost` KiB for its verification (one per password thread); OWASP's m=7168 KiB,
    /// t=5 (Keycloak's default) is as strong with 7 MiB instead of 19 MiB, and costs a little
    /// more CPU per login here, where the work area is reused (`bench/README.md`).
    pub const DEFAULT: Argon2Cost = Argon2Cost {
        m_cost: 19_456,
        t_cost: 2,
        p_cost: 1,
    };

    /// argon2's own bounds (m ≥ 8·p KiB, t ≥ 1, 1 ≤ p), and ours for what a login may cost.
    pub fn check(self) -> Result<(), String> {
        if self.m_cost > MAX_ARGON2_M_COST_KIB || self.t_cost > MAX_ARGON2_T_COST {
            return Err(format!(
                "argon2 m_cost may be at most {MAX_ARGON2_M_COST_KIB} KiB and t_cost at most \
                 {MAX_ARGON2_T_COST}"
            ));
        }
        self.params()
            .map(|_| ())
            .map_err(|err| format!("argon2 cost: {err}"))
    }

    /// Cheaper than every one of OWASP's equivalent configurations (at least its memory and its
    /// passes for none of them): worth a warning at start-up.
    pub fn below_owasp(self) -> bool {
        !Self::OWASP_EQUIVALENTS
            .iter()
            .any(|&(m_cost, t_cost)| self.m_cost >= m_cost && self.t_cost >= t_cost)
    }

    fn params(self) -> Result<Params, argon2::Error> {
        Params::new(self.m_cost, self.t_cost, self.p_cost, Some(OUTPUT_LEN))
    }
}

impl Default for Argon2Cost {
    fn default() -> Argon2Cost {
        Argon2Cost::DEFAULT
    }
}

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
    /// The password is right. `needs_rehash` asks the caller to store a new hash of the password
    /// in place of the old one (Django import, or argon2 with another cost).
    Match { needs_rehash: bool },
    /// Wrong password, or a stored hash that cannot be parsed.
    Mismatch,
}

/// Hashes and verifies human passwords at one configured cost.
#[derive(Debug)]
pub struct PasswordHasher {
    cost: Argon2Cost,
    dummy: OnceLock<String>,
}

impl PasswordHasher {
    /// A hasher at `cost` (checked by `Argon2Cost::check` when the settings load).
    pub fn new(cost: Argon2Cost) -> PasswordHasher {
        PasswordHasher {
            cost,
            dummy: OnceLock::new(),
        }
    }

    /// `password` hashed with argon2id at this cost and a random salt, as a PHC string.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let params = self
            .cost
            .params()
            .map_err(|err| PasswordError::Hash(err.into()))?;
        let hasher = Argon2::new(argon2::Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let hash = hasher
            .hash_password(password.as_bytes(), &salt)
            .map_err(PasswordError::Hash)?;
        Ok(hash.to_string())
    }

    /// Checks `password` against a stored argon2 PHC string or Django `pbkdf2_sha256` / `argon2`
    /// hash; a match at another cost asks for a rehash. Never panics: anything unparseable is a
    /// `Mismatch`.
    pub fn verify(&self, stored: &str, password: &str) -> Verification {
        if let Some(rest) = stored.strip_prefix(DJANGO_PBKDF2_PREFIX) {
            return verify_django_pbkdf2(rest, password);
        }
        if let Some(rest) = stored.strip_prefix(DJANGO_ARGON2_PREFIX) {
            // Django stores a PHC string without its leading '$'.
            return match self.verify_argon2(&format!("${rest}"), password) {
                Verification::Match { .. } => Verification::Match { needs_rehash: true },
                Verification::Mismatch => Verification::Mismatch,
            };
        }
        self.verify_argon2(stored, password)
    }

    /// A valid argon2id hash at this cost, computed once: verify against it when the user does
    /// not exist, so unknown and known users cost the same time.
    pub fn dummy_hash(&self) -> &str {
        self.dummy.get_or_init(|| {
            self.hash("sesame dummy password")
                .unwrap_or_else(|_| FALLBACK_DUMMY_HASH.to_owned())
        })
    }

    fn verify_argon2(&self, stored: &str, password: &str) -> Verification {
        let Ok(hash) = PasswordHash::new(stored) else {
            return Verification::Mismatch;
        };
        let Ok(params) = Params::try_from(&hash) else {
            return Verification::Mismatch;
        };
        if params.m_cost() > MAX_ARGON2_M_COST_KIB || params.t_cost() > MAX_ARGON2_T_COST {
            return Verification::Mismatch;
        }
        let usual_blocks = self.cost.params().map_or(0, |usual| usual.block_count());
        if !argon2_matches(&hash, &params, password, usual_blocks) {
            return Verification::Mismatch;
        }
        let current = hash.algorithm == argon2::Algorithm::Argon2id.ident()
            && hash.version == Some(Version::V0x13.into())
            && params.m_cost() == self.cost.m_cost
            && params.t_cost() == self.cost.t_cost
            && params.p_cost() == self.cost.p_cost
            && hash.hash.is_some_and(|output| output.len() == OUTPUT_LEN);
        Verification::Match {
            needs_rehash: !current,
        }
    }
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

/// What argon2's `PasswordVerifier` does, computed in a reused work area (`argon2_memory`).
/// `usual_blocks` is the work-area size to keep for reuse (the configured cost's).
fn argon2_matches(
    hash: &PasswordHash<'_>,
    params: &Params,
    password: &str,
    usual_blocks: usize,
) -> bool {
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
    let hashed = with_work_area(params.block_count(), usual_blocks, |blocks| {
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
#[path = "passwords_tests.rs"]
mod tests;
