//! Test passwords, hashed cheaply. The production cost (m=19456 KiB, t=2) is tens of milliseconds
//! a hash, paid on every user created, every login and every re-hash; the test apps run argon2id
//! at [`TEST_COST`] instead (`[argon2]`, a setting like any other), and users the builder creates
//! are stored with a hash of that cost, the default password's computed once per process.
//! The production cost itself is pinned by `crypto::passwords`' unit tests.

use std::sync::OnceLock;

use sesame::crypto::passwords::{Argon2Cost, PasswordHasher};

/// The password of every test user unless the builder says otherwise.
pub const PASSWORD: &str = "correct horse battery staple";

/// argon2id's smallest sensible cost: 1 MiB, one pass, one lane.
pub const TEST_COST: Argon2Cost = Argon2Cost {
    m_cost: 1024,
    t_cost: 1,
    p_cost: 1,
};

/// An argon2id PHC string for `password` at test cost.
pub fn cheap_hash(password: &str) -> String {
    PasswordHasher::new(TEST_COST)
        .hash(password)
        .expect("argon2id")
}

/// The cheap hash of [`PASSWORD`], computed once per process.
pub fn default_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| cheap_hash(PASSWORD))
}
