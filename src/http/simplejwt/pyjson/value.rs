//! The values the reader produces, as Python holds them.

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
