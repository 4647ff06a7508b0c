#![expect(clippy::unwrap_used, reason = "tests")]

use std::time::Duration;

use serde_json::Value;

use super::super::keys::tests::{claims, jwks_keys, ring, t0};
use super::super::keys::{KeyRing, VerifyError};
use super::*;

#[cfg(unix)]
#[test]
fn key_files_are_created_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt as _;
    let (dir, ring) = ring(Algorithm::ES256);
    let pem = dir
        .path()
        .join(format!("{}.pem", ring.signing_key_id(t0())));
    for path in [
        pem,
        dir.path().join("refresh.key"),
        dir.path().join("keyring.json"),
    ] {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}

#[test]
fn rotation_publishes_before_it_signs() {
    let (dir, _) = ring(Algorithm::RS256);
    let rotated_at = t0() + Duration::from_secs(3600);
    let ahead = Duration::from_secs(600);
    let new = rotate(dir.path(), Algorithm::ES256, rotated_at, ahead).unwrap();
    assert_eq!(new.status, KeyStatus::Published);
    let ring = KeyRing::load(dir.path(), Algorithm::RS256, None).unwrap();
    let kids: Vec<_> = jwks_keys(&ring)
        .iter()
        .map(|key| key["kid"].clone())
        .collect();
    assert!(kids.contains(&Value::String(new.kid.clone())));
    assert_ne!(ring.signing_key_id(rotated_at), new.kid);
    assert_eq!(ring.algorithm(rotated_at), Algorithm::RS256);
    let switch = rotated_at + ahead;
    assert_eq!(ring.signing_key_id(switch), new.kid);
    assert_eq!(ring.algorithm(switch), Algorithm::ES256);
    let old_token = ring
        .sign_access(&claims(switch + ahead), "at+jwt", rotated_at)
        .unwrap();
    assert!(ring.verify_at(&old_token, 0, switch).is_ok());

    let statuses = |now| {
        list(dir.path(), now)
            .unwrap()
            .into_iter()
            .map(|key| key.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        statuses(rotated_at),
        [KeyStatus::Active, KeyStatus::Published]
    );
    assert_eq!(statuses(switch), [KeyStatus::Published, KeyStatus::Active]);
}

#[test]
fn generate_on_a_non_empty_ring_publishes_without_signing() {
    let (dir, ring) = ring(Algorithm::RS256);
    let standby = generate_key(dir.path(), Algorithm::EdDSA, t0()).unwrap();
    assert_eq!(standby.status, KeyStatus::Published);
    assert_eq!(standby.activates_at, None);
    let reloaded = KeyRing::load(dir.path(), Algorithm::RS256, None).unwrap();
    assert_eq!(reloaded.signing_key_id(t0()), ring.signing_key_id(t0()));
    assert_eq!(jwks_keys(&reloaded).len(), 2);
    let refused = generate_key(dir.path(), Algorithm::HS256, t0());
    assert!(matches!(
        refused,
        Err(KeyError::SymmetricKeyNotStored(Algorithm::HS256))
    ));
}

#[test]
fn retire_refuses_the_signing_key_and_unpublishes_others() {
    let (dir, ring) = ring(Algorithm::ES384);
    let old = ring.signing_key_id(t0()).to_owned();
    let old_token = ring
        .sign_access(&claims(t0() + Duration::from_secs(7200)), "at+jwt", t0())
        .unwrap();
    let refused = retire(dir.path(), &old, t0());
    assert!(matches!(refused, Err(KeyError::CannotRetireSigningKey(kid)) if kid == old));
    assert!(matches!(
        retire(dir.path(), "nope", t0()),
        Err(KeyError::UnknownKid(_))
    ));

    rotate(dir.path(), Algorithm::ES256, t0(), Duration::from_secs(60)).unwrap();
    let later = t0() + Duration::from_secs(120);
    let retired = retire(dir.path(), &old, later).unwrap();
    assert_eq!(
        (retired.status, retired.retired_at),
        (KeyStatus::Retired, Some(later))
    );
    let ring = KeyRing::load(dir.path(), Algorithm::ES256, None).unwrap();
    assert_eq!(jwks_keys(&ring).len(), 1);
    assert_eq!(
        ring.verify_at(&old_token, 0, later),
        Err(VerifyError::Invalid)
    );
}

#[test]
fn load_reports_missing_and_malformed_keys() {
    let dir = tempfile::tempdir().unwrap();
    let empty = KeyRing::load(dir.path(), Algorithm::RS256, None);
    assert!(matches!(empty, Err(KeyError::NoSigningKey(_))));

    let info = generate_key(dir.path(), Algorithm::ES256, t0()).unwrap();
    let pem = dir.path().join(format!("{}.pem", info.kid));
    std::fs::remove_file(&pem).unwrap();
    std::fs::write(
        &pem,
        b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let malformed = KeyRing::load(dir.path(), Algorithm::ES256, None);
    assert!(
        matches!(malformed, Err(KeyError::MalformedKey { .. })),
        "{malformed:?}"
    );

    std::fs::write(dir.path().join("keyring.json"), b"{not json").unwrap();
    let manifest = KeyRing::load(dir.path(), Algorithm::ES256, None);
    assert!(matches!(manifest, Err(KeyError::Manifest { .. })));
}

#[test]
fn a_key_file_swapped_under_its_kid_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = generate_key(dir.path(), Algorithm::EdDSA, t0()).unwrap();
    let second = generate_key(dir.path(), Algorithm::EdDSA, t0()).unwrap();
    let path = |kid: &str| dir.path().join(format!("{kid}.pem"));
    std::fs::remove_file(path(&first.kid)).unwrap();
    std::fs::copy(path(&second.kid), path(&first.kid)).unwrap();
    let swapped = KeyRing::load(dir.path(), Algorithm::EdDSA, None);
    assert!(matches!(swapped, Err(KeyError::MalformedKey { .. })));
}

#[test]
fn load_or_init_restores_a_missing_refresh_key() {
    let (dir, ring) = ring(Algorithm::RS256);
    std::fs::remove_file(dir.path().join("refresh.key")).unwrap();
    let missing = KeyRing::load(dir.path(), Algorithm::RS256, None);
    assert!(matches!(missing, Err(KeyError::Io { .. })));
    let restored =
        KeyRing::load_or_init(dir.path(), Algorithm::RS256, Algorithm::RS256, None, t0()).unwrap();
    assert_eq!(restored.signing_key_id(t0()), ring.signing_key_id(t0()));
    assert_eq!(list(dir.path(), t0()).unwrap().len(), 1);
}

#[test]
fn key_ring_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<KeyRing>();
}
