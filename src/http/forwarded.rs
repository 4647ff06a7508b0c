//! Who the client is when Sesame runs behind reverse proxies: `Forwarded` (RFC 7239) or
//! `X-Forwarded-For` / `X-Forwarded-Proto`, believed only when the TCP peer is one of
//! `trusted_proxies`. Anyone can send these headers, so from any other peer they are ignored.
//!
//! Each proxy appends the address it received the request from, so the list is read from the
//! right: trusted proxies are skipped and the first address that is not one is the client (an
//! address to its left was written by that client and proves nothing). Malformed headers, and a
//! client hidden behind `unknown` or an obfuscated identifier (RFC 7239 §6.2, §6.3), leave the
//! peer as the client.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName, header};
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The client of a request: its address and whether it reached the first proxy over https.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub ip: IpAddr,
    pub https: bool,
}

/// One proxy hop: the node it received the request from (`None`: unknown, obfuscated or
/// unparseable) and the scheme the request arrived with, when the proxy said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hop {
    node: Option<IpAddr>,
    https: bool,
}

/// The client of a request that arrived from `peer` with `headers`.
///
/// `Forwarded` wins over the `X-Forwarded-*` pair when both are present (a proxy that writes
/// the standard header knows it). `X-Forwarded-Proto` values pair with `X-Forwarded-For`
/// entries when both lists have the same length; otherwise its right-most value (the nearest
/// proxy's) stands for the client. IPv4-mapped IPv6 addresses count as IPv4.
pub fn client_origin(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Origin {
    let peer = peer.to_canonical();
    let direct = Origin {
        ip: peer,
        https: false,
    };
    if !is_trusted(peer, trusted) {
        return direct;
    }
    let hops = if headers.contains_key(header::FORWARDED) {
        joined(headers, &header::FORWARDED).and_then(|v| forwarded_hops(&v))
    } else {
        x_forwarded_hops(peer, headers)
    };
    let Some(hops) = hops else { return direct };
    let client = hops
        .iter()
        .rev()
        .find(|hop| !hop.node.is_some_and(|ip| is_trusted(ip, trusted)))
        .or(hops.first());
    match client {
        Some(hop) => Origin {
            ip: hop.node.unwrap_or(peer),
            https: hop.https,
        },
        None => direct,
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// Every line of a repeated header as one comma-separated list (RFC 9110 §5.3); `None` when a
/// line is not text.
fn joined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let lines: Option<Vec<&str>> = headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().ok())
        .collect();
    lines.map(|lines| lines.join(","))
}

/// `X-Forwarded-For` with `X-Forwarded-Proto`; with only the latter, the peer is the client.
fn x_forwarded_hops(peer: IpAddr, headers: &HeaderMap) -> Option<Vec<Hop>> {
    let protos: Vec<bool> = match headers.contains_key(X_FORWARDED_PROTO) {
        true => joined(headers, &X_FORWARDED_PROTO)?
            .split(',')
            .map(|p| p.trim().eq_ignore_ascii_case("https"))
            .collect(),
        false => Vec::new(),
    };
    let last_proto = protos.last().copied().unwrap_or(false);
    if !headers.contains_key(X_FORWARDED_FOR) {
        return Some(vec![Hop {
            node: Some(peer),
            https: last_proto,
        }]);
    }
    let list = joined(headers, &X_FORWARDED_FOR)?;
    let nodes: Vec<Option<IpAddr>> = list.split(',').map(|n| parse_node(n.trim())).collect();
    let aligned = protos.len() == nodes.len();
    let hops = nodes.into_iter().enumerate().map(|(i, node)| Hop {
        node,
        https: if aligned { protos[i] } else { last_proto },
    });
    Some(hops.collect())
}

/// RFC 7239 §4: `1#forwarded-element`, each `[pair] *(";" [pair])`, pair `token "=" value`.
/// `None` when the header is malformed (an unterminated quote, a repeated parameter, a pair
/// without `=`).
fn forwarded_hops(value: &str) -> Option<Vec<Hop>> {
    let mut hops = Vec::new();
    for element in split_unquoted(value, ',')? {
        let mut node = None;
        let mut proto = None;
        for pair in split_unquoted(element, ';')? {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            let (name, raw) = pair.split_once('=')?;
            let value = unquote(raw.trim())?;
            let slot = match name.trim().to_ascii_lowercase().as_str() {
                "for" => &mut node,
                "proto" => &mut proto,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return None; // §4: "Each parameter MUST NOT occur more than once per element."
            }
        }
        if element.trim().is_empty() {
            continue;
        }
        hops.push(Hop {
            node: node.as_deref().and_then(parse_node),
            https: proto.is_some_and(|p| p.eq_ignore_ascii_case("https")),
        });
    }
    Some(hops)
}

/// Splits at `separator` outside quoted strings; `None` for an unterminated quote.
fn split_unquoted(value: &str, separator: char) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&value[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted {
        return None;
    }
    parts.push(&value[start..]);
    Some(parts)
}

/// A token as is, or a quoted-string with its quoted-pairs undone (RFC 9110 §5.6.4).
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return Some(value.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next()? } else { c });
    }
    Some(out)
}

/// RFC 7239 §6: `nodename [":" node-port]`, where nodename is an IPv4 address, a bracketed IPv6
/// address, `unknown` or `_obfuscated` (the last two, and anything else, give `None`). A bare
/// IPv6 address is accepted too, as `X-Forwarded-For` writes it.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let (host, port) = match node.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']')?;
            let port = match after {
                "" => None,
                after => Some(after.strip_prefix(':')?),
            };
            (v6, port)
        }
        None => {
            let (v4, port) = node.split_once(':')?;
            (v4, Some(port))
        }
    };
    if port.is_some_and(|p| p.is_empty()) {
        return None;
    }
    host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests;
