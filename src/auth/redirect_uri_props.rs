//! Properties of redirect URI registration and matching: any strings give an answer, never a
//! panic; a URI that may be registered matches itself, and matching never crosses schemes, hosts
//! or paths.

use proptest::prelude::*;

use super::*;

fn uri() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https"),
        Just("http"),
        Just("com.example.app"),
        Just("javascript")
    ];
    let host = prop_oneof![
        Just("127.0.0.1".to_owned()),
        Just("[::1]".to_owned()),
        Just("localhost".to_owned()),
        Just("client.example".to_owned()),
        "[a-z0-9.:\\[\\]@%-]{0,12}",
    ];
    let port = proptest::option::of(any::<u16>());
    (
        scheme,
        host,
        port,
        "(/[ -~]{0,10}){0,2}",
        proptest::option::of("[ -~]{0,8}"),
    )
        .prop_map(|(scheme, host, port, path, tail)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            format!("{scheme}://{host}{port}{path}{}", tail.unwrap_or_default())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_is_checked_and_matched_without_panicking(registered in "[ -~]{0,60}", given in "[ -~]{0,60}") {
        let _ = check(&registered, true);
        let _ = check(&registered, false);
        prop_assert!(matches(&registered, &registered));
        prop_assert_eq!(matches(&registered, &given), matches(&given, &registered));
    }

    #[test]
    fn matching_only_ever_ignores_a_loopback_port(registered in uri(), given in uri()) {
        let parsed = (Url::parse(&registered), Url::parse(&given));
        if let (true, Ok(a), Ok(b)) = (matches(&registered, &given) && registered != given, parsed.0, parsed.1) {
            prop_assert_eq!(a.scheme(), "http");
            prop_assert_eq!(a.host(), b.host());
            prop_assert!(matches!(a.host(), Some(Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(a.host(), Some(Host::Ipv6(ip)) if ip.is_loopback()));
            prop_assert_eq!((a.path(), a.query()), (b.path(), b.query()));
        }
    }
}
