//! Cookie mode (`[refresh_cookie]`, off by default): the refresh token travels in an HttpOnly,
//! Secure, SameSite cookie scoped to the token endpoints, so script on the page never holds it.
//! Obtaining and refreshing set it, refreshing and blacklisting read it when the body has no
//! `refresh`, blacklisting and logging out clear it.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::config::{self, Config};

/// Whether cookie mode is on.
pub fn enabled(config: &Config) -> bool {
    config.refresh_cookie.enabled
}

/// The refresh token the browser sent, in cookie mode.
pub fn read(config: &Config, jar: &CookieJar) -> Option<String> {
    let settings = &config.refresh_cookie;
    if !settings.enabled {
        return None;
    }
    jar.get(&settings.name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Sets the refresh cookie (cookie mode only), living as long as the token.
pub fn set(config: &Config, jar: CookieJar, refresh_token: &str) -> CookieJar {
    if !enabled(config) {
        return jar;
    }
    let max_age = i64::try_from(config.refresh_token_lifetime.as_secs()).unwrap_or(i64::MAX);
    let cookie = base(config, refresh_token.to_owned())
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    jar.add(cookie)
}

/// Clears the refresh cookie (cookie mode only).
pub fn clear(config: &Config, jar: CookieJar) -> CookieJar {
    if !enabled(config) {
        return jar;
    }
    jar.remove(base(config, String::new()).build())
}

fn base(config: &Config, value: String) -> cookie::CookieBuilder<'static> {
    let settings = &config.refresh_cookie;
    let same_site = match settings.same_site {
        config::SameSite::Strict => SameSite::Strict,
        config::SameSite::Lax => SameSite::Lax,
        config::SameSite::None => SameSite::None,
    };
    let mut builder = Cookie::build((settings.name.clone(), value))
        .http_only(true)
        .secure(settings.secure)
        .same_site(same_site)
        .path(settings.path.clone());
    if let Some(domain) = &settings.domain {
        builder = builder.domain(domain.clone());
    }
    builder
}
