//! HTTP surfaces. Handlers only extract, call the domain and respond; no SQL and no crypto here.

pub mod admin;
pub mod assets;
pub mod browser;
pub mod compat;
pub mod cookies;
pub mod cors;
pub mod extract;
pub mod failure;
pub mod forwarded;
pub mod html;
pub mod oauth;
pub mod ops;
pub mod page_language;
pub mod path_guard;
pub mod session;
pub mod simplejwt;
