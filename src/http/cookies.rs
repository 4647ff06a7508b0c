//! Every cookie Sesame sets, with its attributes, read and written through axum-extra's
//! `CookieJar` (no other code parses a `Cookie` header or writes a `Set-Cookie`):
//!
//! - `sesame_session` (Path=/, SameSite=Lax): the browser session's id, for every page.
//! - `sesame_admin` (Path=/admin, SameSite=Strict): the same id for a user with the `admin`
//!   role, so the admin UI is never reached by a cross-site navigation.
//! - `sesame_login_csrf` (Path=/login, SameSite=Lax): the login form's signed CSRF cookie
//!   (`auth::login_csrf`), so showing the form stores nothing.
//! - `sesame_device` (Path=/login, SameSite=Strict): the signed device cookie a successful login
//!   on the form leaves (`auth::device`), read by the next login's throttle.
//! - the refresh cookie of simplejwt's cookie mode ([`refresh`]).
//!
//! All are HttpOnly. The two session cookies are Secure as `cookie_secure` says, or, when it is
//! unset, when the issuer is `https://` or the client reached a trusted proxy over https
//! ([`SessionCookies`]); the refresh cookie is Secure as `[refresh_cookie]` says.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::config::Config;
use crate::http::extract::ClientOrigin;
use crate::paths;
use crate::state::AppState;

/// The session cookie of every browser page.
pub const SESSION: &str = "sesame_session";
/// The admin UI's copy of the session id.
pub const ADMIN: &str = "sesame_admin";
/// The login form's CSRF cookie (`auth::login_csrf`).
pub const LOGIN_CSRF: &str = "sesame_login_csrf";
/// The device cookie (`auth::device`).
pub const DEVICE: &str = "sesame_device";

/// The session id in the session cookie, if the browser sent one.
pub fn session_id(jar: &CookieJar) -> Option<&str> {
    value(jar, SESSION)
}

/// The session id in the admin cookie, if the browser sent one (only under `/admin`).
pub fn admin_session_id(jar: &CookieJar) -> Option<&str> {
    value(jar, ADMIN)
}

/// The login form's CSRF cookie, if the browser sent one.
pub fn login_csrf(jar: &CookieJar) -> Option<&str> {
    value(jar, LOGIN_CSRF)
}

/// The device cookie, if the browser sent one (only to the login form).
pub fn device(jar: &CookieJar) -> Option<&str> {
    value(jar, DEVICE)
}

fn value<'a>(jar: &'a CookieJar, name: &str) -> Option<&'a str> {
    jar.get(name).map(Cookie::value).filter(|v| !v.is_empty())
}

/// How this request's session cookies are written: whether they carry `Secure`.
#[derive(Clone, Copy, Debug)]
pub struct SessionCookies {
    secure: bool,
}

impl SessionCookies {
    /// `cookie_secure` when set; otherwise Secure for an `https://` issuer or a client that
    /// used https (as a trusted proxy reported it).
    pub fn new(config: &Config, origin: ClientOrigin) -> SessionCookies {
        let secure = config
            .cookie_secure
            .unwrap_or_else(|| config.issuer.starts_with("https://") || origin.https);
        SessionCookies { secure }
    }

    /// Starts a browser session: the session cookie, and the admin cookie for a user with the
    /// `admin` role (removed for anyone else, so a previous admin's copy goes).
    pub fn start(self, jar: CookieJar, session_id: &str, admin: bool) -> CookieJar {
        let jar = jar.add(self.session_cookie(SESSION, session_id, SameSite::Lax, "/"));
        if admin {
            let cookie = self.session_cookie(ADMIN, session_id, SameSite::Strict, paths::ADMIN);
            jar.add(cookie)
        } else {
            jar.add(self.removal(ADMIN, paths::ADMIN))
        }
    }

    /// Sets the login form's CSRF cookie when there is a new `value`, for as long as the form lasts.
    pub fn set_login_csrf(self, jar: CookieJar, value: Option<&str>) -> CookieJar {
        let lifetime = crate::auth::login_csrf::LIFETIME;
        match value {
            Some(value) => jar.add(self.login_cookie(LOGIN_CSRF, value, SameSite::Lax, lifetime)),
            None => jar,
        }
    }

    /// Sets the device cookie `value` (signed by `auth::device`) for as long as it is honoured.
    pub fn set_device(self, jar: CookieJar, value: &str) -> CookieJar {
        let lifetime = crate::auth::device::LIFETIME;
        jar.add(self.login_cookie(DEVICE, value, SameSite::Strict, lifetime))
    }

