//! The first start of a ring: importing an earlier version's key directory (kids, times and the
//! refresh key unchanged, once), generating otherwise, `master.key`, a wrong key-encryption key
//! writing nothing, and instances starting at once making one ring.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde_json::json;

use super::super::tests::{kek, modes, start_es256};
use super::*;
use crate::crypto::key_encryption::KekSource;
use crate::crypto::keys::tests::{claims, t0};
use crate::entities::signing_keys::Entity;
use crate::store::test_db;

/// A key of a legacy directory: `(alg, activates_at, retired_at)`.
type LegacyEntry = (Algorithm, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Writes a key directory as earlier versions did: `keyring.json`, a PEM per key, `refresh.key`.
/// Answers the kids in order.
fn legacy_dir(dir: &Path, keys: &[LegacyEntry], refresh: Option<&[u8]>) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    let mut entries = Vec::new();
    let mut kids = Vec::new();
    for (i, (alg, activates_at, retired_at)) in keys.iter().enumerate() {
        let pem = material::generate_pem(*alg).unwrap();
        let kid = material::from_pem(*alg, &pem).unwrap().kid;
        std::fs::write(dir.join(format!("{kid}.pem")), &pem).unwrap();
        let created_at = t0() + chrono::Duration::minutes(i64::try_from(i).unwrap());
        entries.push(json!({
            "kid": kid, "alg": alg.as_str(), "file": format!("{kid}.pem"),
            "created_at": created_at, "activates_at": activates_at, "retired_at": retired_at,
        }));
        kids.push(kid);
    }
    let manifest = serde_json::to_vec_pretty(&json!({ "keys": entries })).unwrap();
    std::fs::write(dir.join("keyring.json"), manifest).unwrap();
    if let Some(secret) = refresh {
        std::fs::write(dir.join("refresh.key"), secret).unwrap();
    }
    kids
}

async fn rows(db: &DatabaseConnection) -> Vec<Row> {
    Entity::find().all(db).await.unwrap()
}

#[tokio::test]
async fn a_key_directory_is_imported_once_with_its_kids_times_and_refresh_key() {
    let (_dir, db) = test_db().await;
    let keys = tempfile::tempdir().unwrap();
    let later = t0() + chrono::Duration::hours(1);
    let kids = legacy_dir(
        keys.path(),
        &[
            (Algorithm::ES256, Some(t0()), None),
            (Algorithm::EdDSA, Some(later), None),
            (Algorithm::ES384, None, Some(t0())),
        ],
        Some(&[5; 32]),
    );
    let first = start_es256(&db, keys.path(), Some(kek(1))).await.unwrap();
    assert_eq!((first.generated, first.imported), (false, 4));
    let ring = &first.ring.ring;
    assert_eq!(ring.signing_key_id(t0()), kids[0]);
    assert_eq!(ring.signing_key_id(later), kids[1]);
    let refresh = ring.sign_refresh(&claims(later)).unwrap();
    let refresh_kid = jsonwebtoken::decode_header(&refresh).unwrap().kid.unwrap();
    let expected = material::from_secret(Algorithm::HS256, &[5; 32])
        .unwrap()
        .kid;
    assert_eq!(
        refresh_kid, expected,
        "refresh tokens signed before the import still verify"
    );

    let listed = super::super::list(&db, t0()).await.unwrap();
    let times: Vec<_> = listed
        .iter()
        .map(|k| (k.kid.clone(), k.created_at, k.activates_at, k.retired_at))
        .collect();
    let minute = |i| t0() + chrono::Duration::minutes(i);
    assert_eq!(
        times,
        [
            (kids[0].clone(), minute(0), Some(t0()), None),
            (kids[1].clone(), minute(1), Some(later), None),
            (kids[2].clone(), minute(2), None, Some(t0())),
        ]
    );

    let before = rows(&db).await;
    let again = start(
        &db,
        keys.path(),
        Some(kek(1)),
        modes(Algorithm::ES256),
        later,
    )
    .await
    .unwrap();
    assert_eq!((again.generated, again.imported), (false, 0));
    assert_eq!(again.ring.version, first.ring.version);
    assert_eq!(rows(&db).await, before, "a second start imports nothing");
}

