//! The ring in the database: adding, rotating, retiring and loading keys, on SQLite (or the
//! PostgreSQL of `SESAME_TEST_DATABASE_URL`).

#![expect(clippy::unwrap_used, reason = "tests")]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::Value;

use super::super::keys::VerifyError;
use super::super::keys::tests::{claims, jwks_keys, t0};
use super::*;
use crate::crypto::key_info::KeyStatus;
use crate::entities::signing_keys::Entity;
use crate::store::test_db;

pub(super) fn kek(byte: u8) -> KeyEncryptionKey {
    KeyEncryptionKey::from_setting(&URL_SAFE_NO_PAD.encode([byte; 32])).unwrap()
}

pub(super) fn modes(algorithm: Algorithm) -> Modes<'static> {
    Modes {
        algorithm,
        id_token_algorithm: Algorithm::ES256,
        hmac_secret: None,
    }
}

/// `start` at `t0` of a ring whose first key is ES256 (quick to make), with `dir` and `kek`.
pub(super) async fn start_es256(
    db: &DatabaseConnection,
    dir: &std::path::Path,
    kek: Option<KeyEncryptionKey>,
) -> Result<Started, KeyError> {
    start(db, dir, kek, modes(Algorithm::ES256), t0()).await
}

/// A database whose ring was started (an ES256 key, quick to make) with `kek(1)`.
async fn started() -> (Option<tempfile::TempDir>, DatabaseConnection, WriteGate) {
    let (dir, db) = test_db().await;
    let keys = tempfile::tempdir().unwrap();
    start_es256(&db, keys.path(), Some(kek(1))).await.unwrap();
    let writes = WriteGate::new(&db);
    (dir, db, writes)
}

async fn reload(db: &DatabaseConnection) -> LoadedRing {
    load(db, &kek(1), modes(Algorithm::ES256)).await.unwrap()
}

#[tokio::test]
async fn rotation_publishes_before_it_signs_and_moves_the_version() {
    let (_dir, db, writes) = started().await;
    let before = version(&db).await.unwrap();
    let rotated_at = t0() + Duration::from_secs(3600);
    let ahead = Duration::from_secs(600);
    let new = rotate(&db, &writes, &kek(1), Algorithm::EdDSA, rotated_at, ahead)
        .await
        .unwrap();
    assert_eq!(new.status, KeyStatus::Published);
    assert_eq!(version(&db).await.unwrap(), before + 1);
    let loaded = reload(&db).await;
    assert_eq!(loaded.version, before + 1);
    let ring = loaded.ring;
    let kids: Vec<_> = jwks_keys(&ring)
        .iter()
        .map(|key| key["kid"].clone())
        .collect();
    assert!(kids.contains(&Value::String(new.kid.clone())));
    assert_ne!(ring.signing_key_id(rotated_at), new.kid);
    assert_eq!(ring.algorithm(rotated_at), Algorithm::ES256);
    let switch = rotated_at + ahead;
    assert_eq!(ring.signing_key_id(switch), new.kid);
    assert_eq!(ring.algorithm(switch), Algorithm::EdDSA);
    let old_token = ring
        .sign_access(&claims(switch + ahead), "at+jwt", rotated_at)
        .unwrap();
    assert!(ring.verify_at(&old_token, 0, switch).is_ok());

    let statuses = |listed: Vec<KeyInfo>| listed.into_iter().map(|k| k.status).collect::<Vec<_>>();
    assert_eq!(
        statuses(list(&db, rotated_at).await.unwrap()),
        [KeyStatus::Active, KeyStatus::Published]
    );
    assert_eq!(
        statuses(list(&db, switch).await.unwrap()),
        [KeyStatus::Published, KeyStatus::Active]
    );
}

#[tokio::test]
async fn generate_on_a_non_empty_ring_publishes_without_signing() {
    let (_dir, db, writes) = started().await;
    let signing = reload(&db).await.ring.signing_key_id(t0()).to_owned();
    let standby = generate_key(&db, &writes, &kek(1), Algorithm::EdDSA, t0())
        .await
        .unwrap();
    assert_eq!(standby.status, KeyStatus::Published);
    assert_eq!(standby.activates_at, None);
    let reloaded = reload(&db).await.ring;
    assert_eq!(reloaded.signing_key_id(t0()), signing);
    assert_eq!(jwks_keys(&reloaded).len(), 2);
    let refused = generate_key(&db, &writes, &kek(1), Algorithm::HS256, t0()).await;
    assert!(matches!(
        refused,
        Err(KeyError::SymmetricKeyNotStored(Algorithm::HS256))
    ));
}

