//! Deserializers for the oapi host's loose typing: numbers may come as strings, id lists as
//! JSON arrays or comma strings, switches as `0`/`1`, `"0"`/`"1"` or booleans.
// TODO(wire): move to model::wire once the shared wire types cover these fields.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// An optional integer given as a number, a numeric string or a boolean.
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(as_i64))
}

/// An integer given as a number or a numeric string (0 when absent).
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(opt_int(d)?.unwrap_or(0))
}

/// An optional string given as a string or a number.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// A list of ids given as a JSON array (of strings or numbers) or a comma string.
pub(crate) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    })
}

/// A list of numeric ids given as a JSON array or a comma string.
pub(crate) fn int_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items.iter().filter_map(as_i64).collect(),
        Some(Value::String(s)) => s.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        _ => Vec::new(),
    })
}

/// A switch (0/1) from a JSON value of any of the platform's spellings.
pub(crate) fn switch(value: &Value) -> Option<u8> {
    as_i64(value).map(|n| u8::from(n != 0))
}
