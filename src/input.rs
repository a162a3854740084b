//! Typed reads of JSON objects (the `data` and `options` callers pass): a wrong type or an
//! oversize value is bad input (E008002) that names the key.

use serde_json::{Map, Value};

use crate::error::{SsoError, SsoResult};

/// A key as error messages show it: at most 40 characters of it.
pub(crate) fn shown_key(k: &str) -> String {
    let mut s = k.to_string();
    crate::sso::truncate_chars(&mut s, 40);
    s
}

/// A string, or None for a missing key or null.
pub(crate) fn opt_string(m: &Map<String, Value>, key: &str, max_chars: usize) -> SsoResult<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if max_chars != usize::MAX && s.chars().count() > max_chars => {
            Err(SsoError::invalid_input(format!("{key} is longer than {max_chars} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(SsoError::invalid_input(format!("{key} must be a string"))),
    }
}

pub(crate) fn opt_bool(m: &Map<String, Value>, key: &str) -> SsoResult<Option<bool>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(SsoError::invalid_input(format!("{key} must be a boolean"))),
    }
}

pub(crate) fn opt_int(m: &Map<String, Value>, key: &str) -> SsoResult<Option<i64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| SsoError::invalid_input(format!("{key} must be an integer"))),
    }
}
