use super::*;

#[test]
fn events_travel_as_compact_json_with_the_sender() {
    let cases = [
        (
            Event::UserChanged { user_id: 7 },
            r#"{"from":"a1","kind":"user_changed","user_id":7}"#,
        ),
        (
            Event::ClientChanged {
                client_id: "web".into(),
            },
            r#"{"from":"a1","kind":"client_changed","client_id":"web"}"#,
        ),
        (
            Event::JtiRevoked { jti: "j\"1".into() },
            r#"{"from":"a1","kind":"jti_revoked","jti":"j\"1"}"#,
        ),
        (
            Event::EverythingChanged,
            r#"{"from":"a1","kind":"everything_changed"}"#,
        ),
        (
            Event::KeyRingChanged,
            r#"{"from":"a1","kind":"key_ring_changed"}"#,
        ),
    ];
    for (event, payload) in cases {
        assert_eq!(encode("a1", &event), payload);
        assert_eq!(decode(payload).ok(), Some(("a1".to_owned(), event)));
    }
}

#[test]
fn an_event_too_long_for_a_notification_is_sent_as_everything_changed() {
    let long = Event::JtiRevoked {
        jti: "x".repeat(MAX_PAYLOAD),
    };
    assert_eq!(
        encode("a1", &long),
        r#"{"from":"a1","kind":"everything_changed"}"#
    );
    let fits = Event::JtiRevoked {
        jti: "x".repeat(MAX_PAYLOAD - 100),
    };
    assert!(encode("a1", &fits).len() <= MAX_PAYLOAD);
    assert_eq!(decode(&encode("a1", &fits)).ok().map(|d| d.1), Some(fits));
}

#[test]
fn unknown_or_garbled_payloads_are_errors() {
    for payload in [
        r#"{"from":"a1","kind":"role_changed","role":"x"}"#,
        r#"{"kind":"user_changed","user_id":7}"#,
        r#"{"from":"a1","kind":"user_changed"}"#,
        "",
        "not json",
    ] {
        assert!(decode(payload).is_err(), "{payload}");
    }
}

#[test]
fn channels_are_legal_identifiers_named_after_the_schema() {
    assert_eq!(channel_for("public"), "sesame_public");
    assert_eq!(
        channel_for("sesame_t_0a1b2c3d_12"),
        "sesame_sesame_t_0a1b2c3d_12"
    );
    for schema in ["Tenant A", "é", "x\"; DROP", &"s".repeat(57)] {
        let channel = channel_for(schema);
        assert_eq!(channel.len(), "sesame_".len() + 16, "{schema}: {channel}");
        assert!(
            channel
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        );
    }
    assert_eq!(channel_for(&"s".repeat(56)).len(), MAX_CHANNEL);
    assert_ne!(channel_for("Tenant A"), channel_for("tenant a"));
}
