//! Sesame's schema migrations: one file per table or change, each with a real `down`.
//!
//! Migrations describe the schema with sea-query only (never the server's entities), so
//! the same statements run on SQLite and PostgreSQL and old migrations never change when
//! an entity does.
//! A column derived from others is computed in Rust by the code the server writes it with
//! (the `identifiers` crate for the canonical usernames, emails and phones), never by SQL
//! functions that differ between the two databases.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_users;
mod m20261126_000002_create_clients;
mod m20261126_000003_create_refresh_tokens;
mod m20261126_000004_create_revocations;
mod m20261127_040001_create_sessions;
mod m20261127_040002_create_login_attempts;
mod m20261127_040003_create_authorization_codes;
mod m20261127_050001_create_audit_events;
mod m20261201_000001_index_revocations_revoked_at;
mod m20261201_000002_login_attempts_device_key;
mod m20261201_010001_users_canonical_identifiers;
mod m20261201_020001_clients_logo_uri;
mod m20261201_030001_create_signing_keys;
mod m20261202_000001_refresh_tokens_outstanding_user_index;

/// Every migration, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_users::Migration),
            Box::new(m20261126_000002_create_clients::Migration),
            Box::new(m20261126_000003_create_refresh_tokens::Migration),
            Box::new(m20261126_000004_create_revocations::Migration),
            Box::new(m20261127_040001_create_sessions::Migration),
            Box::new(m20261127_040002_create_login_attempts::Migration),
            Box::new(m20261127_040003_create_authorization_codes::Migration),
            Box::new(m20261127_050001_create_audit_events::Migration),
            Box::new(m20261201_000001_index_revocations_revoked_at::Migration),
            Box::new(m20261201_000002_login_attempts_device_key::Migration),
            Box::new(m20261201_010001_users_canonical_identifiers::Migration),
            Box::new(m20261201_020001_clients_logo_uri::Migration),
            Box::new(m20261201_030001_create_signing_keys::Migration),
            Box::new(m20261202_000001_refresh_tokens_outstanding_user_index::Migration),
        ]
    }
}