#[tokio::test]
async fn a_directory_without_a_signing_or_refresh_key_is_completed() {
    let (_dir, db) = test_db().await;
    let keys = tempfile::tempdir().unwrap();
    let retired = legacy_dir(
        keys.path(),
        &[(Algorithm::ES256, Some(t0()), Some(t0()))],
        None,
    );
    let started = start_es256(&db, keys.path(), Some(kek(1))).await.unwrap();
    assert_eq!((started.generated, started.imported), (true, 1));
    assert_ne!(started.ring.ring.signing_key_id(t0()), retired[0]);
    let uses: Vec<_> = rows(&db).await.into_iter().map(|row| row.key_use).collect();
    assert_eq!(
        uses.iter().filter(|u| *u == "refresh").count(),
        1,
        "{uses:?}"
    );
}

#[tokio::test]
async fn a_key_file_swapped_under_its_kid_is_refused_and_nothing_is_written() {
    let (_dir, db) = test_db().await;
    let keys = tempfile::tempdir().unwrap();
    let es256 = (Algorithm::ES256, Some(t0()), None);
    let kids = legacy_dir(keys.path(), &[es256, (Algorithm::ES256, None, None)], None);
    let path = |kid: &str| keys.path().join(format!("{kid}.pem"));
    std::fs::copy(path(&kids[1]), path(&kids[0])).unwrap();
    let refused = start_es256(&db, keys.path(), Some(kek(1))).await;
    assert!(
        matches!(refused, Err(KeyError::MalformedKey { .. })),
        "{refused:?}"
    );
    assert!(rows(&db).await.is_empty());
}

#[tokio::test]
async fn another_kek_refuses_to_start_and_writes_nothing() {
    let (_dir, db) = test_db().await;
    let keys = tempfile::tempdir().unwrap();
    start_es256(&db, keys.path(), Some(kek(1))).await.unwrap();
    let before = (rows(&db).await, rows::version(&db).await.unwrap());

    let other_dir = tempfile::tempdir().unwrap();
    legacy_dir(
        other_dir.path(),
        &[(Algorithm::ES256, Some(t0()), None)],
        Some(&[6; 32]),
    );
    let refused = start_es256(&db, other_dir.path(), Some(kek(2)))
        .await
        .unwrap_err();
    let message = refused.to_string();
    assert!(
        message.starts_with(
            "the key ring in the database cannot be opened with the key-encryption key from the \
             key_encryption_key setting"
        ),
        "{message}"
    );
    assert!(message.contains("Use the same key_encryption_key as the other instances"));
    assert!(message.ends_with("Nothing was generated"), "{message}");

    let empty = tempfile::tempdir().unwrap();
    let refused = start_es256(&db, empty.path(), None).await.unwrap_err();
    assert!(matches!(refused, KeyError::NoKek(_)), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("set key_encryption_key (SESAME_KEY_ENCRYPTION_KEY)")
    );
    assert!(
        !empty.path().join(MASTER_KEY_FILE).exists(),
        "no master.key for a ring it cannot open"
    );
    assert_eq!((rows(&db).await, rows::version(&db).await.unwrap()), before);
}

#[tokio::test]
async fn without_the_setting_master_key_is_created_and_then_reused() {
    let (_dir, db) = test_db().await;
    let keys = tempfile::tempdir().unwrap();
    let first = start_es256(&db, keys.path(), None).await.unwrap();
    let path = keys.path().join(MASTER_KEY_FILE);
    assert_eq!(first.kek.source(), &KekSource::File(path.clone()));
    let text = std::fs::read_to_string(&path).unwrap();
    let reread = KeyEncryptionKey::read_file(keys.path()).unwrap();
    let again = start_es256(&db, keys.path(), reread).await.unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(
        again.ring.ring.signing_key_id(t0()),
        first.ring.ring.signing_key_id(t0())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_make_one_ring() {
    let (_dir, db) = test_db().await;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let starts = dirs.iter().map(|dir| {
        let db = db.clone();
        let path = dir.path().to_owned();
        async move { start_es256(&db, &path, Some(kek(1))).await.unwrap() }
    });
    let started = futures_join_all(starts).await;
    let generated = started.iter().filter(|s| s.generated).count();
    assert_eq!(generated, 1, "one instance generated, the others loaded");
    let kids: Vec<_> = started
        .iter()
        .map(|s| s.ring.ring.signing_key_id(t0()).to_owned())
        .collect();
    assert!(kids.iter().all(|kid| *kid == kids[0]), "{kids:?}");
    assert_eq!(rows(&db).await.len(), 2);
}

/// Runs every future on its own task, so the starts really overlap.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}
