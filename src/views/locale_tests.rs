//! The shipped catalogues agree on their keys, and the choice of language follows `ui_locales`,
//! `Accept-Language` and `language_code` in that order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fluent_templates::fluent_bundle::{FluentResource, FluentValue};

use super::*;

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

/// The message ids of every `.ftl` file in one language's directory. Each file must parse
/// as a whole: a syntax error would silently drop the messages after it.
fn keys(language: &str) -> BTreeSet<String> {
    let dir = locales_dir().join(language);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"));
    let mut keys = BTreeSet::new();
    for path in entries {
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        if let Err((_, errors)) = FluentResource::try_new(source.clone()) {
            panic!("{}: {errors:?}", path.display());
        }
        // A message starts at the line's first column with its identifier and ` =`;
        // comments start with `#`, continuation lines with white space.
        for line in source.lines() {
            let starts_message = line.starts_with(|c: char| c.is_ascii_alphabetic());
            if let Some((id, _)) = line.split_once('=').filter(|_| starts_message) {
                keys.insert(id.trim().to_owned());
            }
        }
    }
    keys
}

/// Every language directory under `locales/`.
fn shipped() -> Vec<String> {
    let dir = locales_dir();
    let mut languages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    languages.sort();
    languages
}

#[test]
fn every_key_is_in_every_shipped_language() {
    let languages = shipped();
    let tags: Vec<&str> = PageLanguage::ALL.iter().map(|l| l.tag()).collect();
    assert_eq!(languages, tags, "locales/ and PageLanguage::ALL disagree");
    let english = keys("en");
    assert!(english.contains("login-heading"), "{english:?}");
    for language in &languages {
        let theirs = keys(language);
        let missing: Vec<_> = english.difference(&theirs).collect();
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{language}: missing {missing:?}, not in English {extra:?}"
        );
    }
}

/// Messages that read the same in every language: a time and the zone's name, which CLDR and
/// Chinese interfaces alike write `UTC`.
const SAME_IN_EVERY_LANGUAGE: [&str; 1] = ["format-utc"];

#[test]
fn every_message_is_translated_not_copied() {
    // Every argument any message takes: a message formatted without its arguments is an error.
    let args = [
        "site",
        "client",
        "account",
        "user",
        "scope",
        "reason",
        "seconds",
        "name",
        "client_id",
        "search",
        "limit",
        "page",
        "pages",
        "total",
        "example",
        "category",
        "fields",
        "address",
        "kid",
        "time",
        "alg",
        "ahead",
        "max",
        "uri",
        "grant",
        "role",
        "count",
        "attribute",
    ]
    .map(|name| (name, "x"));
    let english_keys = keys("en");
    assert!(
        english_keys.contains("client-delete-warning"),
        "admin.ftl is read"
    );
    for key in english_keys {
        let with_n = |lang: PageLanguage| {
            let mut all: Vec<_> = args
                .iter()
                .map(|(name, value)| (*name, FluentValue::from(*value)))
                .collect();
            all.push(("n", FluentValue::from(2)));
            lang.t_with(&key, &all)
        };
        let (english, chinese) = (with_n(PageLanguage::En), with_n(PageLanguage::ZhCn));
        assert!(!english.starts_with("Unknown localization"), "{english}");
        assert!(!chinese.starts_with("Unknown localization"), "{chinese}");
        assert!(!english.is_empty(), "{key}");
        if !SAME_IN_EVERY_LANGUAGE.contains(&key.as_str()) {
            assert_ne!(english, chinese, "{key} is English in zh-CN");
        }
    }
}

