//! Sesame's integration tests: one binary, many modules, each test on its own database.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod admin_support;
mod helpers;

mod admin_access;
mod admin_audit;
mod admin_chromium;
mod admin_clients;
mod admin_escaping;
mod admin_keys;
mod admin_tokens;
mod admin_users;
mod discovery;
mod introspect;
mod ops;
mod relying_party;
mod revoke;
mod token_errors;
mod token_grants;
mod token_refresh;
mod userinfo;
