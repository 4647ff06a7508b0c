#![expect(
    clippy::unwrap_used,
    clippy::result_large_err,
    reason = "tests; figment::Jail's closures return its large figment::Error"
)]

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
        jail.create_file(
            "sesame.toml",
            "access_token_lifetime = \"15m\"\nleeway = 3\n",
        )?;
        jail.set_env("SESAME_REFRESH_TOKEN_LIFETIME", "2d");
        jail.set_env("SESAME_TEST_DATABASE_URL", "postgres://ignored");
        let config = Config::load(Path::new("sesame.toml")).unwrap();
        assert_eq!(config.access_token_lifetime, Duration::from_secs(900));
        assert_eq!(
            config.refresh_token_lifetime,
            Duration::from_secs(2 * 86_400)
        );
        assert_eq!(config.leeway, Duration::from_secs(3));
        Ok(())
    });
}

#[test]
fn the_config_file_variable_is_not_a_setting() {
    Jail::expect_with(|jail| {
        jail.set_env("SESAME_CONFIG", "elsewhere.toml");
        Config::load(Path::new("none.toml")).unwrap();
        Ok(())
    });
}

#[test]
fn unknown_key_is_an_error_that_names_it() {
    Jail::expect_with(|jail| {
        jail.create_file("sesame.toml", "acess_token_lifetime = \"15m\"\n")?;
        let err = Config::load(Path::new("sesame.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("acess_token_lifetime"), "{err}");
        Ok(())
    });
}

#[test]
fn bad_duration_is_an_error() {
    Jail::expect_with(|jail| {
        jail.set_env("SESAME_LEEWAY", "soon");
        let err = load_error();
        assert!(err.contains("soon"), "{err}");
        Ok(())
    });
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let config = Config {
        algorithm: Algorithm::HS256,
        signing_key: Some(Secret::from(
            "a-very-secret-hmac-key-of-32-bytes!".to_owned(),
        )),
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

#[test]
fn id_tokens_need_an_asymmetric_algorithm() {
    assert_eq!(Config::default().id_token_algorithm, Algorithm::RS256);
    let config = Config {
        id_token_algorithm: Algorithm::HS256,
        ..Config::default()
    };
    let err = config.validate().unwrap_err().to_string();
    assert!(
        err.contains("id_token_algorithm HS256 must be asymmetric"),
        "{err}"
    );
    let es256 = Config {
        id_token_algorithm: Algorithm::ES256,
        ..Config::default()
    };
    assert!(es256.validate().is_ok());
}

#[test]
fn api_surface_settings_load_from_tables_and_environment() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "sesame.toml",
            "auth_header_types = [\"Bearer\", \"JWT\"]\n\
             sliding_token_lifetime = \"10m\"\n\
             cors_allowed_origins = [\"https://app.example.com\"]\n\
             [compat]\nvue_admin = true\n\
             [refresh_cookie]\nsame_site = \"Strict\"\n",
        )?;
        jail.set_env("SESAME_REFRESH_COOKIE__ENABLED", "true");
        let config = Config::load(Path::new("sesame.toml")).unwrap();
        assert_eq!(config.auth_header_types, ["Bearer", "JWT"]);
        assert_eq!(config.sliding_token_lifetime, Duration::from_secs(600));
        assert!(config.compat.vue_admin);
        assert!(config.refresh_cookie.enabled);
        assert_eq!(config.refresh_cookie.same_site, SameSite::Strict);
        assert_eq!(config.refresh_cookie.path, "/api/token/");
        Ok(())
    });
}

#[test]
fn branding_admits_only_hex_colours_and_https_or_local_logos() {
    let check = |color: Option<&str>, logo: &str| {
        let config = Config {
            accent_color: color.map(str::to_owned),
            logo_uri: logo.to_owned(),
            ..Config::default()
        };
        config.validate().is_ok()
    };
    let logo = "/static/sesame.svg";
    for good in ["#0a7", "#0F766E", "#abcdef"] {
        assert!(check(Some(good), logo), "{good}");
    }
    // It lands in a stylesheet: nothing but #rgb / #rrggbb, no names, no functions, no escapes.
    for bad in [
        "",
        "0a7",
        "#0a",
        "#0a7f",
        "#12345",
        "#1234567",
        "#ggg",
        "red",
        "rgb(0,0,0)",
        "#000;}body{display:none",
        "#000\\9",
        "var(--x)",
        " #000",
    ] {
        assert!(!check(Some(bad), logo), "{bad:?}");
    }
    for good in [
        "/static/sesame.svg",
        "/brand/acme.png",
        "https://cdn.acme.example/logo.svg",
    ] {
        assert!(check(None, good), "{good}");
    }
    for bad in [
        "",
        "javascript:alert(1)",
        "data:image/svg+xml,<svg/>",
        "http://cdn.acme.example/logo.svg",
        "//cdn.acme.example/logo.svg",
        "logo.svg",
        "/a\"onerror=\"x",
        "/a b.png",
    ] {
        assert!(!check(None, bad), "{bad:?}");
    }
}

