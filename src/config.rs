//! Settings: serde defaults, then an optional `sesame.toml`, then `SESAME_*` environment variables.
//!
//! Names mirror djangorestframework-simplejwt's `SIMPLE_JWT` keys (lower-cased) where one exists, so a
//! Django team can carry its settings across. Unknown keys are refused by name rather than ignored:
//! a misspelt `acess_token_lifetime` silently falling back to a default is a security bug.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer};

use crate::crypto::keys::Algorithm;
use crate::crypto::passwords::Argon2Cost;
use crate::crypto::secrets::Secret;

mod keys;
mod validate;

#[cfg(test)]
mod example;

/// Environment variables with this prefix belong to the test harness, not to the server.
const TEST_ENV_PREFIX: &str = "test_";

/// `SESAME_CONFIG` names the settings file (the CLI's `--config`); it is not a setting.
const CONFIG_FILE_ENV_KEY: &str = "config";

/// Everything the server can be told. Built once at start-up and shared read-only.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The `iss` of every token and the base of every URL in the discovery document.
    pub issuer: String,
    pub listen: SocketAddr,
    /// The operations listener: `/metrics`, `/healthz`, `/readyz`. Off (`None`) by default, and
    /// then there is no `/metrics` at all; keep it on a private address.
    pub ops_listen: Option<SocketAddr>,
    /// A secret: PostgreSQL URLs may carry a password.
    pub database_url: Secret,
    pub database_max_connections: Option<u32>,
    /// How long a request waits for a database connection (opening one included) before it
    /// answers 503 with `Retry-After`; also bounds connecting at start-up.
    #[serde(deserialize_with = "human_duration")]
    pub database_acquire_timeout: Duration,
    /// Where an installation of an earlier version kept its keys (imported into the database on
    /// first start), and where `master.key` is when `key_encryption_key` is unset.
    pub keys_dir: PathBuf,
    /// The key-encryption key: 32 random bytes, base64url, sealing the key ring in the database
    /// (AES-256-GCM). Unset: `keys_dir/master.key`, created on first start. Every instance on one
    /// database needs the same one.
    pub key_encryption_key: Option<Secret>,
    /// The algorithm of keys generated on first start; when it is `HS*`, access and refresh
    /// tokens are signed with `signing_key` instead (simplejwt's mode).
    pub algorithm: Algorithm,
    /// In `HS*` mode, the algorithm of the key generated on first start to sign ID tokens: a
    /// relying party verifies them against the JWKS, which can never carry the shared secret.
    /// Asymmetric; RS256 (OIDC Core §15.1's mandatory algorithm) by default.
    pub id_token_algorithm: Algorithm,
    /// The HMAC secret for `HS256`/`HS384`/`HS512` (simplejwt's `SIGNING_KEY`).
    pub signing_key: Option<Secret>,
    /// Added as `aud` to tokens of clients that have no audience of their own.
    pub audience: Option<String>,
    #[serde(deserialize_with = "human_duration")]
    pub leeway: Duration,
    #[serde(deserialize_with = "human_duration")]
    pub access_token_lifetime: Duration,
    #[serde(deserialize_with = "human_duration")]
    pub refresh_token_lifetime: Duration,
    pub rotate_refresh_tokens: bool,
    pub blacklist_after_rotation: bool,
    /// How long the same client may present a rotated refresh token again (a retry after a lost
    /// response, two tabs) and get back the same successor; after it, a presentation is reuse
    /// and revokes the family (RFC 9700 §4.14.2). 5 s by default, as Rauthy; `0s` makes every
    /// retry a logout.
    #[serde(deserialize_with = "human_duration")]
    pub refresh_reuse_grace: Duration,
    pub update_last_login: bool,
    pub user_id_claim: String,
    pub token_type_claim: String,
    pub jti_claim: String,
    /// Extra user claims added to access tokens.
    pub extra_claims: Vec<ExtraClaim>,
    /// `Cache-Control: max-age` of the JWKS, and how far ahead a rotated key is published.
    #[serde(deserialize_with = "human_duration")]
    pub jwks_max_age: Duration,
    /// How many argon2id verifications may run at once (default: one per core).
    pub password_hash_concurrency: Option<usize>,
    /// `[argon2]`: the cost of new password hashes (`m_cost` KiB, `t_cost`, `p_cost`); a stored
    /// hash at another cost is re-hashed at the user's next login.
    pub argon2: Argon2Cost,
    pub max_body_size: usize,
    #[serde(deserialize_with = "human_duration")]
    pub request_timeout: Duration,
    /// How long a connection may take to send a complete request head, counted from its opening
    /// or from its previous response.
    #[serde(deserialize_with = "human_duration")]
    pub header_read_timeout: Duration,
    /// A connection that moves no byte for this long between requests is closed.
    #[serde(deserialize_with = "human_duration")]
    pub keep_alive_timeout: Duration,
    /// Bytes of request line and headers; past it the answer is 431 (RFC 6585 §5).
    pub max_header_size: usize,
    /// Connections open at once; past it the listener stops accepting until one closes.
    pub max_connections: usize,
    /// How long clients, users and revocation checks may be answered from memory. Changes made
    /// through this instance apply at once; those of another instance or the CLI within this.
    #[serde(deserialize_with = "human_duration")]
    pub cache_ttl: Duration,
    /// How often `sesame serve` deletes expired refresh tokens, revocations, sessions, codes and
    /// login failures (what `sesame tokens flush` deletes), in small batches; `0s` turns it off.
    #[serde(deserialize_with = "human_duration")]
    pub expiry_cleanup_interval: Duration,
    pub log_format: LogFormat,

    // simplejwt surface (issue 3)
    /// `Authorization` schemes `/api/me/` and the compat profile accept, compared exactly
    /// (simplejwt's `AUTH_HEADER_TYPES`); the first one names the `WWW-Authenticate` challenge.
    pub auth_header_types: Vec<String>,
    /// The token types that authenticate a request, tried in order (simplejwt's
    /// `AUTH_TOKEN_CLASSES`).
    pub auth_token_classes: Vec<AuthTokenClass>,
    #[serde(deserialize_with = "human_duration")]
    pub sliding_token_lifetime: Duration,
    /// How long after it was first issued a sliding token may still be refreshed.
    #[serde(deserialize_with = "human_duration")]
    pub sliding_token_refresh_lifetime: Duration,
    /// Whether `POST /api/register/` exists (anyone may create an account through it).
    pub registration_enabled: bool,
    /// Cookie mode: the refresh token travels in an HttpOnly cookie instead of JSON bodies.
    pub refresh_cookie: RefreshCookie,
    /// Origins allowed to call `/api/` and the compat profile from a browser (exact
    /// `scheme://host[:port]`, or `*` without cookie mode).
    pub cors_allowed_origins: Vec<String>,
    pub compat: Compat,
    /// The language of `/api/` and compat messages (Django's `LANGUAGE_CODE`: `en-us`,
    /// `zh-hans`, ...), one of the languages of simplejwt 5.5.1's catalogues or English.
    pub language_code: String,
    /// Choose the language per request from the `django_language` cookie and `Accept-Language`,
    /// as Django's `LocaleMiddleware` does, answering `Content-Language` and `Vary`.
    pub accept_language: bool,

    // branding (issue 12)
    /// The deployment's name on its pages ("Sign in to Acme").
    pub site_name: String,
    /// The logo on every page: an `https` URL or a same-origin path such as `/static/sesame.svg`.
    pub logo_uri: String,
    /// The pages' accent colour (buttons, links), `#rgb` or `#rrggbb`; unset: Sesame's own.
    pub accent_color: Option<String>,

    // browser login and authorize (issue 4)
    /// How long a browser session lasts after signing in.
    #[serde(deserialize_with = "human_duration")]
    pub session_lifetime: Duration,
    /// Whether cookies carry `Secure`. Default: when the issuer is an `https://` URL.
    pub cookie_secure: Option<bool>,
    /// How long an authorization code can be exchanged (RFC 6749 §4.1.2 recommends at most 10
    /// minutes; a client exchanges it at once).
    #[serde(deserialize_with = "human_duration")]
    pub authorization_code_lifetime: Duration,

    // admin UI (issue 5)
    /// The username of the first admin, created at start-up while no active admin exists.
    pub bootstrap_admin: Option<String>,
    /// That admin's password (e.g. `SESAME_BOOTSTRAP_ADMIN_PASSWORD`); it must meet the password
    /// policy. Remove both settings once the admin exists.
    pub bootstrap_admin_password: Option<Secret>,

    // several instances (issue 10)
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Proto` headers are
    /// believed: CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses. Empty: the TCP peer
    /// is the client (see `http::forwarded`).
    #[serde(deserialize_with = "ip_networks")]
    pub trusted_proxies: Vec<IpNet>,
}

/// A token type that may authenticate a request (simplejwt's token class names).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum AuthTokenClass {
    AccessToken,
    SlidingToken,
}

/// `[refresh_cookie]`: where the refresh token goes in cookie mode.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RefreshCookie {
    pub enabled: bool,
    pub name: String,
    /// Only the endpoints that read the cookie receive it.
    pub path: String,
    pub domain: Option<String>,
    /// Off only for local development over plain HTTP.
    pub secure: bool,
    pub same_site: SameSite,
}

/// The cookie `SameSite` attribute.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// `[compat]`: profiles that speak the wire format of a specific front end.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Compat {
    /// The seed Vue admin's `/login/`, `/userInfo/`, `/logout/` with the `{code,msg,data}` envelope.
    pub vue_admin: bool,
}

impl Default for RefreshCookie {
    fn default() -> Self {
        RefreshCookie {
            enabled: false,
            name: "refresh_token".into(),
            path: "/api/token/".into(),
            domain: None,
            secure: true,
            same_site: SameSite::Lax,
        }
    }
}

/// A user attribute that can be copied into access tokens.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExtraClaim {
    Username,
    Roles,
    Email,
    Name,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            issuer: "http://127.0.0.1:8080".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            ops_listen: None,
            database_url: Secret::from("sqlite://sesame.db?mode=rwc".to_owned()),
            database_max_connections: None,
            database_acquire_timeout: Duration::from_secs(3),
            keys_dir: PathBuf::from("keys"),
            key_encryption_key: None,
            algorithm: Algorithm::RS256,
            id_token_algorithm: Algorithm::RS256,
            signing_key: None,
            audience: None,
            leeway: Duration::ZERO,
            access_token_lifetime: Duration::from_secs(5 * 60),
            refresh_token_lifetime: Duration::from_secs(24 * 3600),
            rotate_refresh_tokens: true,
            blacklist_after_rotation: true,
            refresh_reuse_grace: Duration::from_secs(5),
            update_last_login: false,
            user_id_claim: "user_id".into(),
            token_type_claim: "token_type".into(),
            jti_claim: "jti".into(),
            extra_claims: Vec::new(),
            jwks_max_age: Duration::from_secs(5 * 60),
            password_hash_concurrency: None,
            argon2: Argon2Cost::DEFAULT,
            max_body_size: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(5),
            max_header_size: 32 * 1024,
            max_connections: 10_000,
            cache_ttl: Duration::from_secs(1),
            expiry_cleanup_interval: Duration::from_secs(10 * 60),
            log_format: LogFormat::Text,

            // simplejwt surface (issue 3)
            auth_header_types: vec!["Bearer".into()],
            auth_token_classes: vec![AuthTokenClass::AccessToken],
            sliding_token_lifetime: Duration::from_secs(5 * 60),
            sliding_token_refresh_lifetime: Duration::from_secs(24 * 3600),
            registration_enabled: true,
            refresh_cookie: RefreshCookie::default(),
            cors_allowed_origins: Vec::new(),
            language_code: crate::i18n::Language::EN_US.to_owned(),
            accept_language: false,
            site_name: "Sesame".to_owned(),
            logo_uri: crate::paths::LOGO.to_owned(),
            accent_color: None,
            compat: Compat::default(),

            // browser login and authorize (issue 4)
            session_lifetime: Duration::from_secs(8 * 3600),
            cookie_secure: None,
            authorization_code_lifetime: Duration::from_secs(60),
            // admin UI (issue 5)
            bootstrap_admin: None,
            bootstrap_admin_password: None,
            // several instances (issue 10)
            trusted_proxies: Vec::new(),
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Parse(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, then `file` if it exists, then `SESAME_*` variables (nested keys split on `__`).
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let env = Env::prefixed("SESAME_").split("__").filter(|key| {
            let key = key.as_str().to_ascii_lowercase();
            !key.starts_with(TEST_ENV_PREFIX) && key != CONFIG_FILE_ENV_KEY
        });
        let config: Config = Figment::new()
            .merge(Toml::file(file))
            .merge(env)
            .extract()
            .map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// The argon2id verifications allowed in flight.
    pub fn password_concurrency(&self) -> usize {
        self.password_hash_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        })
    }
}

/// The claim names simplejwt lets a project choose (`TOKEN_TYPE_CLAIM`, `JTI_CLAIM`,
/// `USER_ID_CLAIM`), read from [`Config`] once so a verified token can answer by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimNames {
    pub token_type: String,
    pub jti: String,
    pub user_id: String,
}

impl Config {
    /// The configured claim names.
    pub fn claim_names(&self) -> ClaimNames {
        ClaimNames {
            token_type: self.token_type_claim.clone(),
            jti: self.jti_claim.clone(),
            user_id: self.user_id_claim.clone(),
        }
    }
}

/// Accepts `"5m"`, `"1d"`, `"1h 30m"` (humantime) or a number of seconds.
fn human_duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Seconds(u64),
        Text(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Seconds(secs) => Ok(Duration::from_secs(secs)),
        Raw::Text(text) => humantime::parse_duration(&text).map_err(|err| {
            serde::de::Error::custom(format!("`{text}` is not a duration like 5m or 1d: {err}"))
        }),
    }
}

/// Accepts CIDRs (`10.0.0.0/8`) and single addresses (`192.0.2.7`, a /32 or /128).
fn ip_networks<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "`{text}` is not an IP network like 10.0.0.0/8 or an IP address"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests;