#[tokio::test]
async fn retire_refuses_the_signing_key_and_unpublishes_others() {
    let (_dir, db, writes) = started().await;
    let ring = reload(&db).await.ring;
    let old = ring.signing_key_id(t0()).to_owned();
    let old_token = ring
        .sign_access(&claims(t0() + Duration::from_secs(7200)), "at+jwt", t0())
        .unwrap();
    let refused = retire(&db, &writes, &old, t0()).await;
    assert!(matches!(refused, Err(KeyError::CannotRetireSigningKey(kid)) if kid == old));
    assert!(matches!(
        retire(&db, &writes, "nope", t0()).await,
        Err(KeyError::UnknownKid(_))
    ));

    let ahead = Duration::from_secs(60);
    rotate(&db, &writes, &kek(1), Algorithm::ES256, t0(), ahead)
        .await
        .unwrap();
    let later = t0() + Duration::from_secs(120);
    let before = version(&db).await.unwrap();
    let retired = retire(&db, &writes, &old, later).await.unwrap();
    assert_eq!(
        (retired.status, retired.retired_at),
        (KeyStatus::Retired, Some(later))
    );
    assert_eq!(version(&db).await.unwrap(), before + 1);
    retire(&db, &writes, &old, later).await.unwrap();
    assert_eq!(
        version(&db).await.unwrap(),
        before + 1,
        "retiring twice changes nothing"
    );
    let ring = reload(&db).await.ring;
    assert_eq!(jwks_keys(&ring).len(), 1);
    assert_eq!(
        ring.verify_at(&old_token, 0, later),
        Err(VerifyError::Invalid)
    );
}

#[tokio::test]
async fn the_rows_hold_no_key_in_clear() {
    let (_dir, db, _) = started().await;
    let rows = Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 2, "the signing key and the refresh key");
    let uses: Vec<_> = rows.iter().map(|row| row.key_use.as_str()).collect();
    assert!(
        uses.contains(&"sig") && uses.contains(&"refresh"),
        "{uses:?}"
    );
    for row in &rows {
        let opened = kek(1).open(&row.kid, &row.nonce, &row.ciphertext).unwrap();
        assert!(!opened.is_empty());
        let text = String::from_utf8_lossy(&row.ciphertext);
        assert!(!text.contains("PRIVATE KEY"), "{}", row.kid);
        // No 8-byte run of the plaintext appears in the ciphertext.
        for window in opened.windows(8) {
            assert!(
                !row.ciphertext.windows(8).any(|w| w == window),
                "{}",
                row.kid
            );
        }
    }
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_keys_row_does_not_open() {
    let (_dir, db, writes) = started().await;
    generate_key(&db, &writes, &kek(1), Algorithm::ES256, t0())
        .await
        .unwrap();
    let rows = Entity::find().all(&db).await.unwrap();
    let published: Vec<_> = rows.iter().filter(|row| row.key_use == "sig").collect();
    let (first, second) = (published[0].clone(), published[1].clone());
    let mut moved = first.clone().into_active_model();
    moved.nonce = Set(second.nonce.clone());
    moved.ciphertext = Set(second.ciphertext.clone());
    moved.update(&db).await.unwrap();

    let refused = load(&db, &kek(1), modes(Algorithm::ES256))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, KeyError::WrongKek { kid, .. } if *kid == first.kid),
        "{refused:?}"
    );
    let message = refused.to_string();
    assert!(message.contains("its row was altered"), "{message}");
}

#[tokio::test]
async fn a_row_whose_columns_were_changed_is_refused() {
    let (_dir, db, _) = started().await;
    let row = Entity::find().all(&db).await.unwrap().remove(0);
    let mut changed = row.into_active_model();
    changed.alg = Set("EdDSA".to_owned());
    changed.update(&db).await.unwrap();
    let refused = load(&db, &kek(1), modes(Algorithm::ES256)).await;
    assert!(
        matches!(refused, Err(KeyError::MalformedStoredKey { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_empty_ring_is_not_loaded() {
    let (_dir, db) = test_db().await;
    assert_eq!(version(&db).await.unwrap(), 0);
    let refused = load(&db, &kek(1), modes(Algorithm::ES256)).await;
    assert!(matches!(refused, Err(KeyError::EmptyRing)), "{refused:?}");
}
