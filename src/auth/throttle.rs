//! Login throttling (SPEC §10): an exponential delay, never a hard lock, once an account has had
//! 5 consecutive failed password checks or an IP 100 failures within 10 minutes. The attempts live
//! in the database (`login_attempts`), so every instance throttles alike, and every surface that
//! checks a password (the password grant, `/api/token/`, the HTML form) goes through here via
//! `accounts::check_password`.
//!
//! The delay runs from the latest failure: after the `n`-th failure beyond the free ones the next
//! attempt waits `BASE_DELAY * 2^n`, capped at `MAX_DELAY`. A throttled attempt is refused before
//! the password is looked at and is not recorded, so it neither reveals anything nor lengthens
//! the wait. Unknown identifiers are throttled exactly like accounts, so throttling tells nobody
//! whether an account exists.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Error;
use crate::entities::users;
use crate::state::AppState;
use crate::store;
use crate::store::login_attempts::Summary;

/// Consecutive failures an account may have before the delay starts.
pub const ACCOUNT_FREE_FAILURES: u64 = 5;
/// Failures an IP may have within [`IP_WINDOW`] before the delay starts.
pub const IP_FREE_FAILURES: u64 = 100;
/// The window over which an IP's failures are counted.
pub const IP_WINDOW: Duration = Duration::from_secs(10 * 60);
/// The first delay; each further failure doubles it.
pub const BASE_DELAY: Duration = Duration::from_secs(1);
/// The longest delay: an attacker can slow a user down, never lock them out.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Attempts older than this are forgotten (and deleted by `sesame tokens flush`).
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// Who is attempting: the account (or the unknown identifier) and the client's network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptKeys {
    pub account: String,
    pub ip: Option<String>,
}

impl AttemptKeys {
    /// Keys for an attempt on `identifier`, which names `user` if it exists.
    pub fn new(user: Option<&users::Model>, identifier: &str, ip: Option<IpAddr>) -> AttemptKeys {
        let account = match user {
            // One account has up to three identifiers; they share one counter.
            Some(user) => format!("user:{}", user.id),
            // Every spelling of an unknown name counts against one key, as it would name one user.
            None => format!("name:{}", identifiers::canonical_username(identifier)),
        };
        AttemptKeys {
            account,
            ip: ip.map(ip_key),
        }
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

/// How long until the attempts in `summary` allow another one, if they do not now.
fn wait(summary: Summary, free: u64, now: DateTime<Utc>) -> Option<Duration> {
    let delay = delay_after(summary.count, free)?;
    let retry_at = summary.latest? + to_chrono(delay);
    (retry_at > now).then(|| (retry_at - now).to_std().unwrap_or_default())
}

/// Refuses the attempt with [`Error::Throttled`] while the account or the IP must wait.
pub async fn check(state: &AppState, keys: &AttemptKeys, now: DateTime<Utc>) -> Result<(), Error> {
    let db = &state.db;
    let since = now - to_chrono(RETENTION);
    let account = store::login_attempts::summarize_account(db, &keys.account, since).await?;
    let mut retry_after = wait(account, ACCOUNT_FREE_FAILURES, now);
    if let Some(ip) = &keys.ip {
        let window =
            store::login_attempts::summarize_ip(db, ip, now - to_chrono(IP_WINDOW)).await?;
        retry_after = retry_after.max(wait(window, IP_FREE_FAILURES, now));
    }
    match retry_after {
        Some(retry_after) => {
            metrics::counter!("sesame_login_throttled_total").increment(1);
            Err(Error::Throttled { retry_after })
        }
        None => Ok(()),
    }
}

/// Records an attempt as failed. `check_password` records it *before* verifying the password and
/// clears it on success, so concurrent guesses see each other while argon2 runs.
pub async fn record_failure(
    state: &AppState,
    keys: &AttemptKeys,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    store::login_attempts::insert(&state.db, &keys.account, keys.ip.as_deref(), now).await?;
    Ok(())
}

/// Forgets the account's failures: the password was right, so the next failure is the first.
pub async fn record_success(state: &AppState, keys: &AttemptKeys) -> Result<(), Error> {
    store::login_attempts::delete_for_account(&state.db, &keys.account).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_from_the_threshold_and_is_capped() {
        assert_eq!(delay_after(4, 5), None);
        assert_eq!(delay_after(5, 5), Some(Duration::from_secs(1)));
        assert_eq!(delay_after(6, 5), Some(Duration::from_secs(2)));
        assert_eq!(delay_after(9, 5), Some(Duration::from_secs(16)));
        assert_eq!(delay_after(20, 5), Some(MAX_DELAY));
        assert_eq!(delay_after(u64::MAX, 5), Some(MAX_DELAY));
    }

    #[test]
    fn ipv6_is_grouped_by_64_and_mapped_v4_unwrapped() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(ip_key(a), "2001:db8:1:2::/64");
        assert_eq!(ip_key(a), ip_key(b));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(ip_key(mapped), "10.0.0.1");
    }

    #[test]
    fn wait_runs_from_the_latest_failure() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let summary = Summary {
            count: 6,
            latest: Some(now - chrono::Duration::seconds(1)),
        };
        assert_eq!(wait(summary, 5, now), Some(Duration::from_secs(1)));
        assert_eq!(wait(summary, 5, now + chrono::Duration::seconds(1)), None);
        assert_eq!(
            wait(
                Summary {
                    count: 4,
                    ..summary
                },
                5,
                now
            ),
            None
        );
    }
}
