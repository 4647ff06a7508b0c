//! The time every request is served at. Handlers and background work read it here, once, and hand
//! it to the domain as `now`; nothing below the HTTP edge and the CLI reads the system clock.
//!
//! Production runs on [`SystemClock`]. Tests give the state a clock they move by hand, so expiry,
//! caching and throttling are tested without sleeping.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// A source of the current time (UTC).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A shared clock handle, cheap to clone.
#[derive(Clone)]
pub struct SharedClock(Arc<dyn Clock>);

impl SharedClock {
    pub fn new(clock: impl Clock + 'static) -> SharedClock {
        SharedClock(Arc::new(clock))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
}

impl Default for SharedClock {
    fn default() -> SharedClock {
        SharedClock::new(SystemClock)
    }
}

impl fmt::Debug for SharedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedClock").field(&self.now()).finish()
    }
}
