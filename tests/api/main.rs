//! Sesame's integration tests: one binary, many modules, each test on its own database.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

mod admin_access;
mod admin_audit;
mod admin_chromium;
mod admin_clients;
mod admin_escaping;
mod admin_keys;
mod admin_tokens;
mod admin_users;
mod audit_trail;
mod authorize;
mod browser_chromium;
mod browser_login;
mod cli;
mod code_grant;
mod compat;
mod cookie_cors;
mod directory_cache;
mod discovery;
mod django_import;
mod introspect;
mod login_freshness;
mod native_apps;
mod oidc_logout;
mod ops;
mod refresh_retries;
mod refresh_scope;
mod register;
mod relying_party;
mod relying_party_code;
mod revocation_audit;
mod revoke;
mod rotation_groups;
mod simplejwt_me;
mod simplejwt_obtain;
mod simplejwt_refresh;
mod simplejwt_sliding;
mod simplejwt_verify_blacklist;
mod throttling;
mod token_errors;
mod token_grants;
mod token_refresh;
mod trusted_proxies;
mod untrusted_bodies;
mod userinfo;
