//! Settings: serde defaults, then an optional `sesame.toml`, then `SESAME_*` environment variables.
//!
//! Names mirror djangorestframework-simplejwt's `SIMPLE_JWT` keys (lower-cased) where one exists, so a
//! Django team can carry its settings across. Unknown keys are refused by name rather than ignored:
//! a misspelt `acess_token_lifetime` silently falling back to a default is a security bug.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::{Deserialize, Deserializer};

use crate::crypto::keys::Algorithm;
use crate::crypto::secrets::Secret;

/// Environment variables with this prefix belong to the test harness, not to the server.
const TEST_ENV_PREFIX: &str = "test_";

/// Everything the server can be told. Built once at start-up and shared read-only.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The `iss` of every token and the base of every URL in the discovery document.
    pub issuer: String,
    pub listen: SocketAddr,
    /// A secret: PostgreSQL URLs may carry a password.
    pub database_url: Secret,
    pub database_max_connections: Option<u32>,
    pub keys_dir: PathBuf,
    /// The algorithm of keys generated on first start, and of every token when it is `HS*`.
    pub algorithm: Algorithm,
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
    /// How long a rotated refresh token may be presented again (a client's retry) before it
    /// counts as reuse and revokes its family. Zero by default.
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
    pub max_body_size: usize,
    #[serde(deserialize_with = "human_duration")]
    pub request_timeout: Duration,
    pub log_format: LogFormat,
    // admin UI (issue 5)
    /// The username of the first admin, created at start-up while no active admin exists.
    pub bootstrap_admin: Option<String>,
    /// That admin's password (e.g. `SESAME_BOOTSTRAP_ADMIN_PASSWORD`); it must meet the password
    /// policy. Remove both settings once the admin exists.
    pub bootstrap_admin_password: Option<Secret>,
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
            database_url: Secret::from("sqlite://sesame.db?mode=rwc".to_owned()),
            database_max_connections: None,
            keys_dir: PathBuf::from("keys"),
            algorithm: Algorithm::RS256,
            signing_key: None,
            audience: None,
            leeway: Duration::ZERO,
            access_token_lifetime: Duration::from_secs(5 * 60),
            refresh_token_lifetime: Duration::from_secs(24 * 3600),
            rotate_refresh_tokens: true,
            blacklist_after_rotation: true,
            refresh_reuse_grace: Duration::ZERO,
            update_last_login: false,
            user_id_claim: "user_id".into(),
            token_type_claim: "token_type".into(),
            jti_claim: "jti".into(),
            extra_claims: Vec::new(),
            jwks_max_age: Duration::from_secs(5 * 60),
            password_hash_concurrency: None,
            max_body_size: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            log_format: LogFormat::Text,
            // admin UI (issue 5)
            bootstrap_admin: None,
            bootstrap_admin_password: None,
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
        let env = Env::prefixed("SESAME_")
            .split("__")
            // Keys keep the variable's case (`TEST_DATABASE_URL`): compare without it.
            .filter(|key| !key.as_str().to_ascii_lowercase().starts_with(TEST_ENV_PREFIX));
        let config: Config = Figment::new()
            .merge(Toml::file(file))
            .merge(env)
            .extract()
            .map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

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
        if self.algorithm.is_symmetric() && self.signing_key.is_none() {
            return invalid(format!("algorithm {} needs signing_key", self.algorithm));
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
        if self.user_id_claim == self.token_type_claim {
            return invalid("user_id_claim and token_type_claim must differ".into());
        }
        if self.bootstrap_admin.is_some() != self.bootstrap_admin_password.is_some() {
            return invalid("bootstrap_admin and bootstrap_admin_password go together".into());
        }
        Ok(())
    }

    /// The argon2id verifications allowed in flight.
    pub fn password_concurrency(&self) -> usize {
        self.password_hash_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        })
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

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::result_large_err,
    reason = "tests; figment::Jail's closures return its large figment::Error"
)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_follow_simplejwt() {
        let config = Config::default();
        assert_eq!(config.access_token_lifetime, Duration::from_secs(300));
        assert_eq!(config.refresh_token_lifetime, Duration::from_secs(86_400));
        assert!(config.rotate_refresh_tokens);
        assert_eq!(config.leeway, Duration::ZERO);
        config.validate().unwrap();
    }

    #[test]
    fn file_then_environment_with_human_durations() {
        Jail::expect_with(|jail| {
            jail.create_file("sesame.toml", "access_token_lifetime = \"15m\"\nleeway = 3\n")?;
            jail.set_env("SESAME_REFRESH_TOKEN_LIFETIME", "2d");
            jail.set_env("SESAME_TEST_DATABASE_URL", "postgres://ignored");
            let config = Config::load(Path::new("sesame.toml")).unwrap();
            assert_eq!(config.access_token_lifetime, Duration::from_secs(900));
            assert_eq!(config.refresh_token_lifetime, Duration::from_secs(2 * 86_400));
            assert_eq!(config.leeway, Duration::from_secs(3));
            Ok(())
        });
    }

    #[test]
    fn unknown_key_is_an_error_that_names_it() {
        Jail::expect_with(|jail| {
            jail.create_file("sesame.toml", "acess_token_lifetime = \"15m\"\n")?;
            let err = Config::load(Path::new("sesame.toml")).unwrap_err().to_string();
            assert!(err.contains("acess_token_lifetime"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn bad_duration_is_an_error() {
        Jail::expect_with(|jail| {
            jail.set_env("SESAME_LEEWAY", "soon");
            let err = Config::load(Path::new("none.toml")).unwrap_err().to_string();
            assert!(err.contains("soon"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let config = Config {
            algorithm: Algorithm::HS256,
            signing_key: Some(Secret::from("a-very-secret-hmac-key-of-32-bytes!".to_owned())),
            database_url: Secret::from("postgres://u:hunter2@db/x".to_owned()),
            ..Config::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("a-very-secret"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn hmac_algorithm_needs_a_secret() {
        let config = Config {
            algorithm: Algorithm::HS256,
            ..Config::default()
        };
        assert!(config.validate().is_err());
    }
}
