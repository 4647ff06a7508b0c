//! HTTP surfaces. Handlers only extract, call the domain and respond; no SQL and no crypto here.

pub mod admin;
pub mod extract;
pub mod oauth;
pub mod ops;
pub mod session;
