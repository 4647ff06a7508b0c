//! DRF's request parsing (`request.data` with the default JSON, form and multipart parsers) and
//! `CharField` validation, with DRF's errors: 415 for an unknown media type, 400 `JSON parse
//! error - ...`, and per-field messages collected in declaration order.

use axum::body::{Body as AxumBody, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};

use super::error::{ApiError, FieldErrors, translator};
use super::pyjson::{self, PyValue};

/// `request.data`: what the body held, before any field is read.
#[derive(Debug, Default)]
pub enum Data {
    /// No body: every field is missing.
    #[default]
    Empty,
    Json(PyValue),
    /// Form or multipart fields (a repeated name keeps its last value, as `QueryDict.get`).
    Fields(Vec<(String, Field)>),
}

/// One form or multipart field.
#[derive(Debug)]
pub enum Field {
    Text(String),
    /// An uploaded file: never a valid string.
    File,
}

/// Extracts [`Data`] as DRF does; every rejection is already in DRF's wire format.
pub struct Body(pub Data);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let bytes = Bytes::from_request(req, state).await.map_err(|err| {
            if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::Parse("The request body could not be read.".into())
            }
        })?;
        if bytes.is_empty() {
            return Ok(Body(Data::Empty));
        }
        let content_type = content_type.unwrap_or_default();
        let media = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if matches_media(&media, "application/json") {
            let value = pyjson::loads(&bytes)
                .map_err(|msg| ApiError::Parse(format!("JSON parse error - {msg}")))?;
            Ok(Body(Data::Json(value)))
        } else if matches_media(&media, "application/x-www-form-urlencoded") {
            let fields = form_urlencoded::parse(&bytes)
                .map(|(name, value)| (name.into_owned(), Field::Text(value.into_owned())))
                .collect();
            Ok(Body(Data::Fields(fields)))
        } else if matches_media(&media, "multipart/form-data") {
            multipart(content_type, bytes)
                .await
                .map(|fields| Body(Data::Fields(fields)))
        } else {
            Err(ApiError::UnsupportedMediaType(content_type))
        }
    }
}

/// DRF's `media_type_matches`: a `*` in the request's type or subtype matches anything.
fn matches_media(media: &str, parser: &str) -> bool {
    let (main, sub) = media.split_once('/').unwrap_or((media, ""));
    let (parser_main, parser_sub) = parser.split_once('/').unwrap_or((parser, ""));
    (main == "*" || main == parser_main) && (sub == "*" || sub == parser_sub)
}

async fn multipart(content_type: String, bytes: Bytes) -> Result<Vec<(String, Field)>, ApiError> {
    let parse_error = |msg: &str| ApiError::Parse(format!("Multipart form parse error - {msg}"));
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(AxumBody::from(bytes))
        .map_err(|_| parse_error("Invalid Content-Type"))?;
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|_| parse_error("Invalid boundary in multipart: None"))?;
    let mut fields = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|err| parse_error(&err.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let value = if field.file_name().is_some() {
            Field::File
        } else {
            Field::Text(
                field
                    .text()
                    .await
                    .map_err(|err| parse_error(&err.body_text()))?,
            )
        };
        fields.push((name, value));
    }
    Ok(fields)
}

/// Reads declared fields out of [`Data`] with `CharField` rules, collecting every error.
pub struct Fields<'a> {
    data: &'a Data,
    errors: FieldErrors,
}

/// How a value failed before any view-specific rule.
enum Invalid {
    Required,
    Null,
    Blank,
    NotAString,
    NullCharacter,
    Surrogate(u32),
}

impl Invalid {
    /// DRF's message, in the request's language.
    fn message(&self) -> String {
        let t = translator();
        let msgid = match self {
            Invalid::Required => "This field is required.",
            Invalid::Null => "This field may not be null.",
            Invalid::Blank => "This field may not be blank.",
            Invalid::NotAString => "Not a valid string.",
            Invalid::NullCharacter => "Null characters are not allowed.",
            Invalid::Surrogate(code) => {
                return t
                    .gettext("Surrogate characters are not allowed: U+{code_point:X}.")
                    .replace("{code_point:X}", &format!("{code:X}"));
            }
        };
        t.gettext(msgid).into_owned()
    }
}

impl Data {
    /// Starts reading fields; a JSON body that is not an object is refused as DRF does.
    pub fn fields(&self) -> Result<Fields<'_>, ApiError> {
        if let Data::Json(value) = self {
            let t = translator();
            let problem = match value {
                PyValue::Dict(_) => None,
                PyValue::Null => Some(t.gettext("No data provided").into_owned()),
                other => Some(
                    t.gettext("Invalid data. Expected a dictionary, but got {datatype}.")
                        .replace("{datatype}", other.type_name()),
                ),
            };
            if let Some(problem) = problem {
                return Err(ApiError::Fields(vec![(
                    "non_field_errors".into(),
                    vec![problem],
                )]));
            }
        }
        Ok(Fields {
            data: self,
            errors: Vec::new(),
        })
    }

    /// The raw text of a field: `Ok(None)` when absent.
    fn raw(&self, name: &str) -> Result<Option<String>, Invalid> {
        match self {
            Data::Empty => Ok(None),
            Data::Fields(fields) => match fields.iter().rev().find(|(n, _)| n == name) {
                None => Ok(None),
                Some((_, Field::Text(text))) => Ok(Some(text.clone())),
                Some((_, Field::File)) => Err(Invalid::NotAString),
            },
            Data::Json(value) => match value.get(name) {
                None => Ok(None),
                Some(PyValue::Null) => Err(Invalid::Null),
                Some(PyValue::Str {
                    text,
                    surrogate: None,
                }) => Ok(Some(text.clone())),
                Some(PyValue::Str {
                    surrogate: Some(code),
                    text,
                }) => {
                    if text.trim().is_empty() {
                        Ok(Some(String::new()))
                    } else {
                        Err(Invalid::Surrogate(*code))
                    }
                }
                Some(PyValue::Int(digits)) => Ok(Some(digits.clone())),
                Some(PyValue::Float(value)) => Ok(Some(pyjson::python_float_str(*value))),
                Some(PyValue::Bool(_) | PyValue::List(_) | PyValue::Dict(_)) => {
                    Err(Invalid::NotAString)
                }
            },
        }
    }
}

