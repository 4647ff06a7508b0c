//! Test passwords, hashed cheaply. The production parameters (m=19456 KiB, t=2) cost tens of
//! milliseconds a hash; where the hash itself is not under test, users are stored with an
//! argon2id hash at test cost instead, and the default password is hashed once per process.
//! Verification reads the parameters from the PHC string, so it verifies all the same.
//!
//! Sesame upgrades such a hash to its own parameters at the user's first login (as it does an
//! imported one); tests of hashing go through `accounts::create_user` and the HTTP surfaces.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The password of every test user unless the builder says otherwise.
pub const PASSWORD: &str = "correct horse battery staple";

const TEST_M_COST_KIB: u32 = 1024;
const TEST_T_COST: u32 = 1;
const TEST_P_COST: u32 = 1;

/// An argon2id PHC string for `password` at test cost.
pub fn cheap_hash(password: &str) -> String {
    let params = Params::new(TEST_M_COST_KIB, TEST_T_COST, TEST_P_COST, Some(32)).expect("params");
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id")
        .to_string()
}

/// The cheap hash of [`PASSWORD`], computed once per process.
pub fn default_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| cheap_hash(PASSWORD))
}
