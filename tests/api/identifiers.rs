//! One rule for who an identifier names, the same on SQLite and PostgreSQL (issue 11, item 2):
//! usernames under NFKC and full case folding, emails folded whole, phones as their digits with
//! a leading `+`, compared through the stored `*_canonical` columns by registration, login, the
//! admin UI's create and edit, and the CLI's `user add`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::oauth::jwt_parts;
use crate::support::requests::TestResponse;
use crate::support::{PASSWORD, TestApp};
use sesame::auth::accounts::{self, CreateAccountError, NewAccount};
use sesame::auth::admin::AdminError;
use sesame::auth::admin::users::{self as admin_users, ProfileInput};
use sesame::auth::audit::Actor;
use sesame::store::{self, UniqueField};
use sesame::views::PageLanguage;
use sesame::views::admin::messages;

const GOOD_PASSWORD: &str = "Tr0ub4dor&3xyz";

async fn register(
    app: &TestApp,
    username: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> TestResponse {
    let mut body = json!({ "username": username, "password": GOOD_PASSWORD });
    if let Some(email) = email {
        body["email"] = json!(email);
    }
    if let Some(phone) = phone {
        body["phone"] = json!(phone);
    }
    app.post("/api/register/").json(&body).await
}

/// The `user_id` of the access token a login as `identifier` gets, or the failed answer.
async fn login_user_id(app: &TestApp, identifier: &str) -> Value {
    let login = app
        .post("/api/token/")
        .json(&json!({ "username": identifier, "password": GOOD_PASSWORD }))
        .await;
    assert_eq!(
        login.status,
        StatusCode::OK,
        "{identifier}: {}",
        login.text()
    );
    let (_, claims) = jwt_parts(login.json()["access"].as_str().unwrap());
    // simplejwt 5.5.1 writes `str(user.pk)`; registration answers the pk as a number.
    let user_id = claims["user_id"].as_str().unwrap();
    json!(user_id.parse::<i64>().unwrap())
}

fn taken(field: &str, message: &str) -> Value {
    json!({ field: [message] })
}

const USERNAME_TAKEN: &str = "A user with that username already exists.";

async fn a_non_ascii_username_is_refused_twice_like_an_ascii_one(app: TestApp) {
    assert_eq!(
        register(&app, "alice", None, None).await.status,
        StatusCode::CREATED
    );
    let ascii = register(&app, "ALICE", None, None).await;
    assert_eq!(ascii.status, StatusCode::BAD_REQUEST);
    assert_eq!(ascii.json(), taken("username", USERNAME_TAKEN));

    let created = register(&app, "Élodie", None, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["username"], "Élodie");
    let id = created.json()["id"].clone();
    let again = register(&app, "élodie", None, None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again.json(),
        ascii.json(),
        "the same answer as an ASCII duplicate"
    );
    // Decomposed É (E + U+0301) is the same name.
    let decomposed = register(&app, "E\u{301}LODIE", None, None).await;
    assert_eq!(decomposed.json(), ascii.json());
    assert_eq!(store::users::count(app.db()).await.unwrap(), 2);

    for identifier in ["ÉLODIE", "élodie", "Élodie", "E\u{301}lodie"] {
        assert_eq!(login_user_id(&app, identifier).await, id, "{identifier}");
    }
    let row = store::users::find_by_username(app.db(), "ÉLODIE")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.username.as_str(), row.username_canonical.as_str()),
        ("Élodie", "élodie")
    );
}

async fn compatibility_forms_and_full_case_folding_name_one_user(app: TestApp) {
    // (registered, stored as, refused afterwards, canonical)
    let cases = [
        ("ﬁona", "fiona", "fiona", "fiona"),
        ("ａｌｉｃｅ", "alice", "ALICE", "alice"),
        ("straße", "straße", "STRASSE", "strasse"),
        ("ＳＴＲＡＳＳＥ２", "STRASSE2", "straße2", "strasse2"),
    ];
    for (first, stored, second, canonical) in cases {
        let created = register(&app, first, None, None).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{first}: {}",
            created.text()
        );
        assert_eq!(created.json()["username"], stored, "{first}");
        let refused = register(&app, second, None, None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{second}");
        assert_eq!(
            refused.json(),
            taken("username", USERNAME_TAKEN),
            "{second}"
        );
        assert_eq!(
            login_user_id(&app, second).await,
            created.json()["id"],
            "{second}"
        );
        let row = store::users::find_by_username(app.db(), first)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.username_canonical, canonical);
    }
    assert_eq!(store::users::count(app.db()).await.unwrap(), 4);
}

