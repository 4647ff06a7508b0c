//! The lookup against literal translations (checked by hand against the packages' catalogues),
//! and every simplejwt message through every locale simplejwt 5.5.1 ships.

use std::fmt::Write;

use super::*;

fn speak(code: &str) -> Translator {
    let language = Language::parse(code).unwrap_or_else(|| panic!("{code} is not shipped"));
    Translator {
        active: language,
        default: language,
    }
}

#[test]
fn each_locale_family_answers_in_its_language() {
    let zh = speak("zh-hans");
    assert_eq!(
        zh.gettext("No active account found with the given credentials"),
        "找不到指定凭据对应的有效用户"
    );
    // DRF's translation wins over Django's own ("这个字段是必填项。"), as INSTALLED_APPS order has it.
    assert_eq!(zh.gettext("This field is required."), "该字段是必填项。");
    // Fuzzy in simplejwt's zh_Hans .po, so not in its .mo: Django answers English.
    assert_eq!(zh.gettext("Token is invalid"), "Token is invalid");
    let ru = speak("ru");
    assert_eq!(
        ru.ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            8
        ),
        "Введённый пароль слишком короткий. Он должен состоять из как минимум %d символов."
    );
    assert_eq!(
        speak("de").gettext("User not found"),
        "Benutzer nicht gefunden"
    );
    assert_eq!(
        speak("fr").gettext("User not found"),
        "L'utilisateur n'a pas été trouvé"
    );
    assert_eq!(
        speak("es").gettext("This field is required."),
        "Este campo es requerido."
    );
    assert_eq!(speak("en-us").gettext("User not found"), "User not found");
}

#[test]
fn a_message_the_active_language_lacks_comes_from_language_code_then_english() {
    let he = Language::parse("he").unwrap_or_default();
    let zh = Language::parse("zh-hans").unwrap_or_default();
    let en = Language::default();
    // DRF ships no Hebrew for this message; Django falls back to LANGUAGE_CODE's catalogue.
    let msgid = "Authentication credentials were not provided.";
    let alone = Translator {
        active: he,
        default: he,
    };
    assert_eq!(alone.gettext(msgid), msgid);
    let over_zh = Translator {
        active: he,
        default: zh,
    };
    assert_eq!(over_zh.gettext(msgid), speak("zh-hans").gettext(msgid));
    assert_ne!(over_zh.gettext(msgid), msgid);
    // English never falls back (DjangoTranslation._add_fallback).
    let english = Translator {
        active: en,
        default: zh,
    };
    assert_eq!(english.gettext(msgid), msgid);
}

#[test]
fn every_simplejwt_locale_is_reachable_and_every_simplejwt_message_has_a_lookup_path() {
    let mut table = String::new();
    for locale in shipped::RESOLVED
        .iter()
        .filter_map(|(_, dirs)| dirs[3].first().copied())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let code = locale.to_ascii_lowercase().replace('_', "-");
        let t = speak(&code);
        let dir = t
            .active
            .directories()
            .into_iter()
            .find(|(p, _)| *p == Package::Simplejwt);
        assert_eq!(dir, Some((Package::Simplejwt, locale)), "{code}");
        let translated: Vec<_> = shipped::SIMPLEJWT_MESSAGES
            .iter()
            .filter(|msgid| t.gettext(msgid) != **msgid)
            .collect();
        let _ = writeln!(
            table,
            "{code}: {}/{} translated; {}",
            translated.len(),
            shipped::SIMPLEJWT_MESSAGES.len(),
            t.gettext("No active account found with the given credentials")
        );
    }
    insta::assert_snapshot!("simplejwt_locales", table);
}

/// Writes what Sesame answers for every shipped language and message, with `zh-hans` as
/// `language_code`, to `$SESAME_I18N_DUMP` for `tools/compare_with_django.py`.
#[test]
#[ignore = "run by tools/compare_with_django.py"]
fn dump_lookups_for_django() {
    let Ok(path) = std::env::var("SESAME_I18N_DUMP") else {
        return;
    };
    let default = Language::parse("zh-hans").unwrap_or_default();
    let mut dump = serde_json::Map::new();
    for code in Language::all() {
        let active = Language::parse(code).unwrap_or_default();
        let t = Translator { active, default };
        let mut row = serde_json::Map::new();
        for msgid in shipped::MESSAGES {
            row.insert((*msgid).to_owned(), t.gettext(msgid).into());
        }
        for n in [1, 8] {
            let plural = t.ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                n,
            );
            row.insert(format!("ngettext:{n}"), plural.into());
        }
        dump.insert(code.to_owned(), row.into());
    }
    let text = serde_json::to_string_pretty(&dump).unwrap_or_default();
    std::fs::write(&path, text).unwrap_or_else(|err| panic!("{path}: {err}"));
}
