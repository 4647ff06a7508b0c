//! `sesame.example.toml` is the defaults, and names every setting: it cannot drift from
//! [`Config::default`] without failing here.

#![expect(clippy::unwrap_used, reason = "tests")]

use figment::Figment;
use figment::providers::{Format, Toml};
use serde::de::DeserializeOwned;

use super::{Compat, Config, RefreshCookie};
use crate::crypto::passwords::Argon2Cost;

const EXAMPLE: &str = include_str!("../../sesame.example.toml");

/// The keys a struct accepts, from serde's own refusal of an unknown one ("unknown field `x`,
/// expected one of `a`, `b`"): the list can only be the struct's.
fn fields_of<T: DeserializeOwned>() -> Vec<String> {
    let Err(err) = serde_json::from_str::<T>(r#"{"__not_a_setting__": 0}"#) else {
        panic!("deny_unknown_fields is on every settings struct");
    };
    let message = err.to_string();
    let (_, expected) = message.split_once("expected").unwrap();
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `(table, key)` for each `key = ...` line, commented out or not, and `("", table)` for each
/// `[table]` header.
fn example_keys() -> Vec<(String, String)> {
    let mut table = String::new();
    let mut keys = Vec::new();
    for line in EXAMPLE.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = name.to_owned();
            keys.push((String::new(), table.clone()));
            continue;
        }
        let line = line.strip_prefix("# ").unwrap_or(line);
        if let Some((key, _)) = line.split_once(" = ")
            && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            keys.push((table.clone(), key.to_owned()));
        }
    }
    keys
}

#[test]
fn the_example_settings_file_is_the_defaults() {
    let example: Config = Figment::from(Toml::string(EXAMPLE)).extract().unwrap();
    example.validate().unwrap();
    let default = Config::default();
    assert_eq!(format!("{example:#?}"), format!("{default:#?}"));
    // Debug redacts secrets; the one secret with a default value is compared as itself.
    assert_eq!(example.database_url.expose(), default.database_url.expose());
}

#[test]
fn the_example_settings_file_names_every_setting() {
    let keys = example_keys();
    let tables = [
        ("", fields_of::<Config>()),
        ("argon2", fields_of::<Argon2Cost>()),
        ("refresh_cookie", fields_of::<RefreshCookie>()),
        ("compat", fields_of::<Compat>()),
    ];
    for (table, fields) in tables {
        assert!(!fields.is_empty(), "{table}");
        for field in fields {
            let named = keys.iter().any(|(t, k)| t == table && *k == field);
            assert!(named, "sesame.example.toml does not name [{table}] {field}");
        }
    }
}

#[test]
fn the_commented_out_examples_are_valid_settings() {
    // Each `# key = value` line, uncommented, in the table it stands in.
    let uncommented: String = EXAMPLE
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(setting)
                if setting
                    .split_once(" = ")
                    .is_some_and(|(k, _)| !k.contains(' ')) =>
            {
                setting
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("\nops_listen = "), "{uncommented}");
    let config: Config = Figment::from(Toml::string(&uncommented)).extract().unwrap();
    config.validate().unwrap();
    assert_eq!(config.ops_listen, Some("127.0.0.1:9100".parse().unwrap()));
    assert_eq!(config.bootstrap_admin.as_deref(), Some("admin"));
}
