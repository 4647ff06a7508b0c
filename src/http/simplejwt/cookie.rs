//! The token views' name for the refresh cookie of cookie mode, which `http::cookies` defines
//! beside every other cookie Sesame sets.

pub use crate::http::cookies::refresh::{clear, enabled, read, set};
