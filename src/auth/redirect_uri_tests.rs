use super::*;

const PUBLIC: bool = true;
const CONFIDENTIAL: bool = false;

#[test]
fn loopback_ip_literals_match_on_any_port() {
    for (registered, given) in [
        (
            "http://127.0.0.1/callback",
            "http://127.0.0.1:53219/callback",
        ),
        (
            "http://127.0.0.1:8000/callback",
            "http://127.0.0.1/callback",
        ),
        (
            "http://127.0.0.1:8000/callback",
            "http://127.0.0.1:9000/callback",
        ),
        ("http://[::1]/callback", "http://[::1]:61000/callback"),
        ("http://[::1]:80/cb?x=1", "http://[::1]:1/cb?x=1"),
        ("http://127.0.0.1", "http://127.0.0.1:4000"),
        ("https://app.example/cb", "https://app.example/cb"),
    ] {
        assert!(matches(registered, given), "{registered} ~ {given}");
    }
}

#[test]
fn everything_but_a_loopback_port_compares_exactly() {
    for (registered, given) in [
        // Path, query, scheme and host still count.
        (
            "http://127.0.0.1/callback",
            "http://127.0.0.1:5000/callback/",
        ),
        ("http://127.0.0.1/callback", "http://127.0.0.1:5000/other"),
        ("http://127.0.0.1/cb?x=1", "http://127.0.0.1:5000/cb?x=2"),
        ("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb?x=1"),
        ("http://127.0.0.1/cb", "https://127.0.0.1:5000/cb"),
        ("http://127.0.0.1/cb", "http://[::1]:5000/cb"),
        ("http://[::1]/cb", "http://127.0.0.1/cb"),
        // `localhost` is a name, not a literal (RFC 8252 §8.3).
        ("http://localhost/cb", "http://localhost:5000/cb"),
        ("http://localhost:3000/cb", "http://localhost:3001/cb"),
        // Ports of other hosts, and what only looks like a port.
        ("https://app.example/cb", "https://app.example:8443/cb"),
        ("http://127.0.0.1/cb", "http://127.0.0.1:99999/cb"),
        ("http://127.0.0.1/cb", "http://127.0.0.1:80@evil.example/cb"),
        ("http://127.0.0.1/cb", "http://127.0.0.1.evil.example/cb"),
        ("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb#x"),
    ] {
        assert!(!matches(registered, given), "{registered} !~ {given}");
    }
}

#[test]
fn redirect_uris_must_be_https_unless_loopback_or_a_public_apps_private_scheme() {
    for (ok, kind) in [
        ("https://app.example/cb?x=1", CONFIDENTIAL),
        ("http://localhost:3000/cb", CONFIDENTIAL),
        ("http://127.0.0.1/cb", PUBLIC),
        ("http://[::1]:8080/cb", PUBLIC),
        ("com.example.app:/callback", PUBLIC),
        ("io.github.someone.app:/oauth2redirect", PUBLIC),
    ] {
        assert_eq!(check(ok, kind), Ok(()), "{ok}");
    }
    for (bad, kind, why) in [
        ("/relative/cb", PUBLIC, UriProblem::NotAbsolute),
        ("http://app.example/cb", PUBLIC, UriProblem::Scheme),
        ("https://app.example/cb#frag", PUBLIC, UriProblem::Fragment),
        ("javascript:alert(1)", PUBLIC, UriProblem::Scheme),
        ("ftp://app.example/cb", PUBLIC, UriProblem::Scheme),
        ("myapp:/callback", PUBLIC, UriProblem::Scheme),
        (
            "com.example.app:/callback",
            CONFIDENTIAL,
            UriProblem::PrivateUseConfidential,
        ),
        (
            "com.example.app://callback",
            PUBLIC,
            UriProblem::PrivateUseAuthority,
        ),
        (
            "com.example.app:callback",
            PUBLIC,
            UriProblem::PrivateUseAuthority,
        ),
        ("com..app:/callback", PUBLIC, UriProblem::Scheme),
    ] {
        assert_eq!(check(bad, kind), Err(why), "{bad}");
    }
}
