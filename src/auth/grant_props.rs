//! Properties of `TokenRequest::parse` (every surface's token form): any parameters give one
//! grant's request or an RFC 6749 §5.2 error, never a panic, and a request names the grant type
//! it was sent with.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const NAMES: [&str; 8] = [
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "username",
    "password",
    "refresh_token",
    "scope",
];

fn params() -> impl Strategy<Value = BTreeMap<&'static str, String>> {
    let value = prop_oneof![
        Just("password".to_owned()),
        Just("refresh_token".to_owned()),
        Just("authorization_code".to_owned()),
        Just("client_credentials".to_owned()),
        Just("openid profile".to_owned()),
        ".{0,16}",
    ];
    proptest::collection::btree_map(proptest::sample::select(&NAMES[..]), value, 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_parameters_give_a_grant_or_an_error(params in params()) {
        let param = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
        match TokenRequest::parse(param) {
            Ok(request) => prop_assert_eq!(
                Some(request.grant_type().as_str()),
                params.get("grant_type").map(String::as_str)
            ),
            Err(Error::InvalidRequest(_) | Error::InvalidScope(_) | Error::UnsupportedGrantType) => {}
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }
}
