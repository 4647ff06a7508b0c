//! Login throttling (SPEC §10): delays keyed by who is guessing, never a hard lock. Every surface
//! that checks a password (the password grant, `/api/token/`, the compat login, the HTML form)
//! goes through here via `accounts::check_password`; the failures live in the database
//! (`login_attempts`), so every instance throttles alike.
//!
//! - **Source on account**: a source is the device cookie a browser that signed in to the account
//!   before carries (OWASP "device cookies"), else the client IP (IPv6 by /64). After
//!   [`SOURCE_FREE_FAILURES`] failures of one source on one account, that source waits
//!   `BASE_DELAY * 2^n` from its latest failure, capped at [`MAX_DELAY`]. Another source is not
//!   affected, so an attacker cannot keep the owner out.
//! - **Address**: an IP with [`IP_FREE_FAILURES`] failures within [`IP_WINDOW`], on any accounts,
//!   waits the same way (a device-cookie holder behind that address does not).
//! - **Account ceiling**: once an account has had [`ACCOUNT_FREE_FAILURES`] failures within
//!   [`ACCOUNT_WINDOW`] from all sources together, every source that has itself failed on it in
//!   that window waits, at most [`ACCOUNT_MAX_DELAY`] from its own latest failure. A source with
//!   no failure of its own on the account is never delayed by it: it slows a distributed guess
//!   without locking anyone out.
//!
//! Only a password check that failed is recorded, after it failed: an attempt in flight is not a
//! failure. Concurrent attempts of one source on one account are taken one after the other
//! ([`Gates`]), so a burst of guesses cannot all pass the check before the first failure is
//! written. A throttled attempt is refused before the password is looked at and is not recorded.
//! Unknown identifiers are throttled exactly like accounts, so throttling tells nobody whether an
//! account exists.

use std::net::IpAddr;

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Error;
use super::device::Device;
use crate::state::AppState;
use crate::store;
use crate::store::login_attempts::{Pair, Summary};

/// Failures one source may have on one account before its delay starts.
pub const SOURCE_FREE_FAILURES: u64 = 5;
/// Failures an IP may have within [`IP_WINDOW`], on any accounts, before its delay starts.
pub const IP_FREE_FAILURES: u64 = 100;
/// The window over which an IP's failures are counted.
pub const IP_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Failures an account may have within [`ACCOUNT_WINDOW`], from all sources, before the ceiling
/// slows the sources that failed.
pub const ACCOUNT_FREE_FAILURES: u64 = 50;
/// The window over which an account's failures are counted for the ceiling.
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(10 * 60);
/// The longest wait the account ceiling imposes on a source.
pub const ACCOUNT_MAX_DELAY: Duration = Duration::from_secs(60);
/// The first delay; each further failure doubles it.
pub const BASE_DELAY: Duration = Duration::from_secs(1);
/// The longest delay: an attacker can slow their own source down, never lock anyone out.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Attempts older than this are forgotten (and deleted by `sesame tokens flush`).
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// What a throttled attempt ran into; each surface words it in its own format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Too many failures on this account from this source.
    Source,
    /// Too many failures from this address, on any accounts.
    Address,
    /// Too many failures on this account from many sources, this one among them.
    Account,
}

impl Scope {
    /// A sentence without its full stop: "too many failed login attempts ...".
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Source => "too many failed login attempts for this account from this client",
            Scope::Address => "too many failed login attempts from this network address",
            Scope::Account => "too many failed login attempts for this account from many addresses",
        }
    }

    /// The metric label: `source`, `address`, `account`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Source => "source",
            Scope::Address => "address",
            Scope::Account => "account",
        }
    }
}

/// Where a login attempt comes from.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// The client IP, when the connection gave one.
    pub ip: Option<IpAddr>,
    /// The device cookie the login form came with, verified; used only for the account it names.
    pub device: Option<Device>,
}

impl Source {
    /// A source known by its address only (the JSON surfaces, which keep no cookies).
    pub fn ip(ip: Option<IpAddr>) -> Source {
        Source { ip, device: None }
    }
}