#[test]
fn api_surface_settings_are_validated() {
    let with = |change: fn(&mut Config)| {
        let mut config = Config::default();
        change(&mut config);
        config.validate()
    };
    assert!(with(|_| {}).is_ok());
    assert!(with(|c| c.auth_header_types = vec!["Bearer x".into()]).is_err());
    assert!(with(|c| c.auth_token_classes.clear()).is_err());
    assert!(with(|c| c.language_code = "zh-Hans".into()).is_ok());
    assert!(with(|c| c.language_code = "he-il".into()).is_ok());
    // No catalogue of simplejwt's languages: refused rather than silently English.
    assert!(with(|c| c.language_code = "ja".into()).is_err());
    assert!(with(|c| c.site_name = " ".into()).is_err());
    assert!(with(|c| c.cors_allowed_origins = vec!["https://a.example/".into()]).is_err());
    assert!(with(|c| c.cors_allowed_origins = vec!["*".into()]).is_ok());
    assert!(
        with(|c| {
            c.cors_allowed_origins = vec!["*".into()];
            c.refresh_cookie.enabled = true;
        })
        .is_err()
    );
    assert!(
        with(|c| {
            c.refresh_cookie.same_site = SameSite::None;
            c.refresh_cookie.secure = false;
        })
        .is_err()
    );
}

#[test]
fn connection_and_database_limits_load_and_refuse_zero() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "sesame.toml",
            "header_read_timeout = \"2s\"\nkeep_alive_timeout = \"500ms\"\n\
             max_header_size = 8192\nmax_connections = 64\ndatabase_acquire_timeout = 1\n",
        )?;
        let config = Config::load(Path::new("sesame.toml")).unwrap();
        assert_eq!(config.header_read_timeout, Duration::from_secs(2));
        assert_eq!(config.keep_alive_timeout, Duration::from_millis(500));
        assert_eq!((config.max_header_size, config.max_connections), (8192, 64));
        assert_eq!(config.database_acquire_timeout, Duration::from_secs(1));
        Ok(())
    });
    let refused: [fn(&mut Config); 4] = [
        |c| c.keep_alive_timeout = Duration::ZERO,
        |c| c.max_header_size = 100,
        |c| c.max_connections = 0,
        |c| c.database_acquire_timeout = Duration::ZERO,
    ];
    for change in refused {
        let mut config = Config::default();
        change(&mut config);
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("must be"), "{err}");
    }
}

/// Why loading (no settings file, this environment) fails.
fn load_error() -> String {
    Config::load(Path::new("none.toml"))
        .unwrap_err()
        .to_string()
}