    /// A cookie only the login form reads (Path=/login), living `lifetime`.
    fn login_cookie(
        self,
        name: &'static str,
        value: &str,
        same_site: SameSite,
        lifetime: std::time::Duration,
    ) -> Cookie<'static> {
        let max_age = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        Cookie::build((name, value.to_owned()))
            .http_only(true)
            .same_site(same_site)
            .path(paths::LOGIN)
            .secure(self.secure)
            .max_age(cookie::time::Duration::seconds(max_age))
            .build()
    }

    /// Ends a browser session: removes both session cookies.
    pub fn end(self, jar: CookieJar) -> CookieJar {
        jar.add(self.removal(SESSION, "/"))
            .add(self.removal(ADMIN, paths::ADMIN))
    }

    fn session_cookie(
        self,
        name: &'static str,
        session_id: &str,
        same_site: SameSite,
        path: &'static str,
    ) -> Cookie<'static> {
        Cookie::build((name, session_id.to_owned()))
            .http_only(true)
            .same_site(same_site)
            .path(path)
            .secure(self.secure)
            .build()
    }

    /// A removal cookie, added to the jar rather than passed to `CookieJar::remove`: that only
    /// removes a cookie the request carried, and the browser sends the admin cookie under
    /// `/admin` only, so a logout anywhere else would leave it behind.
    fn removal(self, name: &'static str, path: &'static str) -> Cookie<'static> {
        let mut cookie = Cookie::build((name, ""))
            .http_only(true)
            .path(path)
            .secure(self.secure)
            .build();
        cookie.make_removal();
        cookie
    }
}

impl FromRequestParts<AppState> for SessionCookies {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(origin) = ClientOrigin::from_request_parts(parts, state).await;
        Ok(SessionCookies::new(&state.config, origin))
    }
}

/// Cookie mode of the simplejwt surface (`[refresh_cookie]`, off by default): the refresh token
/// travels in an HttpOnly, Secure, SameSite cookie scoped to the token endpoints, so script on
/// the page never holds it. Obtaining and refreshing set it, refreshing and blacklisting read it
/// when the body has no `refresh`, blacklisting and logging out clear it.
pub mod refresh {
    use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
    use cookie::CookieBuilder;

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

    fn base(config: &Config, value: String) -> CookieBuilder<'static> {
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
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::*;

    #[test]
    fn cookies_are_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; sesame_session=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("sesame_admin="));
        let jar = CookieJar::from_headers(&headers);
        assert_eq!(session_id(&jar), Some("xyz"));
        assert_eq!(admin_session_id(&jar), None, "an empty value is no session");
    }

    fn set_cookies(jar: CookieJar) -> Vec<String> {
        let response = axum::response::IntoResponse::into_response(jar);
        let mut set: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        set.sort();
        set
    }

    #[test]
    fn an_admin_session_sets_both_cookies() {
        let config = Config {
            issuer: "https://login.example".into(),
            ..Config::default()
        };
        let cookies = SessionCookies::new(&config, ClientOrigin::default());
        let set = set_cookies(cookies.start(CookieJar::new(), "id1", true));
        assert_eq!(
            set,
            [
                "sesame_admin=id1; HttpOnly; SameSite=Strict; Secure; Path=/admin",
                "sesame_session=id1; HttpOnly; SameSite=Lax; Secure; Path=/",
            ]
        );
    }

    #[test]
    fn other_sessions_and_logouts_remove_the_admin_cookie() {
        let config = Config::default();
        let cookies = SessionCookies::new(&config, ClientOrigin::default());
        let set = set_cookies(cookies.start(CookieJar::new(), "id2", false));
        assert_eq!(set.len(), 2);
        assert!(set[0].starts_with("sesame_admin=; HttpOnly; Path=/admin; Max-Age=0; Expires="));
        assert_eq!(set[1], "sesame_session=id2; HttpOnly; SameSite=Lax; Path=/");
        for cookie in set_cookies(cookies.end(CookieJar::new())) {
            assert!(cookie.contains("=; HttpOnly; Path=/"), "{cookie}");
            assert!(cookie.contains("; Max-Age=0; Expires="), "{cookie}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any `Cookie` header: no session, or a non-empty value the header carried.
        #[test]
        fn any_cookie_header_gives_a_session_the_header_holds(value in "[ -~\\x80-\\xff]{0,80}") {
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_bytes(value.as_bytes()).unwrap());
            let jar = CookieJar::from_headers(&headers);
            for found in [session_id(&jar), admin_session_id(&jar)].into_iter().flatten() {
                proptest::prop_assert!(!found.is_empty() && value.contains(found), "{found}");
            }
        }
    }

    #[test]
    fn https_through_a_trusted_proxy_makes_session_cookies_secure() {
        let config = Config::default();
        let https = ClientOrigin {
            ip: None,
            https: true,
        };
        let set =
            set_cookies(SessionCookies::new(&config, https).start(CookieJar::new(), "i", false));
        assert_eq!(
            set[1],
            "sesame_session=i; HttpOnly; SameSite=Lax; Secure; Path=/"
        );
        let config = Config {
            cookie_secure: Some(false),
            ..config
        };
        let set =
            set_cookies(SessionCookies::new(&config, https).start(CookieJar::new(), "i", false));
        assert_eq!(
            set[1], "sesame_session=i; HttpOnly; SameSite=Lax; Path=/",
            "the setting wins"
        );
    }
}