/// The pair an attempt on `identifier` (naming the user `user_id` if it exists) from `source` is
/// counted as.
pub fn pair(user_id: Option<i64>, identifier: &str, source: &Source) -> Pair {
    let account_key = match user_id {
        // One account has up to three identifiers; they share one counter.
        Some(id) => format!("user:{id}"),
        None => format!("name:{}", identifiers::canonical_username(identifier)),
    };
    let device_key = source
        .device
        .as_ref()
        .filter(|device| user_id == Some(device.user_id))
        .map(|device| device.id.clone());
    Pair {
        account_key,
        ip_key: source.ip.map(ip_key),
        device_key,
    }
}

/// An IPv4 address as it is; an IPv6 address as its /64, the block one subscriber usually holds.
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The wait after `failures` failures of which `free` cost nothing; `None` while under `free`.
pub fn delay_after(failures: u64, free: u64) -> Option<Duration> {
    let beyond = failures.checked_sub(free)?;
    let factor = 1u32.checked_shl(u32::try_from(beyond).unwrap_or(u32::MAX));
    Some(
        factor
            .and_then(|f| BASE_DELAY.checked_mul(f))
            .map_or(MAX_DELAY, |d| d.min(MAX_DELAY)),
    )
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// How long until `delay` after `latest` has passed, if it has not by `now`.
fn wait(
    delay: Option<Duration>,
    latest: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let retry_at = latest? + to_chrono(delay?);
    (retry_at > now).then(|| (retry_at - now).to_std().unwrap_or_default())
}

/// How long a source whose failures on an account are `own` must wait by its own delay.
pub fn source_wait(own: Summary, now: DateTime<Utc>) -> Option<Duration> {
    wait(
        delay_after(own.count, SOURCE_FREE_FAILURES),
        own.latest,
        now,
    )
}

/// The wait the account ceiling imposes on a source whose own failures are `own`, when the
/// account has had `account` failures in the window.
fn ceiling_wait(account: Summary, own: Summary, now: DateTime<Utc>) -> Option<Duration> {
    let delay = delay_after(account.count, ACCOUNT_FREE_FAILURES)?.min(ACCOUNT_MAX_DELAY);
    wait(Some(delay), own.latest, now)
}

/// Refuses the attempt with [`Error::Throttled`] while its source must wait, saying which rule
/// (the longest wait) it ran into.
pub async fn check(state: &AppState, pair: &Pair, now: DateTime<Utc>) -> Result<(), Error> {
    let db = &state.db;
    let own = store::login_attempts::summarize_pair(db, pair, now - to_chrono(RETENTION)).await?;
    let mut waits = vec![(source_wait(own, now), Scope::Source)];
    if let (None, Some(ip)) = (&pair.device_key, &pair.ip_key) {
        let since = now - to_chrono(IP_WINDOW);
        let ip = store::login_attempts::summarize_ip(db, ip, since).await?;
        let delay = delay_after(ip.count, IP_FREE_FAILURES);
        waits.push((wait(delay, ip.latest, now), Scope::Address));
    }
    let since = now - to_chrono(ACCOUNT_WINDOW);
    if own.latest.is_some_and(|latest| latest >= since) {
        let account = store::login_attempts::summarize_account(db, &pair.account_key, since);
        waits.push((ceiling_wait(account.await?, own, now), Scope::Account));
    }
    match waits
        .into_iter()
        .filter_map(|(wait, scope)| wait.map(|w| (w, scope)))
        .max_by_key(|(wait, _)| *wait)
    {
        Some((retry_after, scope)) => Err(Error::Throttled { retry_after, scope }),
        None => Ok(()),
    }
}

/// Records a failed password check of `pair`: called once the password was found wrong.
pub async fn record_failure(
    state: &AppState,
    pair: &Pair,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let insert = store::login_attempts::insert(&state.db, pair, now);
    state.writes.run(insert).await?;
    Ok(())
}

/// Forgets the failures of this source on the account: it knew the password. Other sources'
/// failures stay, so a guesser's delay is not reset by the owner signing in.
pub async fn record_success(state: &AppState, pair: &Pair) -> Result<(), Error> {
    let delete = store::login_attempts::delete_pair(&state.db, pair);
    state.writes.run(delete).await?;
    Ok(())
}

/// The instant before which failures are forgotten at `now` ([`RETENTION`] earlier); the expiry
/// cleanup ([`maintenance::delete_expired`](super::maintenance::delete_expired)) deletes them.
pub fn forgotten_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - to_chrono(RETENTION)
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
