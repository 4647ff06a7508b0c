use super::*;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
}

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
    let delay = delay_after(6, 5);
    assert_eq!(
        wait(delay, Some(at(-1)), at(0)),
        Some(Duration::from_secs(1))
    );
    assert_eq!(wait(delay, Some(at(-1)), at(1)), None);
    assert_eq!(wait(delay_after(4, 5), Some(at(-1)), at(0)), None);
    assert_eq!(wait(delay, None, at(0)), None);
}

#[test]
fn the_ceiling_waits_from_the_sources_own_failure_and_is_bounded() {
    let account = |count| Summary {
        count,
        latest: Some(at(0)),
    };
    let own = Summary {
        count: 1,
        latest: Some(at(-10)),
    };
    assert_eq!(ceiling_wait(account(49), own, at(0)), None);
    assert_eq!(
        ceiling_wait(account(50), own, at(-10)),
        Some(Duration::from_secs(1))
    );
    // Far past the ceiling: a minute from the source's own failure, however busy the account.
    assert_eq!(
        ceiling_wait(account(10_000), own, at(0)),
        Some(Duration::from_secs(50))
    );
    assert_eq!(ceiling_wait(account(10_000), own, at(50)), None);
}

#[test]
fn a_device_cookie_counts_only_for_the_account_it_names() {
    let device = |user_id| Device {
        user_id,
        id: "d1".to_owned(),
    };
    let ip = Some(IpAddr::from([127, 0, 0, 9]));
    let own = Source {
        ip,
        device: Some(device(7)),
    };
    let keys = pair(Some(7), "alice", &own);
    assert_eq!(keys.account_key, "user:7");
    assert_eq!(keys.ip_key.as_deref(), Some("127.0.0.9"));
    assert_eq!(keys.device_key.as_deref(), Some("d1"));
    let other = Source {
        ip,
        device: Some(device(8)),
    };
    assert_eq!(pair(Some(7), "alice", &other).device_key, None);
    let unknown = pair(None, " Nobody ", &own);
    assert_eq!(
        (unknown.account_key.as_str(), unknown.device_key),
        ("name:nobody", None)
    );
}
