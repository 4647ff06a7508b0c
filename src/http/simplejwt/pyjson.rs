//! A JSON reader that fails exactly as DRF's `JSONParser` does: Python's `json.load` over a UTF-8
//! stream reader, with `parse_constant` refusing `NaN` and `Infinity`. DRF answers its error as
//! `{"detail":"JSON parse error - <Python's message>"}`, so the message and the `line`, `column`
//! and `char` it names are part of the wire format. This follows CPython 3.11's C scanner
//! (`Modules/_json.c`) and `json/decoder.py`.
//!
//! Values keep what a DRF `CharField` needs: numbers as Python would print them.

/// A decoded JSON value, as Python holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    Null,
    Bool(bool),
    /// An integer literal, as `str(int(literal))` prints it.
    Int(String),
    Float(f64),
    /// A string; `surrogate` is the first lone surrogate code point it held (Python keeps them,
    /// Rust strings cannot, so they are replaced in `text`).
    Str {
        text: String,
        surrogate: Option<u32>,
    },
    List(Vec<PyValue>),
    /// Members in order; a repeated key keeps its first place and its last value, as in a dict.
    Dict(Vec<(String, PyValue)>),
}

impl PyValue {
    /// Python's name for the type (`type(x).__name__`).
    pub fn type_name(&self) -> &'static str {
        match self {
            PyValue::Null => "NoneType",
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Str { .. } => "str",
            PyValue::List(_) => "list",
            PyValue::Dict(_) => "dict",
        }
    }

    /// A member of a dict (the last one of that name).
    pub fn get(&self, name: &str) -> Option<&PyValue> {
        match self {
            PyValue::Dict(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Nesting deeper than this is refused (CPython raises RecursionError near 1,000 frames, which
/// DRF turns into a 500).
const MAX_DEPTH: usize = 128;

enum Fail {
    /// `StopIteration(idx)`: no value starts here; the caller reports "Expecting value".
    Stop(usize),
    Decode(&'static str, usize),
    Constant(&'static str),
    Depth(&'static str),
}

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

struct Scanner<'a> {
    s: &'a [char],
}

impl Scanner<'_> {
    fn at(&self, idx: usize) -> Option<char> {
        self.s.get(idx).copied()
    }

    fn ws(&self, mut idx: usize) -> usize {
        while matches!(self.at(idx), Some(' ' | '\t' | '\n' | '\r')) {
            idx += 1;
        }
        idx
    }

    fn literal(&self, idx: usize, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(i, c)| self.at(idx + i) == Some(c))
            && idx + word.chars().count() <= self.s.len()
    }

    /// `scan_once`: the value at `idx` and the index after it.
    fn value(&self, idx: usize, depth: usize) -> Result<(PyValue, usize), Fail> {
        let Some(c) = self.at(idx) else {
            return Err(Fail::Stop(idx));
        };
        match c {
            '"' => {
                return self
                    .string(idx + 1)
                    .map(|(text, surrogate, end)| (PyValue::Str { text, surrogate }, end));
            }
            '{' if depth >= MAX_DEPTH => return Err(Fail::Depth("object")),
            '[' if depth >= MAX_DEPTH => return Err(Fail::Depth("array")),
            '{' => return self.object(idx + 1, depth + 1),
            '[' => return self.array(idx + 1, depth + 1),
            'n' if self.literal(idx, "null") => return Ok((PyValue::Null, idx + 4)),
            't' if self.literal(idx, "true") => return Ok((PyValue::Bool(true), idx + 4)),
            'f' if self.literal(idx, "false") => return Ok((PyValue::Bool(false), idx + 5)),
            'N' if self.literal(idx, "NaN") => return Err(Fail::Constant("NaN")),
            'I' if self.literal(idx, "Infinity") => return Err(Fail::Constant("Infinity")),
            '-' if self.literal(idx, "-Infinity") => return Err(Fail::Constant("-Infinity")),
            _ => {}
        }
        self.number(idx)
    }

    fn digit(&self, idx: usize) -> bool {
        self.at(idx).is_some_and(|c| c.is_ascii_digit())
    }

    /// `_match_number_unicode`.
    fn number(&self, start: usize) -> Result<(PyValue, usize), Fail> {
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
        }
        match self.at(idx) {
            Some('1'..='9') => {
                idx += 1;
                while self.digit(idx) {
                    idx += 1;
                }
            }
            Some('0') => idx += 1,
            _ => return Err(Fail::Stop(start)),
        }
        let mut is_float = false;
        if self.at(idx) == Some('.') && self.digit(idx + 1) {
            is_float = true;
            idx += 2;
            while self.digit(idx) {
                idx += 1;
            }
        }
        if matches!(self.at(idx), Some('e' | 'E')) && idx + 1 < self.s.len() {
            let e_start = idx;
            idx += 1;
            if matches!(self.at(idx), Some('-' | '+')) && idx + 1 < self.s.len() {
                idx += 1;
            }
            while self.digit(idx) {
                idx += 1;
            }
            if self.digit(idx - 1) {
                is_float = true;
            } else {
                idx = e_start;
            }
        }
        let literal: String = self.s[start..idx].iter().collect();
        let value = if is_float {
            PyValue::Float(literal.parse().unwrap_or(f64::NAN))
        } else if literal == "-0" {
            PyValue::Int("0".into())
        } else {
            PyValue::Int(literal)
        };
        Ok((value, idx))
    }

    /// `scanstring_unicode` with `strict=True`; `idx` is just after the opening quote.
    fn string(&self, idx: usize) -> Result<(String, Option<u32>, usize), Fail> {
        let begin = idx - 1;
        let mut out = String::new();
        let mut surrogate = None;
        let mut next = idx;
        loop {
            let c = self
                .at(next)
                .ok_or(Fail::Decode("Unterminated string starting at", begin))?;
            match c {
                '"' => return Ok((out, surrogate, next + 1)),
                '\\' => {}
                c if u32::from(c) <= 0x1f => {
                    return Err(Fail::Decode("Invalid control character at", next));
                }
                c => {
                    out.push(c);
                    next += 1;
                    continue;
                }
            }
            next += 1;
            let esc = self
                .at(next)
                .ok_or(Fail::Decode("Unterminated string starting at", begin))?;
            next += 1;
            let simple = match esc {
                '"' => Some('"'),
                '\\' => Some('\\'),
                '/' => Some('/'),
                'b' => Some('\u{8}'),
                'f' => Some('\u{c}'),
                'n' => Some('\n'),
                'r' => Some('\r'),
                't' => Some('\t'),
                'u' => None,
                _ => return Err(Fail::Decode("Invalid \\escape", next - 2)),
            };
            if let Some(ch) = simple {
                out.push(ch);
                continue;
            }
            let mut code = self.hex4(next)?;
            next += 4;
            if (0xD800..=0xDBFF).contains(&code)
                && next + 6 < self.s.len()
                && self.at(next) == Some('\\')
                && self.at(next + 1) == Some('u')
            {
                let low = self.hex4(next + 2)?;
                if (0xDC00..=0xDFFF).contains(&low) {
                    code = 0x10000 + (((code - 0xD800) << 10) | (low - 0xDC00));
                    next += 6;
                }
            }
            match char::from_u32(code) {
                Some(ch) => out.push(ch),
                None => {
                    surrogate.get_or_insert(code);
                    out.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
    }

    /// Four hex digits at `idx` (just after `\u`); errors name the `u`.
    fn hex4(&self, idx: usize) -> Result<u32, Fail> {
        let invalid = Fail::Decode("Invalid \\uXXXX escape", idx - 1);
        if idx + 4 >= self.s.len() {
            return Err(invalid);
        }
        let mut code = 0;
        for i in 0..4 {
            let digit = self.at(idx + i).and_then(|c| c.to_digit(16));
            let Some(digit) = digit else {
                return Err(invalid);
            };
            code = code << 4 | digit;
        }
        Ok(code)
    }

    fn object(&self, idx: usize, depth: usize) -> Result<(PyValue, usize), Fail> {
        let mut members: Vec<(String, PyValue)> = Vec::new();
        let mut idx = self.ws(idx);
        if self.at(idx) == Some('}') {
            return Ok((PyValue::Dict(members), idx + 1));
        }
        loop {
            if self.at(idx) != Some('"') {
                return Err(Fail::Decode(
                    "Expecting property name enclosed in double quotes",
                    idx,
                ));
            }
            let (key, _, next) = self.string(idx + 1)?;
            idx = self.ws(next);
            if self.at(idx) != Some(':') {
                return Err(Fail::Decode("Expecting ':' delimiter", idx));
            }
            idx = self.ws(idx + 1);
            let (value, next) = self.value(idx, depth)?;
            // A repeated key keeps its first position and takes the last value, as in a dict.
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(member) => member.1 = value,
                None => members.push((key, value)),
            }
            idx = self.ws(next);
            match self.at(idx) {
                Some('}') => return Ok((PyValue::Dict(members), idx + 1)),
                Some(',') => idx = self.ws(idx + 1),
                _ => return Err(Fail::Decode("Expecting ',' delimiter", idx)),
            }
        }
    }

    fn array(&self, idx: usize, depth: usize) -> Result<(PyValue, usize), Fail> {
        let mut items = Vec::new();
        let mut idx = self.ws(idx);
        if self.at(idx) == Some(']') {
            return Ok((PyValue::List(items), idx + 1));
        }
        loop {
            let (value, next) = self.value(idx, depth)?;
            items.push(value);
            idx = self.ws(next);
            match self.at(idx) {
                Some(']') => return Ok((PyValue::List(items), idx + 1)),
                Some(',') => idx = self.ws(idx + 1),
                _ => return Err(Fail::Decode("Expecting ',' delimiter", idx)),
            }
        }
    }
}

/// Python's `str(float)` (`repr`): the shortest round-tripping digits, positional for decimal
/// exponents from -4 to 15 (with `.0` when integral), scientific (`1e+16`, `1.5e-05`) otherwise.
pub fn python_float_str(value: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if value.is_nan() {
        return "nan".into();
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{fraction}e{exp_sign}{:02}", exponent.abs());
    }
    let point = exponent + 1;
    let text = if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
        format!("0.{zeros}{digits}")
    } else {
        let point = usize::try_from(point).unwrap_or(0);
        if digits.len() <= point {
            format!("{digits}{}.0", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{text}")
}

#[cfg(test)]
#[path = "pyjson_tests.rs"]
mod tests;
