#![expect(clippy::unwrap_used, reason = "tests")]

use axum::http::HeaderValue;
use proptest::prelude::*;

use super::*;

const PROXY: &str = "10.0.0.2";

/// Peer, header lines, the client found, whether it used https.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    bool,
);

fn trusted() -> Vec<IpNet> {
    vec![
        "10.0.0.0/8".parse().unwrap(),
        "2001:db8:ff::/48".parse().unwrap(),
    ]
}

fn headers(lines: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in lines {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        map.append(name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn origin(peer: &str, lines: &[(&str, &str)]) -> (String, bool) {
    let found = client_origin(peer.parse().unwrap(), &headers(lines), &trusted());
    (found.ip.to_string(), found.https)
}

#[test]
fn the_table() {
    #[rustfmt::skip]
    let cases: &[Case] = &[
        // Untrusted peers: every header is ignored.
        ("192.0.2.1", &[("x-forwarded-for", "198.51.100.7")], "192.0.2.1", false),
        ("192.0.2.1", &[("forwarded", "for=198.51.100.7;proto=https")], "192.0.2.1", false),
        ("192.0.2.1", &[("x-forwarded-proto", "https")], "192.0.2.1", false),
        // Trusted peer without headers.
        (PROXY, &[], PROXY, false),
        // X-Forwarded-For: the right-most address that is not a trusted proxy.
        (PROXY, &[("x-forwarded-for", "198.51.100.7")], "198.51.100.7", false),
        (PROXY, &[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.1.1")], "198.51.100.7", false),
        (PROXY, &[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.7")], "198.51.100.7", false),
        (PROXY, &[("x-forwarded-for", "10.9.9.9, 10.1.1.1")], "10.9.9.9", false),
        (PROXY, &[("x-forwarded-for", "2001:db8::1")], "2001:db8::1", false),
        (PROXY, &[("x-forwarded-for", "[2001:db8::1]:4711")], "2001:db8::1", false),
        (PROXY, &[("x-forwarded-for", "198.51.100.7:4711")], "198.51.100.7", false),
        (PROXY, &[("x-forwarded-for", "::ffff:198.51.100.7")], "198.51.100.7", false),
        (PROXY, &[("x-forwarded-for", "not-an-address")], PROXY, false),
        (PROXY, &[("x-forwarded-for", "")], PROXY, false),
        // X-Forwarded-Proto: paired by position, else the right-most value.
        (PROXY, &[("x-forwarded-for", "198.51.100.7"), ("x-forwarded-proto", "https")], "198.51.100.7", true),
        (PROXY, &[("x-forwarded-for", "6.6.6.6, 198.51.100.7"), ("x-forwarded-proto", "HTTPS")], "198.51.100.7", true),
        (PROXY, &[("x-forwarded-for", "198.51.100.7, 10.1.1.1"), ("x-forwarded-proto", "https, http")], "198.51.100.7", true),
        (PROXY, &[("x-forwarded-proto", "https")], PROXY, true),
        (PROXY, &[("x-forwarded-for", "198.51.100.7"), ("x-forwarded-proto", "http")], "198.51.100.7", false),
        // Forwarded (RFC 7239), which wins over X-Forwarded-For.
        (PROXY, &[("forwarded", "for=198.51.100.7;proto=https")], "198.51.100.7", true),
        (PROXY, &[("forwarded", "for=198.51.100.7"), ("x-forwarded-for", "6.6.6.6")], "198.51.100.7", false),
        (PROXY, &[("forwarded", r#"for="[2001:db8::1]:4711";proto=https"#)], "2001:db8::1", true),
        (PROXY, &[("forwarded", r#"For="[2001:db8::1]""#)], "2001:db8::1", false),
        (PROXY, &[("forwarded", "for=6.6.6.6, for=198.51.100.7;by=10.0.0.2, for=10.3.3.3")], "198.51.100.7", false),
        (PROXY, &[("forwarded", "for=6.6.6.6"), ("forwarded", "for=198.51.100.7")], "198.51.100.7", false),
        (PROXY, &[("forwarded", r#"for="198.51.100.7:_port";host="a,b;c""#)], "198.51.100.7", false),
        (PROXY, &[("forwarded", r#"for="[2001:db8:ff::9]", for=10.1.1.1"#)], "2001:db8:ff::9", false),
        // Hidden or malformed clients leave the peer.
        (PROXY, &[("forwarded", "for=unknown;proto=https")], PROXY, true),
        (PROXY, &[("forwarded", "for=_hidden, for=10.1.1.1")], PROXY, false),
        (PROXY, &[("forwarded", "proto=https")], PROXY, true),
        (PROXY, &[("forwarded", r#"for="198.51.100.7"#)], PROXY, false),
        (PROXY, &[("forwarded", "for=1.2.3.4;for=5.6.7.8")], PROXY, false),
        (PROXY, &[("forwarded", "for")], PROXY, false),
        (PROXY, &[("forwarded", "for=[2001:db8::1]x")], PROXY, false),
        (PROXY, &[("forwarded", "for=\"[2001:db8::1]:\"")], PROXY, false),
        // A trusted IPv6 peer, and IPv4 peers seen through a dual-stack socket.
        ("2001:db8:ff::1", &[("x-forwarded-for", "198.51.100.7")], "198.51.100.7", false),
        ("::ffff:10.0.0.2", &[("x-forwarded-for", "198.51.100.7")], "198.51.100.7", false),
    ];
    for (peer, lines, ip, https) in cases {
        assert_eq!(
            origin(peer, lines),
            (ip.to_string(), *https),
            "{peer} {lines:?}"
        );
    }
}

#[test]
fn nothing_is_trusted_by_default() {
    let lines = headers(&[("x-forwarded-for", "198.51.100.7")]);
    let found = client_origin(PROXY.parse().unwrap(), &lines, &[]);
    assert_eq!(found.ip.to_string(), PROXY);
}

#[test]
fn non_text_header_values_leave_the_peer() {
    let mut map = HeaderMap::new();
    map.insert(
        X_FORWARDED_FOR,
        HeaderValue::from_bytes(b"198.51.100.7\xff").unwrap(),
    );
    let found = client_origin(PROXY.parse().unwrap(), &map, &trusted());
    assert_eq!(found.ip.to_string(), PROXY);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any header text: an answer, never a panic, and it is the peer or an address the
    /// headers named.
    #[test]
    fn any_header_gives_the_peer_or_a_named_address(
        forwarded in proptest::option::of(r#"[ -~]{0,60}"#),
        xff in proptest::option::of(r#"[0-9a-f:.\[\], _]{0,60}"#),
        proto in proptest::option::of("[a-zA-Z, ]{0,12}"),
    ) {
        let mut lines = Vec::new();
        for (name, value) in [("forwarded", &forwarded), ("x-forwarded-for", &xff), ("x-forwarded-proto", &proto)] {
            if let Some(value) = value {
                lines.push((name, value.as_str()));
            }
        }
        let map = headers(&lines);
        let found = client_origin(PROXY.parse().unwrap(), &map, &trusted());
        let text = format!("{} {}", forwarded.unwrap_or_default(), xff.unwrap_or_default()).replace('\\', "");
        let named: Vec<IpAddr> = text.split([',', ';', '=', ' ', '"']).filter_map(parse_node).collect();
        prop_assert!(found.ip.to_string() == PROXY || named.contains(&found.ip), "{found:?} {named:?}");
    }

    /// Whatever an untrusted peer sends, it is the client.
    #[test]
    fn an_untrusted_peer_is_always_the_client(value in r#"[ -~]{0,60}"#, a in any::<[u8; 4]>()) {
        let peer = IpAddr::from([192, a[1], a[2], a[3]]);
        let map = headers(&[("forwarded", value.as_str()), ("x-forwarded-for", value.as_str())]);
        prop_assert_eq!(client_origin(peer, &map, &trusted()), Origin { ip: peer, https: false });
    }

    /// Any address a trusted proxy appends after whatever the client sent is the one believed.
    #[test]
    fn the_appended_address_wins_over_anything_the_client_wrote(
        spoofed in r#"[ -+\--~]{0,40}"#, a in any::<[u8; 4]>(),
    ) {
        let client = IpAddr::from([198, a[1], a[2], a[3]]);
        let map = headers(&[("x-forwarded-for", &format!("{spoofed}, {client}"))]);
        prop_assert_eq!(client_origin(PROXY.parse().unwrap(), &map, &trusted()).ip, client);
    }
}