#[test]
fn the_ops_listener_is_off_by_default_and_never_the_public_port() {
    assert_eq!(Config::default().ops_listen, None);
    Jail::expect_with(|jail| {
        jail.set_env("SESAME_OPS_LISTEN", "127.0.0.1:9100");
        let config = Config::load(Path::new("none.toml")).unwrap();
        assert_eq!(config.ops_listen, Some("127.0.0.1:9100".parse().unwrap()));
        jail.set_env("SESAME_OPS_LISTEN", "127.0.0.1:8080");
        let err = load_error();
        assert!(
            err.contains("ops_listen 127.0.0.1:8080 must differ from listen"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn lists_in_environment_variables_are_written_in_toml() {
    Jail::expect_with(|jail| {
        jail.set_env(
            "SESAME_AUTH_TOKEN_CLASSES",
            r#"["SlidingToken", "AccessToken"]"#,
        );
        jail.set_env("SESAME_EXTRA_CLAIMS", r#"["roles","email"]"#);
        jail.set_env(
            "SESAME_CORS_ALLOWED_ORIGINS",
            r#"["https://app.example.com"]"#,
        );
        let config = Config::load(Path::new("none.toml")).unwrap();
        assert_eq!(
            config.auth_token_classes,
            [AuthTokenClass::SlidingToken, AuthTokenClass::AccessToken]
        );
        assert_eq!(config.extra_claims, [ExtraClaim::Roles, ExtraClaim::Email]);
        assert_eq!(config.cors_allowed_origins, ["https://app.example.com"]);
        // Without the brackets a list is one string, and refused by name.
        jail.set_env("SESAME_AUTH_TOKEN_CLASSES", "AccessToken,SlidingToken");
        let err = load_error();
        assert!(
            err.contains("expected a sequence for key \"AUTH_TOKEN_CLASSES\""),
            "{err}"
        );
        // The old README's lower-case names are not token classes.
        jail.set_env("SESAME_AUTH_TOKEN_CLASSES", r#"["access"]"#);
        let err = load_error();
        assert!(err.contains("AccessToken"), "{err}");
        Ok(())
    });
}

#[test]
fn trusted_proxies_are_networks_or_addresses() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "sesame.toml",
            "trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\", \"2001:db8::/32\"]\n",
        )?;
        let shown = || -> Vec<String> {
            let config = Config::load(Path::new("sesame.toml")).unwrap();
            config
                .trusted_proxies
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        assert_eq!(shown(), ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
        jail.set_env("SESAME_TRUSTED_PROXIES", "[\"172.16.0.0/12\", \"::1\"]");
        assert_eq!(shown(), ["172.16.0.0/12", "::1/128"]);
        jail.set_env("SESAME_TRUSTED_PROXIES", "[\"10.0.0.0/33\"]");
        let err = Config::load(Path::new("sesame.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`10.0.0.0/33` is not an IP network"), "{err}");
        Ok(())
    });
}

#[test]
fn the_expiry_cleanup_runs_every_ten_minutes_and_0s_turns_it_off() {
    assert_eq!(
        Config::default().expiry_cleanup_interval,
        Duration::from_secs(600)
    );
    Jail::expect_with(|jail| {
        jail.create_file("sesame.toml", "expiry_cleanup_interval = \"0s\"\n")?;
        let config = Config::load(Path::new("sesame.toml")).unwrap();
        assert_eq!(config.expiry_cleanup_interval, Duration::ZERO);
        config.validate().unwrap();
        jail.set_env("SESAME_EXPIRY_CLEANUP_INTERVAL", "1h");
        let config = Config::load(Path::new("sesame.toml")).unwrap();
        assert_eq!(config.expiry_cleanup_interval, Duration::from_secs(3600));
        Ok(())
    });
    let config = Config {
        expiry_cleanup_interval: Duration::from_millis(500),
        ..Config::default()
    };
    assert_eq!(
        config.validate().unwrap_err().to_string(),
        "configuration: expiry_cleanup_interval must be 0s (off) or at least 1s"
    );
}

#[test]
fn the_key_encryption_key_is_32_bytes_of_base64url_and_never_shown() {
    assert!(Config::default().key_encryption_key.is_none());
    Jail::expect_with(|jail| {
        let good = "BsEUbI_04d4h1yGHQiOmaQBwKD01V9hjO4spBO-e9ds";
        jail.set_env("SESAME_KEY_ENCRYPTION_KEY", good);
        let config = Config::load(Path::new("none.toml")).unwrap();
        assert!(!format!("{config:?}").contains(good));
        assert!(config.key_encryption_key().unwrap().is_some());
        for (bad, why) in [
            (
                "BsEUbI_04d4h1yGHQiOmaQBwKD01V9hjO4spBO-e",
                "it decodes to 30 bytes, not 32",
            ),
            (
                "BsEUbI+04d4h1yGHQiOmaQBwKD01V9hjO4spBO-e9ds",
                "it is base64, not base64url",
            ),
            (
                "BsEUbI_04d4h1yGHQiOmaQBwKD01V9hjO4spBO-e9d$",
                "outside the base64url alphabet",
            ),
        ] {
            jail.set_env("SESAME_KEY_ENCRYPTION_KEY", bad);
            let err = load_error();
            assert!(
                err.starts_with("configuration: key_encryption_key must be 32"),
                "{err}"
            );
            assert!(err.contains(why), "{err}");
            assert!(!err.contains(&bad[..20]), "{err}");
        }
        Ok(())
    });
}
