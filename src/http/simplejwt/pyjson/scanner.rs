//! The scanner: CPython 3.11's `scan_once` and the functions it calls (`Modules/_json.c`), over
//! the decoded characters, with Python's error messages and positions.

use super::value::PyValue;

/// Nesting deeper than this is refused (CPython raises RecursionError near 1,000 frames, which
/// DRF turns into a 500).
const MAX_DEPTH: usize = 128;

/// Why the scanner stopped.
pub(super) enum Fail {
    /// `StopIteration(idx)`: no value starts here; the caller reports "Expecting value".
    Stop(usize),
    Decode(&'static str, usize),
    Constant(&'static str),
    Depth(&'static str),
}

/// CPython's scanner over the decoded characters.
pub(super) struct Scanner<'a> {
    pub(super) s: &'a [char],
}

impl Scanner<'_> {
    fn at(&self, idx: usize) -> Option<char> {
        self.s.get(idx).copied()
    }

    pub(super) fn ws(&self, mut idx: usize) -> usize {
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
    pub(super) fn value(&self, idx: usize, depth: usize) -> Result<(PyValue, usize), Fail> {
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
