//! SeaORM entities, one per table. The schema itself lives in the `migration` crate.
//!
//! List-valued columns (`roles`, `redirect_uris`, `scopes`, ...) are single text columns
//! holding space-separated items; `crate::store::split_list` / `join_list` convert them.

pub mod audit_events;
pub mod authorization_codes;
pub mod clients;
pub mod key_ring;
pub mod login_attempts;
pub mod refresh_tokens;
pub mod revocations;
pub mod sessions;
pub mod signing_keys;
pub mod users;
