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

/// The site's root: the account page when signed in, else the login form.
pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const LOGOUT: &str = "/logout";
pub const STYLESHEET: &str = "/static/sesame.css";
pub const LOGO: &str = "/static/sesame.svg";

/// The admin UI's dashboard; also the path its cookie is scoped to.
pub const ADMIN: &str = "/admin";
pub const ADMIN_STYLESHEET: &str = "/static/admin.css";
/// The deployment's accent colour (`accent_color`) as CSS custom properties.
pub const BRAND_STYLESHEET: &str = "/static/brand.css";
pub const ADMIN_CLIENTS: &str = "/admin/clients";
pub const ADMIN_CLIENTS_NEW: &str = "/admin/clients/new";
pub const ADMIN_CLIENT: &str = "/admin/clients/{client_id}";
pub const ADMIN_CLIENT_ENABLE: &str = "/admin/clients/{client_id}/enable";
pub const ADMIN_CLIENT_DISABLE: &str = "/admin/clients/{client_id}/disable";
pub const ADMIN_CLIENT_DELETE: &str = "/admin/clients/{client_id}/delete";
pub const ADMIN_CLIENT_ROTATE_SECRET: &str = "/admin/clients/{client_id}/rotate-secret";
pub const ADMIN_CLIENT_REVOKE_TOKENS: &str = "/admin/clients/{client_id}/revoke-tokens";
pub const ADMIN_USERS: &str = "/admin/users";
pub const ADMIN_USERS_NEW: &str = "/admin/users/new";
pub const ADMIN_USER: &str = "/admin/users/{id}";
pub const ADMIN_USER_PASSWORD: &str = "/admin/users/{id}/password";
pub const ADMIN_USER_REVOKE_TOKENS: &str = "/admin/users/{id}/revoke-tokens";
pub const ADMIN_TOKENS: &str = "/admin/tokens";
pub const ADMIN_TOKEN_REVOKE: &str = "/admin/tokens/{family_id}/revoke";
pub const ADMIN_KEYS: &str = "/admin/keys";
pub const ADMIN_KEYS_ROTATE: &str = "/admin/keys/rotate";
pub const ADMIN_KEY_RETIRE: &str = "/admin/keys/{kid}/retire";
pub const ADMIN_THROTTLES: &str = "/admin/throttles";
pub const ADMIN_THROTTLES_CLEAR: &str = "/admin/throttles/clear";
pub const ADMIN_AUDIT: &str = "/admin/audit";

pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";

/// `issuer` + `path`: the absolute URL published for an endpoint.
pub fn absolute(issuer: &str, path: &str) -> String {
    format!("{issuer}{path}")
}

/// A link to a route with one `{param}`: `route` with the placeholder replaced by `segment`,
/// which the caller has already percent-encoded.
pub fn fill(route: &str, segment: &str) -> String {
    let parts = route
        .split_once('{')
        .and_then(|(head, rest)| Some((head, rest.split_once('}')?.1)));
    match parts {
        Some((head, tail)) => format!("{head}{segment}{tail}"),
        None => route.to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_the_placeholder() {
        assert_eq!(fill(ADMIN_CLIENT, "web%2F1"), "/admin/clients/web%2F1");
        assert_eq!(
            fill(ADMIN_USER_REVOKE_TOKENS, "7"),
            "/admin/users/7/revoke-tokens"
        );
        assert_eq!(fill(ADMIN_CLIENTS, "x"), ADMIN_CLIENTS);
    }
}
