//! Serialising the password checks of one source on one account within this process, so each
//! attempt sees the failures recorded by the ones before it (the throttle's state is in the
//! database; this only orders the attempts in flight).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::store::login_attempts::Pair;

/// One gate per pair with an attempt in flight in this process: attempts of one source on one
/// account are checked one after the other, so each sees the failures of the ones before it.
#[derive(Default)]
pub struct Gates(Mutex<HashMap<Pair, Arc<tokio::sync::Mutex<()>>>>);

/// Past this many gates, the idle ones are dropped before another is added.
const GATES_KEPT: usize = 1024;

impl Gates {
    /// Waits for the attempts of `pair` before this one; the gate opens when the guard drops.
    pub async fn enter(&self, pair: &Pair) -> tokio::sync::OwnedMutexGuard<()> {
        let gate = {
            // A poisoned map only means a panic while it was held; the gates in it are sound.
            let mut gates = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if gates.len() >= GATES_KEPT {
                gates.retain(|_, gate| Arc::strong_count(gate) > 1);
            }
            Arc::clone(gates.entry(pair.clone()).or_default())
        };
        gate.lock_owned().await
    }
}
