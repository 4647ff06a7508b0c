//! The facts about settings that serde cannot check: each is refused at start-up with a message
//! that names the setting.

use std::time::Duration;

use super::{Config, ConfigError, SameSite};

impl Config {
    /// Checks the facts serde cannot: the issuer is a URL, HMAC algorithms have a secret, claim
    /// names do not collide with the registered claims.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |msg: String| Err(ConfigError::Invalid(msg));
        if !(self.issuer.starts_with("https://") || self.issuer.starts_with("http://"))
            || self.issuer.ends_with('/')
        {
            return invalid(format!(
                "issuer `{}` must be an http(s) URL without a trailing slash",
                self.issuer
            ));
        }
        if self.ops_listen == Some(self.listen) {
            return invalid(format!(
                "ops_listen {} must differ from listen: /metrics stays off the public port",
                self.listen
            ));
        }
        if self.algorithm.is_symmetric() && self.signing_key.is_none() {
            return invalid(format!("algorithm {} needs signing_key", self.algorithm));
        }
        if self.id_token_algorithm.is_symmetric() {
            return invalid(format!(
                "id_token_algorithm {} must be asymmetric: relying parties verify ID tokens \
                 against the JWKS",
                self.id_token_algorithm
            ));
        }
        if self.access_token_lifetime.is_zero() || self.refresh_token_lifetime.is_zero() {
            return invalid("token lifetimes must be positive".into());
        }
        let names = [&self.user_id_claim, &self.token_type_claim, &self.jti_claim];
        for name in names {
            if name.is_empty() || RESERVED_CLAIMS.contains(&name.as_str()) {
                return invalid(format!("claim name `{name}` is empty or reserved"));
            }
        }
        if self.header_read_timeout.is_zero() || self.keep_alive_timeout.is_zero() {
            return invalid("header_read_timeout and keep_alive_timeout must be positive".into());
        }
        if self.max_header_size < 1024 || self.max_connections == 0 {
            return invalid("max_header_size must be at least 1024 and max_connections 1".into());
        }
        if !self.expiry_cleanup_interval.is_zero()
            && self.expiry_cleanup_interval < Duration::from_secs(1)
        {
            return invalid("expiry_cleanup_interval must be 0s (off) or at least 1s".into());
        }
        if self.database_acquire_timeout.is_zero() {
            return invalid("database_acquire_timeout must be positive".into());
        }
        if self.session_lifetime.is_zero() || self.authorization_code_lifetime.is_zero() {
            return invalid("session and authorization code lifetimes must be positive".into());
        }
        if self.user_id_claim == self.token_type_claim {
            return invalid("user_id_claim and token_type_claim must differ".into());
        }
        self.validate_branding()?;
        if let Some(kek) = &self.key_encryption_key {
            crate::crypto::key_encryption::KeyEncryptionKey::from_setting(kek.expose())
                .map_err(|err| ConfigError::Invalid(err.to_string()))?;
        }
        if self.bootstrap_admin.is_some() != self.bootstrap_admin_password.is_some() {
            return invalid("bootstrap_admin and bootstrap_admin_password go together".into());
        }
        self.argon2
            .check()
            .or_else(|message| invalid(format!("[argon2]: {message}")))?;
        self.validate_api_surface()
    }

    /// `site_name`, `logo_uri` and `accent_color` (issue 12): each lands in a page, the colour
    /// in a stylesheet, so nothing but what is documented may pass.
    fn validate_branding(&self) -> Result<(), ConfigError> {
        let invalid = |msg: String| Err(ConfigError::Invalid(msg));
        if self.site_name.trim().is_empty() {
            return invalid("site_name must not be empty".into());
        }
        if !is_logo_uri(&self.logo_uri) {
            return invalid(format!(
                "logo_uri `{}` must be an https URL or a path starting with / (such as \
                 /static/sesame.svg)",
                self.logo_uri
            ));
        }
        if let Some(color) = &self.accent_color
            && !is_hex_color(color)
        {
            return invalid(format!(
                "accent_color `{color}` must be a CSS hex colour, #rgb or #rrggbb"
            ));
        }
        Ok(())
    }

    /// The simplejwt surface's settings (issue 3).
    fn validate_api_surface(&self) -> Result<(), ConfigError> {
        let invalid = |msg: String| Err(ConfigError::Invalid(msg));
        let token_char = |c: char| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(c);
        if self.auth_header_types.is_empty()
            || self
                .auth_header_types
                .iter()
                .any(|t| t.is_empty() || !t.chars().all(token_char))
        {
            return invalid("auth_header_types must be non-empty scheme names like Bearer".into());
        }
        if crate::i18n::Language::parse(&self.language_code).is_none() {
            let known: Vec<_> = crate::i18n::Language::all().collect();
            return invalid(format!(
                "language_code `{}` has no catalogues; one of: {}",
                self.language_code,
                known.join(", ")
            ));
        }
        if self.auth_token_classes.is_empty() {
            return invalid("auth_token_classes must name at least one token class".into());
        }
        if self.sliding_token_lifetime.is_zero() || self.sliding_token_refresh_lifetime.is_zero() {
            return invalid("sliding token lifetimes must be positive".into());
        }
        let cookie = &self.refresh_cookie;
        if cookie.name.is_empty()
            || !cookie.name.chars().all(token_char)
            || !cookie.path.starts_with('/')
        {
            return invalid(
                "refresh_cookie needs a token-like name and a path starting with /".into(),
            );
        }
        if cookie.same_site == SameSite::None && !cookie.secure {
            return invalid("refresh_cookie.same_site = \"None\" requires secure = true".into());
        }
        for origin in &self.cors_allowed_origins {
            if origin == "*" {
                if cookie.enabled {
                    return invalid(
                        "cors_allowed_origins = [\"*\"] cannot allow credentials; list the origins"
                            .into(),
                    );
                }
                continue;
            }
            let valid = origin.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "http" | "https")
                    && !host.is_empty()
                    && !host.contains(['/', '?', '#', ' '])
            });
            if !valid {
                return invalid(format!(
                    "CORS origin `{origin}` must be scheme://host[:port] without a path"
                ));
            }
        }
        Ok(())
    }
}

/// Claims Sesame sets itself; a configured claim name must not shadow them. `jti` is allowed as the
/// jti claim name (it is the default).
const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "client_id",
    "scope",
];

/// `#rgb` or `#rrggbb`, and nothing else: the value is written into a stylesheet.
pub(crate) fn is_hex_color(color: &str) -> bool {
    color
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An absolute `https` URL with a host, or a same-origin path (`/...`, not `//host`), without
/// white space, quotes or angle brackets.
fn is_logo_uri(uri: &str) -> bool {
    let plain = !uri.is_empty()
        && uri
            .chars()
            .all(|c| c.is_ascii_graphic() && !"\"'<>\\`".contains(c));
    let https = url::Url::parse(uri).is_ok_and(|u| u.scheme() == "https" && u.host().is_some());
    let path = uri.starts_with('/') && !uri.starts_with("//");
    plain && (https || path)
}
