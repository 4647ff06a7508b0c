//! Properties of the request parsers in `extract`: any form body and any `Authorization` header
//! give values or a clean rejection, never a panic, and what a client encodes correctly comes back
//! unchanged.

#![expect(clippy::unwrap_used, reason = "tests")]

use axum::http::HeaderValue;
use proptest::prelude::*;

use super::*;

fn encode(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_form_body_parses_or_is_refused(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        match Params::parse(&body) {
            Ok(_)
            | Err(
                FormRejection::Malformed(_)
                | FormRejection::Repeated(_)
                | FormRejection::NulCharacter(_),
            ) => {}
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn an_encoded_form_comes_back(map in proptest::collection::btree_map("[^\\x00]{0,8}", "[^\\x00]{0,16}", 0..6)) {
        let pairs: Vec<(String, String)> = map.into_iter().collect();
        let params = Params::parse(encode(&pairs).as_bytes()).unwrap();
        for (name, value) in &pairs {
            let expected = Some(value.as_str()).filter(|v| !v.is_empty());
            prop_assert_eq!(params.get(name), expected);
        }
    }

    #[test]
    fn any_authorization_header_gives_credentials_or_a_rejection(
        value in "[ -~]{0,80}",
        body in "[ -~]{0,40}",
    ) {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
        let params = Params::parse(body.as_bytes()).unwrap_or_default();
        let _ = client_credentials(&headers, &params);
        let _ = bearer_token(&headers);
        let _ = decode_basic(&value);
    }

    #[test]
    fn basic_credentials_come_back(id in "[^\\x00]{1,20}", secret in "[^\\x00]{0,20}") {
        let joined = format!("{}:{}", encode_component(&id), encode_component(&secret));
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(joined));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
        match client_credentials(&headers, &Params::default()).unwrap() {
            ClientCredentials::Secret { client_id, secret: found } => {
                prop_assert_eq!(client_id, id);
                prop_assert_eq!(found.expose(), secret.as_str());
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }
}

/// RFC 6749 §2.3.1's form encoding of one component.
fn encode_component(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
