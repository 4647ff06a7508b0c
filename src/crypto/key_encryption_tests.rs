#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;

fn kek(byte: u8) -> KeyEncryptionKey {
    KeyEncryptionKey::from_setting(&URL_SAFE_NO_PAD.encode([byte; 32])).unwrap()
}

fn malformed(text: &str) -> String {
    match KeyEncryptionKey::from_setting(text) {
        Err(KekError::Malformed(why)) => why,
        other => panic!("{text:?} accepted: {other:?}"),
    }
}

#[test]
fn a_sealed_key_opens_only_under_its_kek_and_its_kid() {
    let sealed = kek(1)
        .seal("kid-a", b"-----BEGIN PRIVATE KEY-----")
        .unwrap();
    assert_eq!(sealed.nonce.len(), 12);
    assert_eq!(
        sealed.ciphertext.len(),
        27 + 16,
        "the plaintext and a 128-bit tag"
    );
    let opened = kek(1).open("kid-a", &sealed.nonce, &sealed.ciphertext);
    assert_eq!(opened.unwrap().as_slice(), b"-----BEGIN PRIVATE KEY-----");

    assert_eq!(
        kek(2)
            .open("kid-a", &sealed.nonce, &sealed.ciphertext)
            .err(),
        Some(Unopenable)
    );
    assert_eq!(
        kek(1)
            .open("kid-b", &sealed.nonce, &sealed.ciphertext)
            .err(),
        Some(Unopenable)
    );
    let mut flipped = sealed.ciphertext.clone();
    flipped[0] ^= 1;
    assert_eq!(
        kek(1).open("kid-a", &sealed.nonce, &flipped).err(),
        Some(Unopenable)
    );
    assert_eq!(
        kek(1).open("kid-a", &[0; 11], &sealed.ciphertext).err(),
        Some(Unopenable)
    );

    let again = kek(1)
        .seal("kid-a", b"-----BEGIN PRIVATE KEY-----")
        .unwrap();
    assert_ne!(again.nonce, sealed.nonce, "a fresh nonce per seal");
}

#[test]
fn the_setting_must_be_32_bytes_of_base64url_and_is_never_repeated() {
    let good = URL_SAFE_NO_PAD.encode([7; 32]);
    assert!(KeyEncryptionKey::from_setting(&good).is_ok());
    assert!(KeyEncryptionKey::from_setting(&format!("{good}=\n")).is_ok());

    let short = URL_SAFE_NO_PAD.encode([7; 16]);
    assert_eq!(malformed(&short), "it decodes to 16 bytes, not 32");
    let standard = base64::engine::general_purpose::STANDARD.encode([0xfb; 32]);
    assert!(standard.contains('+') || standard.contains('/'));
    assert_eq!(
        malformed(&standard),
        "it is base64, not base64url (- and _ stand for + and /)"
    );
    let secretish = format!("{}!", &good[..42]);
    let why = malformed(&secretish);
    assert_eq!(why, "it has a character outside the base64url alphabet");
    assert_eq!(malformed(""), "it decodes to 0 bytes, not 32");

    let message = KeyEncryptionKey::from_setting(&secretish)
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("key_encryption_key must be 32 random bytes in base64url"));
    assert!(!message.contains(&good[..42]), "{message}");
}

#[test]
fn debug_never_shows_the_key() {
    let text = URL_SAFE_NO_PAD.encode([9; 32]);
    let shown = format!("{:?}", KeyEncryptionKey::from_setting(&text).unwrap());
    assert_eq!(
        shown,
        "KeyEncryptionKey { key: \"[redacted]\", source: Setting }"
    );
}

#[cfg(unix)]
#[test]
fn master_key_is_created_0600_in_a_0700_directory_and_read_back() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    assert!(KeyEncryptionKey::read_file(&keys).unwrap().is_none());

    let created = KeyEncryptionKey::create_file(&keys).unwrap();
    let path = keys.join(MASTER_KEY_FILE);
    assert_eq!(created.source(), &KekSource::File(path.clone()));
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&keys), 0o700);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.len(),
        44,
        "43 base64url characters and a newline: {text:?}"
    );
    assert!(
        KeyEncryptionKey::from_setting(&text).is_ok(),
        "usable as the setting"
    );

    let sealed = created.seal("k", b"secret").unwrap();
    let read = KeyEncryptionKey::read_file(&keys).unwrap().unwrap();
    assert_eq!(
        read.open("k", &sealed.nonce, &sealed.ciphertext)
            .unwrap()
            .as_slice(),
        b"secret"
    );
    let again = KeyEncryptionKey::create_file(&keys).unwrap();
    assert!(
        again.open("k", &sealed.nonce, &sealed.ciphertext).is_ok(),
        "an existing file is kept"
    );

    fs::write(&path, "not a key\n").unwrap();
    let refused = KeyEncryptionKey::read_file(&keys).unwrap_err();
    assert!(
        matches!(refused, KekError::MalformedFile { ref reason, .. } if reason.contains("alphabet")),
        "{refused:?}"
    );
}
