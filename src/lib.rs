//! Sesame: an OAuth 2.0 / OpenID Connect authorization server with a simplejwt-compatible API.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod crypto;
pub mod entities;
pub mod http;
pub mod i18n;
pub mod paths;
pub mod progress;
pub mod router;
pub mod server;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod views;

pub use config::Config;
pub use router::{build_ops_router, build_router};
pub use state::AppState;