#[test]
fn times_and_numbers_follow_cldr() {
    use chrono::TimeZone;
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 12, 1, 14, 5, 59)
        .single()
        .unwrap_or_default();
    assert_eq!(PageLanguage::ZhCn.datetime(at), "2026年12月1日 14:05 UTC");
    assert_eq!(
        PageLanguage::En.datetime(at),
        "Dec 1, 2026, 2:05\u{202f}PM UTC"
    );
    assert_eq!(PageLanguage::ZhCn.datetime_or_never(None), "从未");
    assert_eq!(PageLanguage::En.number(1_234_567), "1,234,567");
    assert_eq!(PageLanguage::ZhCn.number(1_234_567), "1,234,567");
    assert_eq!(PageLanguage::En.number(7), "7");
    let d = std::time::Duration::from_secs;
    assert_eq!(PageLanguage::En.duration(d(300)), "5 minutes");
    assert_eq!(PageLanguage::En.duration(d(3600)), "1 hour");
    assert_eq!(PageLanguage::En.duration(d(90)), "90 seconds");
    assert_eq!(PageLanguage::ZhCn.duration(d(300)), "5 分钟");
    assert_eq!(PageLanguage::ZhCn.duration(d(2 * 86_400)), "2 天");
}

#[test]
fn messages_take_their_arguments() {
    let zh = PageLanguage::ZhCn;
    assert_eq!(zh.html("login-heading", &[("site", "Acme")]), "登录 Acme");
    assert_eq!(
        PageLanguage::En.html("login-continue-to", &[("client", "<b>&\"'")]),
        "to continue to <strong>&#60;b&#62;&#38;&#34;&#39;</strong>"
    );
    assert_eq!(
        PageLanguage::En.throttled(Scope::Address, 61),
        "Too many failed login attempts from this network address. Try again in 61 seconds."
    );
    assert_eq!(
        zh.throttled(Scope::Account, 5),
        "多个地址对该账号的登录失败次数过多。请在 5 秒后重试。"
    );
}

#[test]
fn tags_map_to_the_shipped_languages() {
    use PageLanguage::{En, ZhCn};
    for (tag, expected) in [
        ("en", Some(En)),
        ("EN-gb", Some(En)),
        ("en-us", Some(En)),
        ("zh", Some(ZhCn)),
        ("zh-CN", Some(ZhCn)),
        ("zh-hans", Some(ZhCn)),
        ("zh-Hans-SG", Some(ZhCn)),
        ("zh_CN", Some(ZhCn)),
        ("zh-TW", None),
        ("zh-hant", None),
        ("zh-Hant-CN", None),
        ("zh-HK", None),
        ("fr", None),
        ("", None),
        ("english", None),
    ] {
        assert_eq!(PageLanguage::from_tag(tag), expected, "{tag}");
    }
}

#[test]
fn negotiation_order() {
    use PageLanguage::{En, ZhCn};
    let negotiate = |accept: Option<&str>, code: &str| {
        PageLanguage::negotiate(accept, PageLanguage::for_language_code(code))
    };
    let ui = |tags: &[&str]| -> Vec<String> { tags.iter().map(|t| (*t).to_owned()).collect() };
    assert_eq!(
        PageLanguage::from_ui_locales(&ui(&["fr", "zh-CN", "en"])),
        Some(ZhCn)
    );
    assert_eq!(PageLanguage::from_ui_locales(&ui(&["fr", "de"])), None);
    assert_eq!(negotiate(Some("zh-CN,zh;q=0.9"), "en-us"), ZhCn);
    assert_eq!(negotiate(Some("fr, zh;q=0.5"), "en-us"), ZhCn);
    assert_eq!(negotiate(Some("en;q=0.5, zh-CN"), "en-us"), ZhCn);
    assert_eq!(negotiate(Some("zh-TW"), "en-us"), En);
    assert_eq!(negotiate(None, "zh-hans"), ZhCn);
    assert_eq!(negotiate(Some("fr"), "zh-hans"), ZhCn);
    assert_eq!(negotiate(Some("*, zh"), "en-us"), En);
    // Malformed: ignored as a whole, as Django ignores it.
    assert_eq!(negotiate(Some("zh;q=2"), "en-us"), En);
    assert_eq!(negotiate(None, "de"), En);
}
