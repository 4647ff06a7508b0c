//! Refresh-token rotations written in groups (`store::rotations`): every rotation in a group is
//! decided on its own, a repeat of a `jti` in the same group loses to its first presentation, and
//! one bad row does not fail the rest.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::on_both_databases;
use crate::support::TestApp;
use sesame::entities::refresh_tokens;
use sesame::store::refresh_tokens::NewRefreshToken;
use sesame::store::rotations::Rotation;

fn token(jti: &str, parent: Option<&str>, user_id: i64) -> NewRefreshToken {
    let now = Utc::now();
    NewRefreshToken {
        jti: jti.to_owned(),
        family_id: format!("family-of-{}", parent.unwrap_or(jti)),
        parent_jti: parent.map(str::to_owned),
        user_id,
        client_id: "web".to_owned(),
        scope: String::new(),
        auth_time: now,
        issued_at: now,
        expires_at: now + Duration::days(1),
    }
}

fn rotation(presented: &str, successor: &str, user_id: i64) -> Rotation {
    Rotation {
        presented_jti: presented.to_owned(),
        successor: token(successor, Some(presented), user_id),
        now: Utc::now(),
    }
}

async fn row(app: &TestApp, jti: &str) -> Option<refresh_tokens::Model> {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::Jti.eq(jti))
        .one(app.db())
        .await
        .unwrap()
}

async fn each_rotation_in_a_group_is_decided_on_its_own(app: TestApp) {
    let alice = app.user("alice").create().await;
    for n in 0..8 {
        sesame::store::refresh_tokens::insert(app.db(), token(&format!("p{n}"), None, alice.id))
            .await
            .unwrap();
    }
    sesame::store::refresh_tokens::mark_used(app.db(), ["p7".into()], Utc::now())
        .await
        .unwrap();
    let queue = &app.state.rotations;
    // Submitted at once, so most of them share a group: seven fresh tokens, one of them presented
    // twice, one already used, one that does not exist.
    let outcomes = tokio::join!(
        queue.rotate(rotation("p0", "s0", alice.id)),
        queue.rotate(rotation("p1", "s1", alice.id)),
        queue.rotate(rotation("p2", "s2", alice.id)),
        queue.rotate(rotation("p2", "s2-again", alice.id)),
        queue.rotate(rotation("p3", "s3", alice.id)),
        queue.rotate(rotation("p4", "s4", alice.id)),
        queue.rotate(rotation("p5", "s5", alice.id)),
        queue.rotate(rotation("p6", "s6", alice.id)),
        queue.rotate(rotation("p7", "s7", alice.id)),
        queue.rotate(rotation("nope", "s-nope", alice.id)),
    );
    let won = [
        outcomes.0.unwrap(),
        outcomes.1.unwrap(),
        outcomes.2.unwrap(),
        outcomes.3.unwrap(),
        outcomes.4.unwrap(),
        outcomes.5.unwrap(),
        outcomes.6.unwrap(),
        outcomes.7.unwrap(),
        outcomes.8.unwrap(),
        outcomes.9.unwrap(),
    ];
    assert_eq!(
        won,
        [
            true, true, true, false, true, true, true, true, false, false
        ]
    );
    for n in 0..7 {
        let parent = row(&app, &format!("p{n}")).await.unwrap();
        assert!(parent.used_at.is_some(), "p{n} is spent");
        let successor = row(&app, &format!("s{n}")).await.unwrap();
        assert_eq!(
            successor.parent_jti.as_deref(),
            Some(format!("p{n}").as_str())
        );
        assert_eq!(successor.used_at, None);
    }
    for lost in ["s2-again", "s7", "s-nope"] {
        assert!(row(&app, lost).await.is_none(), "{lost} was not recorded");
    }
}

async fn a_bad_row_fails_alone(app: TestApp) {
    let alice = app.user("alice").create().await;
    for n in 0..3 {
        sesame::store::refresh_tokens::insert(app.db(), token(&format!("p{n}"), None, alice.id))
            .await
            .unwrap();
    }
    let queue = &app.state.rotations;
    // The successor of p1 names a user that does not exist: its INSERT breaks the foreign key.
    let (first, bad, last) = tokio::join!(
        queue.rotate(rotation("p0", "s0", alice.id)),
        queue.rotate(rotation("p1", "s1", alice.id + 1000)),
        queue.rotate(rotation("p2", "s2", alice.id)),
    );
    assert!(matches!(first, Ok(true)), "{first:?}");
    assert!(bad.is_err(), "{bad:?}");
    assert!(matches!(last, Ok(true)), "{last:?}");
    assert!(row(&app, "s0").await.is_some());
    assert!(row(&app, "s2").await.is_some());
    assert!(row(&app, "s1").await.is_none());
    let p1 = row(&app, "p1").await.unwrap();
    assert_eq!(p1.used_at, None, "the failed rotation was rolled back");
}

on_both_databases!(
    each_rotation_in_a_group_is_decided_on_its_own,
    a_bad_row_fails_alone,
);
