//! Progress of long operator work (a Django import, a token flush, migrations) as the domain
//! reports it. The CLI shows it (a bar on a terminal, a periodic log line otherwise, in
//! `cli::progress`); the domain and the store know neither, only this trait.

/// Receives the progress of long work, one phase at a time. Counts are items of the phase
/// (users, rows, migrations).
pub trait Progress: Send + Sync {
    /// A phase named `what` (`"importing users"`) begins, with `total` items when known.
    fn start(&self, what: &str, total: Option<u64>);
    /// `done` more items of the phase are finished.
    fn advance(&self, done: u64);
    /// The phase is over (also after it stopped early on an error).
    fn finish(&self);
    /// Whether totals are worth a query of their own (a rate and ETA to show); silent
    /// observers skip the count.
    fn wants_totals(&self) -> bool {
        false
    }
}

/// Shows nothing: the server's own start-up migrations (it logs its own lines) and tests.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
