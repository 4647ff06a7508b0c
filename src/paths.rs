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
/// OIDC RP-initiated logout (`end_session_endpoint`).
pub const END_SESSION: &str = "/oauth/logout";

pub const LOGIN: &str = "/login";
pub const LOGOUT: &str = "/logout";
pub const STYLESHEET: &str = "/static/sesame.css";
pub const LOGO: &str = "/static/sesame.svg";

pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";

/// `issuer` + `path`: the absolute URL published for an endpoint.
pub fn absolute(issuer: &str, path: &str) -> String {
    format!("{issuer}{path}")
}

// simplejwt-compatible API (issue 3)
pub const API_TOKEN: &str = "/api/token/";
pub const API_TOKEN_REFRESH: &str = "/api/token/refresh/";
pub const API_TOKEN_VERIFY: &str = "/api/token/verify/";
pub const API_TOKEN_BLACKLIST: &str = "/api/token/blacklist/";
pub const API_TOKEN_SLIDING: &str = "/api/token/sliding/";
pub const API_TOKEN_SLIDING_REFRESH: &str = "/api/token/sliding/refresh/";
pub const API_ME: &str = "/api/me/";
pub const API_REGISTER: &str = "/api/register/";

// vue-admin compatibility profile (issue 3)
pub const COMPAT_LOGIN: &str = "/login/";
pub const COMPAT_USER_INFO: &str = "/userInfo/";
pub const COMPAT_LOGOUT: &str = "/logout/";
