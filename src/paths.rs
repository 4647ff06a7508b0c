//! Endpoint paths, in one place: the router mounts them and the discovery document advertises them,
//! so the two cannot drift apart.

pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
pub const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";
pub const JWKS: &str = "/.well-known/jwks.json";

pub const AUTHORIZE: &str = "/oauth/authorize";
pub const TOKEN: &str = "/oauth/token";
pub const REVOKE: &str = "/oauth/revoke";
pub const INTROSPECT: &str = "/oauth/introspect";
pub const USERINFO: &str = "/oauth/userinfo";

pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";

/// `issuer` + `path`: the absolute URL published for an endpoint.
pub fn absolute(issuer: &str, path: &str) -> String {
    format!("{issuer}{path}")
}
