//! A JSON reader that fails exactly as DRF's `JSONParser` does: Python's `json.load` over a UTF-8
//! stream reader, with `parse_constant` refusing `NaN` and `Infinity`. DRF answers its error as
//! `{"detail":"JSON parse error - <Python's message>"}`, so the message and the `line`, `column`
//! and `char` it names are part of the wire format. This follows CPython 3.11's C scanner
//! (`Modules/_json.c`) and `json/decoder.py`.
//!
//! Values keep what a DRF `CharField` needs: numbers as Python would print them.

mod float;
mod scanner;
mod value;

pub use float::python_float_str;
pub use value::PyValue;

use scanner::{Fail, Scanner};

/// Parses a request body; the error is the message DRF puts after `"JSON parse error - "`.
pub fn loads(body: &[u8]) -> Result<PyValue, String> {
    let text = decode_utf8(body)?;
    let chars: Vec<char> = text.chars().collect();
    let located = |msg: &str, pos: usize| located(&chars, msg, pos);
    if chars.first() == Some(&'\u{feff}') {
        return Err(located("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
    }
    let scanner = Scanner { s: &chars };
    let start = scanner.ws(0);
    let (value, end) = match scanner.value(start, 0) {
        Ok(found) => found,
        Err(Fail::Stop(at)) => return Err(located("Expecting value", at)),
        Err(Fail::Decode(msg, at)) => return Err(located(msg, at)),
        Err(Fail::Constant(name)) => {
            return Err(format!(
                "Out of range float values are not JSON compliant: '{name}'"
            ));
        }
        Err(Fail::Depth(what)) => {
            return Err(format!(
                "maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"
            ));
        }
    };
    let end = scanner.ws(end);
    if end != chars.len() {
        return Err(located("Extra data", end));
    }
    Ok(value)
}

/// `JSONDecodeError.__str__`: `msg: line L column C (char P)`, counting characters.
fn located(chars: &[char], msg: &str, pos: usize) -> String {
    let before = &chars[..pos.min(chars.len())];
    let line = before.iter().filter(|c| **c == '\n').count() + 1;
    let column = match before.iter().rposition(|c| *c == '\n') {
        Some(newline) => pos - newline,
        None => pos + 1,
    };
    format!("{msg}: line {line} column {column} (char {pos})")
}

/// Python's `codecs.getreader('utf-8')(stream).read()`: an invalid sequence is an error naming its
/// bytes; a sequence cut off at the very end is held back as incomplete and silently dropped.
fn decode_utf8(body: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_owned()),
        Err(err) => {
            let pos = err.valid_up_to();
            let Some(len) = err.error_len() else {
                return Ok(String::from_utf8_lossy(&body[..pos]).into_owned());
            };
            let byte = body[pos];
            let reason = if len == 1 && !(0xC2..=0xF4).contains(&byte) {
                "invalid start byte"
            } else {
                "invalid continuation byte"
            };
            Err(if len == 1 {
                format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}")
            } else {
                let last = pos + len - 1;
                format!("'utf-8' codec can't decode bytes in position {pos}-{last}: {reason}")
            })
        }
    }
}

#[cfg(test)]
#[path = "pyjson_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "pyjson_props.rs"]
mod props;
