#![expect(clippy::unwrap_used, reason = "tests")]

use chrono::TimeZone as _;

use super::*;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + seconds, 0).unwrap()
}

fn alice(auth_time: i64) -> Option<Subject> {
    Some(Subject {
        user_id: 1,
        auth_time: at(auth_time),
    })
}

#[test]
fn prompt_values_combine_except_none() {
    let parsed = Prompt::parse(Some("login consent")).unwrap();
    assert!(parsed.login && parsed.consent && !parsed.none && !parsed.select_account);
    assert_eq!(Prompt::parse(None).unwrap(), Prompt::default());
    let none = Prompt::parse(Some("none")).unwrap();
    assert!(none.none);
    // Unknown values are ignored (Core §3.1.2.1, errata set 2), also next to known ones.
    assert_eq!(Prompt::parse(Some("create")).unwrap(), Prompt::default());
    assert!(
        Prompt::parse(Some("select_account create"))
            .unwrap()
            .select_account
    );
    for bad in [
        "none login",
        "none consent",
        "none select_account",
        "none create",
    ] {
        assert!(Prompt::parse(Some(bad)).is_err(), "{bad}");
    }
}

#[test]
fn max_age_is_a_non_negative_integer() {
    assert_eq!(parse_max_age(None), Ok(None));
    assert_eq!(parse_max_age(Some("0")), Ok(Some(Duration::ZERO)));
    assert_eq!(
        parse_max_age(Some("300")),
        Ok(Some(Duration::from_secs(300)))
    );
    for bad in [
        "-1",
        "1.5",
        "",
        "+3",
        " 3",
        "abc",
        "99999999999999999999999",
    ] {
        assert!(parse_max_age(Some(bad)).is_err(), "{bad:?}");
    }
}

#[test]
fn login_and_max_age_need_a_login_made_for_this_request() {
    let login = LoginConstraints {
        prompt: Prompt {
            login: true,
            ..Prompt::default()
        },
        ..LoginConstraints::default()
    };
    assert_eq!(login.step(alice(0), at(1)), LoginStep::Login);
    assert_eq!(login.step(None, at(1)), LoginStep::Login);
    let back = LoginConstraints {
        login_asked_at: Some(at(1)),
        ..login.clone()
    };
    assert_eq!(back.step(alice(0), at(2)), LoginStep::Login, "old login");
    assert_eq!(
        back.step(alice(1), at(2)),
        LoginStep::Proceed(alice(1).unwrap())
    );

    let max_age = |seconds| LoginConstraints {
        max_age: Some(Duration::from_secs(seconds)),
        ..LoginConstraints::default()
    };
    assert_eq!(max_age(0).step(alice(5), at(5)), LoginStep::Login);
    assert_eq!(
        max_age(60).step(alice(0), at(60)),
        LoginStep::Proceed(alice(0).unwrap())
    );
    assert_eq!(max_age(60).step(alice(0), at(61)), LoginStep::Login);
}

#[test]
fn prompt_none_turns_every_interaction_into_login_required() {
    let none = |constraints: LoginConstraints| LoginConstraints {
        prompt: Prompt {
            none: true,
            ..Prompt::default()
        },
        ..constraints
    };
    let refused = |step: LoginStep| matches!(step, LoginStep::Refuse(("login_required", _)));
    assert!(refused(none(LoginConstraints::default()).step(None, at(0))));
    let old = none(LoginConstraints {
        max_age: Some(Duration::from_secs(10)),
        ..LoginConstraints::default()
    });
    assert!(refused(old.step(alice(0), at(11))));
    let other = none(LoginConstraints {
        hinted_user: Some(2),
        ..LoginConstraints::default()
    });
    assert!(refused(other.step(alice(0), at(0))));
    let same = none(LoginConstraints {
        hinted_user: Some(1),
        ..LoginConstraints::default()
    });
    assert_eq!(
        same.step(alice(0), at(0)),
        LoginStep::Proceed(alice(0).unwrap())
    );
}

#[test]
fn a_hint_for_another_user_asks_once_then_refuses() {
    let hinted = LoginConstraints {
        hinted_user: Some(2),
        ..LoginConstraints::default()
    };
    assert_eq!(hinted.step(alice(0), at(0)), LoginStep::Login);
    let back = LoginConstraints {
        login_asked_at: Some(at(0)),
        ..hinted
    };
    assert!(matches!(
        back.step(alice(1), at(1)),
        LoginStep::Refuse(("login_required", _))
    ));
}

#[test]
fn select_account_shows_the_account_once() {
    let select = LoginConstraints {
        prompt: Prompt {
            select_account: true,
            ..Prompt::default()
        },
        ..LoginConstraints::default()
    };
    assert_eq!(select.step(alice(0), at(9)), LoginStep::Login);
    let back = LoginConstraints {
        login_asked_at: Some(at(5)),
        ..select
    };
    // Continuing as the signed-in account keeps its (older) login.
    assert_eq!(
        back.step(alice(0), at(9)),
        LoginStep::Proceed(alice(0).unwrap())
    );
}

#[test]
fn the_marker_replaces_an_earlier_one_and_keeps_the_query() {
    let query = "client_id=a&scope=openid+profile&redirect_uri=https%3A%2F%2Fa.example%2F";
    let marked = mark_login_asked(query, at(0));
    assert_eq!(marked, format!("{query}&{LOGIN_ASKED_AT}=1800000000000"));
    let again = mark_login_asked(&marked, at(1));
    assert_eq!(again, format!("{query}&{LOGIN_ASKED_AT}=1800000001000"));
    assert_eq!(
        mark_login_asked("", at(0)),
        format!("{LOGIN_ASKED_AT}=1800000000000")
    );
}

#[test]
fn ui_locales_keep_their_order() {
    assert_eq!(
        parse_ui_locales(Some("fr-CA fr  en")),
        ["fr-CA", "fr", "en"]
    );
    assert!(parse_ui_locales(None).is_empty());
}
