//! The domain writes the audit trail whichever surface is used: logins (success and failure),
//! refresh-token reuse, and revocations.

use sea_orm::{EntityTrait, QueryOrder};

use crate::on_both_databases;
use crate::support::TestApp;
use sesame::entities::audit_events;

async fn actions(app: &TestApp) -> Vec<(String, String)> {
    audit_events::Entity::find()
        .order_by_asc(audit_events::Column::Id)
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor))
        .collect()
}

async fn logins_reuse_and_revocations_are_audited(app: TestApp) {
    app.user("alice").create().await;
    let client = app.client("web").create().await;
    app.password_grant(&client, "alice", "wrong").await;
    let tokens = app.password_tokens(&client, "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    app.refresh_grant(&client, refresh).await;
    app.outlast_reuse_grace();
    app.refresh_grant(&client, refresh).await;
    app.post("/oauth/revoke")
        .form(&[("token", tokens["access_token"].as_str().unwrap())])
        .client(&client)
        .await;
    let recorded = actions(&app).await;
    let names: Vec<&str> = recorded.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(
        names,
        [
            "login.failure",
            "login.success",
            "refresh.reuse",
            "token.revoke"
        ]
    );
    assert_eq!(recorded[0].1, "alice");
    assert_eq!(recorded[1].1, "alice");
}

on_both_databases!(logins_reuse_and_revocations_are_audited);
