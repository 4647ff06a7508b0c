//! Redirect URIs: which a client may register (RFC 6749 §3.1.2, RFC 9700 §2.1, RFC 8252 §7),
//! and when a requested URI matches a registered one (RFC 6749 §3.1.2.3, RFC 8252 §7.3).
//!
//! Matching is exact string comparison, with one exception: a loopback IP literal registered by
//! a native app matches the same URI with any port, since the app listens on whatever port the
//! operating system gives it (RFC 8252 §7.3, RFC 9700 §2.1). `localhost` is not such a literal
//! (RFC 8252 §8.3: it may resolve elsewhere) and keeps exact matching.

use std::net::IpAddr;

use url::{Host, Url};

/// Whether `given` (from an authorization or token request) matches `registered`: identical
/// strings, or both `http` URIs on the same loopback IP literal (`127.0.0.1`, `[::1]`, ...) that
/// are identical once their ports are taken out (RFC 8252 §7.3). Path and query compare exactly.
pub fn matches(registered: &str, given: &str) -> bool {
    registered == given
        || matches!(
            (without_loopback_port(registered), without_loopback_port(given)),
            (Some(registered), Some(given)) if registered == given
        )
}

/// An `http` URI on a loopback IP literal as `(host, everything after the port)`, or `None`.
/// Works on the raw string so that nothing but the port is ever ignored.
fn without_loopback_port(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("http://")?;
    let host_end = if rest.starts_with('[') {
        rest.find(']')? + 1
    } else {
        rest.find([':', '/', '?', '#']).unwrap_or(rest.len())
    };
    let (host, after) = rest.split_at(host_end);
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if !literal.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
        return None;
    }
    let after = match after.strip_prefix(':') {
        Some(port_and_rest) => {
            let end = port_and_rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(port_and_rest.len());
            let (port, rest) = port_and_rest.split_at(end);
            port.parse::<u16>().ok()?;
            rest
        }
        None => after,
    };
    Some((host, after))
}

/// Why a redirect URI cannot be registered; each surface words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriProblem {
    /// Not an absolute URI (RFC 6749 §3.1.2).
    NotAbsolute,
    /// It has a fragment (RFC 6749 §3.1.2).
    Fragment,
    /// Neither `https`, nor `http` on the loopback interface, nor a private-use scheme.
    Scheme,
    /// A private-use scheme on a confidential client (RFC 8252 §7.1: native apps are public).
    PrivateUseConfidential,
    /// A private-use scheme followed by an authority (RFC 8252 §7.1: "a single slash").
    PrivateUseAuthority,
}

/// The English reason, for the surfaces that speak only English (`error_description`, tests'
/// registrations); the pages word it through their catalogues.
impl std::fmt::Display for UriProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UriProblem::NotAbsolute => "is not an absolute URI",
            UriProblem::Fragment => "must not have a fragment (#...)",
            UriProblem::Scheme => {
                "must use https (http only for 127.0.0.1, [::1] or localhost; a native app's \
                 private-use scheme is a reverse domain name such as com.example.app:/callback)"
            }
            UriProblem::PrivateUseConfidential => {
                "uses a private-use scheme, which is for public clients (native apps) only"
            }
            UriProblem::PrivateUseAuthority => {
                "has a private-use scheme, which is followed by a single slash, as \
                 com.example.app:/callback"
            }
        })
    }
}

/// Checks a client's `logo_uri` (RFC 7591 §2): an absolute `https` URL with a host, nothing
/// else. It becomes an `<img src>` on the consent page, so `javascript:`, `data:` and plain
/// `http` are refused here, at registration, on every surface.
pub fn check_logo(raw: &str) -> Result<(), UriProblem> {
    let url = Url::parse(raw).map_err(|_| UriProblem::NotAbsolute)?;
    if url.scheme() != "https" || url.host().is_none() {
        return Err(UriProblem::Scheme);
    }
    if url.fragment().is_some() {
        return Err(UriProblem::Fragment);
    }
    Ok(())
}

/// Checks a redirect URI a client registers (`public_client`: a client without a secret, which
/// alone may use a private-use scheme); answers why it is refused.
///
/// Absolute, no fragment (RFC 6749 §3.1.2), and `https`, except `http` on the loopback interface
/// (`127.0.0.1`, `[::1]`, `localhost`; RFC 8252 §7.3) and, for public clients only, a private-use
/// scheme named after a reverse domain name with no authority (`com.example.app:/callback`,
/// RFC 8252 §7.1). Every surface that registers a client (CLI, admin UI) calls this.
pub fn check(raw: &str, public_client: bool) -> Result<(), UriProblem> {
    let url = Url::parse(raw).map_err(|_| UriProblem::NotAbsolute)?;
    if url.fragment().is_some() {
        return Err(UriProblem::Fragment);
    }
    let loopback = match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        scheme if is_reverse_domain(scheme) => check_private_use(&url, public_client),
        _ => Err(UriProblem::Scheme),
    }
}

/// RFC 8252 §7.1: "a URI scheme based on a domain name under their control, expressed in reverse
/// order": at least two dot-separated labels, none empty.
fn is_reverse_domain(scheme: &str) -> bool {
    let labels: Vec<&str> = scheme.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|label| !label.is_empty())
}

/// RFC 8252 §7.1: public native apps only, and "only a single slash" after the scheme (there is
/// no naming authority).
fn check_private_use(url: &Url, public_client: bool) -> Result<(), UriProblem> {
    if !public_client {
        return Err(UriProblem::PrivateUseConfidential);
    }
    if url.has_authority() || !url.path().starts_with('/') {
        return Err(UriProblem::PrivateUseAuthority);
    }
    Ok(())
}

#[cfg(test)]
#[path = "redirect_uri_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "redirect_uri_props.rs"]
mod props;