impl Fields<'_> {
    /// `CharField()`: required, not blank, trimmed.
    pub fn required(&mut self, name: &str) -> Option<String> {
        match self.read(name) {
            Ok(Some(value)) => Some(value),
            Ok(None) => self.fail(name, &Invalid::Required),
            Err(invalid) => self.fail(name, &invalid),
        }
    }

    /// `CharField(required=False, allow_blank=True)`: absent or blank is `None`.
    pub fn optional(&mut self, name: &str) -> Option<String> {
        match self.read(name) {
            Ok(value) => value,
            Err(Invalid::Blank) => None,
            Err(invalid) => self.fail(name, &invalid),
        }
    }

    /// A required field that may instead come from `fallback` (cookie mode's refresh token) when
    /// the body has none.
    pub fn required_or(&mut self, name: &str, fallback: Option<String>) -> Option<String> {
        match (self.read(name), fallback) {
            (Ok(Some(value)), _) => Some(value),
            (Ok(None) | Err(Invalid::Blank), Some(fallback)) => Some(fallback),
            (Ok(None), None) => self.fail(name, &Invalid::Required),
            (Err(invalid), _) => self.fail(name, &invalid),
        }
    }

    /// The parsed value when every field was valid; DRF's 400 otherwise.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ApiError::Fields(self.errors)),
        }
    }

    /// `CharField.run_validation`: blank after trimming, then the type, then the validators.
    fn read(&self, name: &str) -> Result<Option<String>, Invalid> {
        let Some(text) = self.data.raw(name)? else {
            return Ok(None);
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(Invalid::Blank);
        }
        if trimmed.contains('\0') {
            return Err(Invalid::NullCharacter);
        }
        Ok(Some(trimmed.to_owned()))
    }

    fn fail<T>(&mut self, name: &str, invalid: &Invalid) -> Option<T> {
        self.errors.push((name.to_owned(), vec![invalid.message()]));
        None
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn json(body: &[u8]) -> Data {
        Data::Json(pyjson::loads(body).unwrap_or(PyValue::Null))
    }

    fn errors(data: &Data, names: &[&str]) -> FieldErrors {
        let mut fields = data.fields().unwrap();
        for name in names {
            fields.required(name);
        }
        match fields.finish(None::<()>) {
            Err(ApiError::Fields(errors)) => errors,
            _ => unreachable!(),
        }
    }

    fn one(field: &str, msg: &str) -> (String, Vec<String>) {
        (field.into(), vec![msg.into()])
    }

    // Expected answers are DRF 3.18's for `CharField()` on each input.
    #[test]
    fn char_fields_fail_as_drf_does() {
        let data = json(br#"{"a":null,"b":true,"c":["x"],"d":"  ","e":"x\u0000y","f":"\ud800"}"#);
        assert_eq!(
            errors(&data, &["a", "b", "c", "d", "e", "f", "g"]),
            [
                one("a", "This field may not be null."),
                one("b", "Not a valid string."),
                one("c", "Not a valid string."),
                one("d", "This field may not be blank."),
                one("e", "Null characters are not allowed."),
                one("f", "Surrogate characters are not allowed: U+D800."),
                one("g", "This field is required."),
            ]
        );
    }

    #[test]
    fn numbers_become_their_python_text() {
        let data = json(br#"{"a":123,"b":1.50," c":1}"#);
        let mut fields = data.fields().unwrap();
        assert_eq!(fields.required("a").as_deref(), Some("123"));
        assert_eq!(fields.required("b").as_deref(), Some("1.5"));
    }

    #[test]
    fn non_objects_are_refused_whole() {
        for (body, msg) in [
            (
                &b"[]"[..],
                "Invalid data. Expected a dictionary, but got list.",
            ),
            (
                b"\"x\"",
                "Invalid data. Expected a dictionary, but got str.",
            ),
            (b"null", "No data provided"),
        ] {
            match json(body).fields() {
                Err(ApiError::Fields(errors)) => assert_eq!(errors, [one("non_field_errors", msg)]),
                _ => panic!("accepted {body:?}"),
            }
        }
    }

    #[test]
    fn media_types_match_as_drf_does() {
        assert!(matches_media("application/json", "application/json"));
        assert!(matches_media("*/*", "application/json"));
        assert!(matches_media("application/*", "application/json"));
        assert!(!matches_media(
            "application/vnd.api+json",
            "application/json"
        ));
        assert!(!matches_media("", "application/json"));
    }
}
