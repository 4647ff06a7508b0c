//! Tests of the Python-compatible JSON reader; expected messages come from CPython 3.11 + DRF 3.18.

#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;

fn err(body: &[u8]) -> String {
    match loads(body) {
        Ok(value) => panic!("parsed {value:?}"),
        Err(msg) => msg,
    }
}

// Every expected message was produced by DRF 3.18's JSONParser on CPython 3.11.
#[test]
fn errors_match_python() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"{bad",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            b"{\"username\":\"a\",}",
            "Expecting property name enclosed in double quotes: line 1 column 17 (char 16)",
        ),
        (b"", "Expecting value: line 1 column 1 (char 0)"),
        (b"  ", "Expecting value: line 1 column 3 (char 2)"),
        (
            b"{",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            b"{\"a\"",
            "Expecting ':' delimiter: line 1 column 5 (char 4)",
        ),
        (b"{\"a\":", "Expecting value: line 1 column 6 (char 5)"),
        (
            b"{\"a\":1",
            "Expecting ',' delimiter: line 1 column 7 (char 6)",
        ),
        (
            b"{\"a\":1 x",
            "Expecting ',' delimiter: line 1 column 8 (char 7)",
        ),
        (b"[", "Expecting value: line 1 column 2 (char 1)"),
        (b"[1,]", "Expecting value: line 1 column 4 (char 3)"),
        (
            b"[1 2]",
            "Expecting ',' delimiter: line 1 column 4 (char 3)",
        ),
        (
            b"{\"a\":\"x",
            "Unterminated string starting at: line 1 column 6 (char 5)",
        ),
        (
            b"\"abc",
            "Unterminated string starting at: line 1 column 1 (char 0)",
        ),
        (
            b"{\"a\":\"\x01\"}",
            "Invalid control character at: line 1 column 7 (char 6)",
        ),
        (
            b"{\"a\":\"\\x\"}",
            "Invalid \\escape: line 1 column 7 (char 6)",
        ),
        (
            b"{\"a\":\"\\u12\"}",
            "Invalid \\uXXXX escape: line 1 column 8 (char 7)",
        ),
        (b"{} x", "Extra data: line 1 column 4 (char 3)"),
        (b"01", "Extra data: line 1 column 2 (char 1)"),
        (b"-", "Expecting value: line 1 column 1 (char 0)"),
        (b"1.", "Extra data: line 1 column 2 (char 1)"),
        (
            b"NaN",
            "Out of range float values are not JSON compliant: 'NaN'",
        ),
        (
            b"-Infinity",
            "Out of range float values are not JSON compliant: '-Infinity'",
        ),
        (
            b"{\"a\":Infinity}",
            "Out of range float values are not JSON compliant: 'Infinity'",
        ),
        (b"tru", "Expecting value: line 1 column 1 (char 0)"),
        (
            b"\xef\xbb\xbf{}",
            "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)",
        ),
        (
            b"\xff{}",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
        (
            b"{\"a\":\"\xe4A\"}",
            "'utf-8' codec can't decode byte 0xe4 in position 6: invalid continuation byte",
        ),
        (
            b"{\"a\":\"\xe4\xb8A\"}",
            "'utf-8' codec can't decode bytes in position 6-7: invalid continuation byte",
        ),
        (
            b"{\"a\":\"\xe4",
            "Unterminated string starting at: line 1 column 6 (char 5)",
        ),
        (
            b"{\"a\":\"\xc3\xa9\x01\"}",
            "Invalid control character at: line 1 column 8 (char 7)",
        ),
        (
            b"\n\n  {\n \"a\" 1}",
            "Expecting ':' delimiter: line 4 column 6 (char 11)",
        ),
        (
            b"{\"a\":1,\"b\"}",
            "Expecting ':' delimiter: line 1 column 11 (char 10)",
        ),
        (
            b"{\"a\":[1,2,{\"b\":}]}",
            "Expecting value: line 1 column 16 (char 15)",
        ),
        (
            b"{\"a\":\"\\\"}",
            "Unterminated string starting at: line 1 column 6 (char 5)",
        ),
        (
            b"{\"\xc3\xa9\":x}",
            "Expecting value: line 1 column 6 (char 5)",
        ),
        (
            b"{1:2}",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            b"\"\\uD83D\\uDE00\" x",
            "Extra data: line 1 column 16 (char 15)",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(err(body), *expected, "{}", String::from_utf8_lossy(body));
    }
    assert!(err(&b"[".repeat(5000)).starts_with("maximum recursion depth exceeded"));
}

#[test]
fn values_are_what_python_sees() {
    let parsed = loads(
        br#"{"a":1,"a":"x\u00e9\ud83d\ude00","n":-0,"f":1e400,"s":"\ud800","l":[true,null]}"#,
    )
    .unwrap();
    assert_eq!(
        parsed.get("a"),
        Some(&PyValue::Str {
            text: "x\u{e9}\u{1f600}".into(),
            surrogate: None
        })
    );
    assert_eq!(parsed.get("n"), Some(&PyValue::Int("0".into())));
    assert_eq!(parsed.get("f"), Some(&PyValue::Float(f64::INFINITY)));
    assert!(matches!(
        parsed.get("s"),
        Some(PyValue::Str {
            surrogate: Some(0xD800),
            ..
        })
    ));
    assert_eq!(
        parsed.get("l"),
        Some(&PyValue::List(vec![PyValue::Bool(true), PyValue::Null]))
    );
}

#[test]
fn floats_print_as_python_does() {
    let cases = [
        (1.5, "1.5"),
        (100.0, "100.0"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (0.0001, "0.0001"),
        (1.5e-5, "1.5e-05"),
        (-0.0, "-0.0"),
        (123.456, "123.456"),
        (f64::NEG_INFINITY, "-inf"),
    ];
    for (value, expected) in cases {
        assert_eq!(python_float_str(value), expected);
    }
}