async fn emails_and_phones_collide_in_their_canonical_forms(app: TestApp) {
    let carol = register(
        &app,
        "carol",
        Some("Carol.Smith@Example.COM"),
        Some("+1 (555) 010-9999"),
    )
    .await;
    assert_eq!(carol.status, StatusCode::CREATED, "{}", carol.text());
    let email = register(&app, "dave", Some("carol.smith@example.com"), None).await;
    assert_eq!(email.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        email.json(),
        taken("email", "user with this email address already exists.")
    );
    let phone = register(&app, "dave", None, Some("+15550109999")).await;
    assert_eq!(phone.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        phone.json(),
        taken("phone", "user with this phone already exists.")
    );
    // A national number is not the international one: no country rules.
    let national = register(&app, "erin", None, Some("555 010 9999")).await;
    assert_eq!(national.status, StatusCode::CREATED, "{}", national.text());

    let id = carol.json()["id"].clone();
    for identifier in [
        "CAROL.SMITH@example.com",
        "+1 555 010 9999",
        "+1-555-010-9999",
        "+15550109999",
    ] {
        assert_eq!(login_user_id(&app, identifier).await, id, "{identifier}");
    }
    let row = store::users::find_by_username(app.db(), "carol")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.email.as_deref(),
        Some("Carol.Smith@Example.COM"),
        "the spelling given is kept"
    );
    assert_eq!(
        row.email_canonical.as_deref(),
        Some("carol.smith@example.com")
    );
    assert_eq!(row.phone.as_deref(), Some("+1 (555) 010-9999"));
    assert_eq!(row.phone_canonical.as_deref(), Some("+15550109999"));
}

fn profile(email: &str, phone: &str) -> ProfileInput {
    ProfileInput {
        display_name: String::new(),
        email: email.into(),
        phone: phone.into(),
        roles: String::new(),
        is_active: true,
    }
}

fn field_error(result: Result<impl std::fmt::Debug, AdminError>, field: &str) -> String {
    match result {
        Err(AdminError::Invalid(errors)) => errors
            .get(field)
            .map(|p| messages::problem(field, p, PageLanguage::En))
            .unwrap_or_default(),
        other => panic!("expected a message about {field}, got {other:?}"),
    }
}

async fn admin_and_cli_creation_and_edits_use_the_same_rule(app: TestApp) {
    let elodie = app
        .user("élodie")
        .email("elodie@example.fr")
        .phone("+33 1 23 45 67 89")
        .create()
        .await;
    let now = app.now();
    let actor = Actor::system();

    // `sesame user add` creates through accounts::create_user.
    let cli = NewAccount {
        username: "E\u{301}LODIE".into(),
        password: PASSWORD.into(),
        ..NewAccount::default()
    };
    let refused = accounts::create_user(&app.state, cli, now).await;
    assert!(
        matches!(
            refused,
            Err(CreateAccountError::Duplicate(UniqueField::Username))
        ),
        "{refused:?}"
    );

    let admin = admin_users::create_user(
        &app.state,
        &actor,
        "ÉLODIE",
        GOOD_PASSWORD,
        &profile("", ""),
        now,
    )
    .await;
    assert_eq!(
        field_error(admin, "username"),
        "already belongs to another user"
    );
    let admin = admin_users::create_user(
        &app.state,
        &actor,
        "zoe",
        GOOD_PASSWORD,
        &profile("ELODIE@EXAMPLE.FR", ""),
        now,
    )
    .await;
    assert_eq!(
        field_error(admin, "email"),
        "already belongs to another user"
    );

    let bob = admin_users::create_user(
        &app.state,
        &actor,
        "ﬁbob",
        GOOD_PASSWORD,
        &profile("Bob@Example.org", ""),
        now,
    )
    .await
    .unwrap();
    assert_eq!(bob.username, "fibob", "stored NFKC-normalized");
    let edit = admin_users::update_user(
        &app.state,
        &actor,
        bob.id,
        &profile("Elodie@Example.FR", ""),
        now,
    )
    .await;
    assert_eq!(
        field_error(edit, "email"),
        "already belongs to another user"
    );
    let edit = admin_users::update_user(
        &app.state,
        &actor,
        bob.id,
        &profile("", "+33123456789"),
        now,
    )
    .await;
    assert_eq!(
        field_error(edit, "phone"),
        "already belongs to another user"
    );
    admin_users::update_user(
        &app.state,
        &actor,
        bob.id,
        &profile("BOB@example.org", "+442079460000"),
        now,
    )
    .await
    .unwrap();
    let bob = store::users::find_by_id(app.db(), bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.email_canonical.as_deref(), Some("bob@example.org"));
    assert_eq!(bob.phone_canonical.as_deref(), Some("+442079460000"));

    // The CLI's and the admin UI's lookups by username.
    let found = store::users::find_by_username(app.db(), "ÉLODIE")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, elodie.id);
    assert_eq!(store::users::count(app.db()).await.unwrap(), 2);
}

on_both_databases!(
    a_non_ascii_username_is_refused_twice_like_an_ascii_one,
    compatibility_forms_and_full_case_folding_name_one_user,
    emails_and_phones_collide_in_their_canonical_forms,
    admin_and_cli_creation_and_edits_use_the_same_rule,
);
