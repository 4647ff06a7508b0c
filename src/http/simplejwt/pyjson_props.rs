//! Properties of the Python-compatible JSON reader: any bytes give a value or DRF's message,
//! never a panic, and whatever `serde_json` writes (so whatever a client library sends) is read.

use proptest::prelude::*;
use serde_json::Value;

use super::*;

/// Any JSON document: scalars (with any text and any number) nested a few levels.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(".{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_give_a_value_or_a_message(body in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Err(message) = loads(&body) {
            prop_assert!(!message.is_empty());
        }
    }

    #[test]
    fn json_like_text_gives_a_value_or_a_message(body in r#"[\[\]{}":,0-9eE.+\- \\ntrufalsNIiy\u{e9}\u{1F600}]{0,80}"#) {
        if let Err(message) = loads(body.as_bytes()) {
            prop_assert!(!message.is_empty());
        }
    }

    #[test]
    fn whatever_serde_json_writes_is_read(value in json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) };
        let text = text.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(loads(text.as_bytes()).is_ok(), "{}", text);
    }

    /// Deep nesting is refused as Python refuses it, not by overflowing our stack.
    #[test]
    fn deep_nesting_is_a_message(depth in 1usize..5000, open in prop_oneof![Just('['), Just('{')]) {
        let body: String = std::iter::repeat_n(if open == '{' { "{\"a\":" } else { "[" }, depth).collect();
        prop_assert!(loads(body.as_bytes()).is_err());
    }
}
