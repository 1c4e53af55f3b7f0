//! Lenient deserializers for oapi request bodies: the official Java oapi SDK posts scalars as
//! strings (`"agent_id":"123"`, `"to_all_user":"false"`), doc examples post form-urlencoded
//! bodies with JSON embedded as strings, and `/topapi/*` id lists are comma strings. These
//! accept every such form; serialization stays in the canonical form.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// An id list written as a comma string on the wire (`"u1,u2"`, the `/topapi/*` form).
/// Deserializes from a comma string, a JSON array (of strings or numbers) or a string holding
/// a JSON array.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommaList(pub Vec<String>);

impl CommaList {
    /// The ids, in order.
    pub fn ids(&self) -> &[String] {
        &self.0
    }
}

impl From<Vec<String>> for CommaList {
    fn from(ids: Vec<String>) -> Self {
        Self(ids)
    }
}

impl Serialize for CommaList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.join(","))
    }
}

impl<'de> Deserialize<'de> for CommaList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        list_from_value(value)
            .map(CommaList)
            .map_err(de::Error::custom)
    }
}

/// Read an id list from a JSON array, a comma string or a string holding a JSON array.
pub fn list_from_value(value: Value) -> Result<Vec<String>, String> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(scalar_to_string).collect(),
        Value::String(text) => {
            let trimmed = text.trim();
            if trimmed.starts_with('[') {
                let parsed: Value = serde_json::from_str(trimmed)
                    .map_err(|error| format!("invalid JSON list `{trimmed}`: {error}"))?;
                return list_from_value(parsed);
            }
            Ok(trimmed
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect())
        }
        Value::Number(number) => Ok(vec![number.to_string()]),
        other => Err(format!("expected a list, found `{other}`")),
    }
}

fn scalar_to_string(value: Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(format!("expected an id, found `{other}`")),
    }
}

/// A JSON array of ids that also accepts a comma string or a JSON string (`/chat/*` lists,
/// form-encoded). Use with `#[serde(default, deserialize_with = "lenient::list")]`.
pub fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    list_from_value(value).map_err(de::Error::custom)
}

/// An optional id list, accepting the forms of [`list`].
pub fn opt_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    list_from_value(value).map(Some).map_err(de::Error::custom)
}

struct Expected(&'static str);

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

fn to_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// An integer written as a number or a string (`"123"`).
pub fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    to_i64(&value).ok_or_else(|| de::Error::custom(format!("expected an integer, found `{value}`")))
}

/// An optional integer written as a number or a string; `""` counts as absent.
pub fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Null => Ok(None),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        _ => to_i64(&value)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected an integer, found `{value}`"))),
    }
}

/// An optional boolean written as `true`/`false`, `"true"`/`"false"` or `0`/`1`.
pub fn opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Null => Ok(None),
        Value::Bool(flag) => Ok(Some(*flag)),
        Value::String(text) => match text.trim() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(de::Error::custom(format!(
                "expected a boolean, found `{value}`"
            ))),
        },
        Value::Number(number) => match number.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(de::Error::custom(format!(
                "expected a boolean, found `{value}`"
            ))),
        },
        _ => Err(de::Error::custom(Expected("expected a boolean"))),
    }
}

/// A JSON object that may arrive embedded as a string (`msg` in a form-encoded body).
pub fn json_or_string<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    let value = match value {
        Value::String(text) => serde_json::from_str(&text).map_err(de::Error::custom)?,
        other => other,
    };
    serde_json::from_value(value).map_err(de::Error::custom)
}

/// An optional JSON object that may arrive embedded as a string.
pub fn opt_json_or_string<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    let value = match value {
        Value::Null => return Ok(None),
        Value::String(text) if text.trim().is_empty() => return Ok(None),
        Value::String(text) => serde_json::from_str(&text).map_err(de::Error::custom)?,
        other => other,
    };
    serde_json::from_value(value)
        .map(Some)
        .map_err(de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "int")]
        agent_id: i64,
        #[serde(default, deserialize_with = "opt_bool")]
        to_all_user: Option<bool>,
        #[serde(default)]
        userid_list: Option<CommaList>,
    }

    #[test]
    fn strings_numbers_and_comma_lists_are_accepted() {
        let probe: Probe = serde_json::from_str(
            r#"{"agent_id":"123","to_all_user":"false","userid_list":"u1, u2"}"#,
        )
        .unwrap();
        assert_eq!(probe.agent_id, 123);
        assert_eq!(probe.to_all_user, Some(false));
        assert_eq!(probe.userid_list.unwrap().0, vec!["u1", "u2"]);
    }

    #[test]
    fn json_arrays_are_accepted_as_lists_and_comma_lists_serialize_as_strings() {
        let probe: Probe = serde_json::from_str(r#"{"agent_id":7,"userid_list":["a",3]}"#).unwrap();
        assert_eq!(probe.userid_list.clone().unwrap().0, vec!["a", "3"]);
        let text = serde_json::to_string(&probe.userid_list.unwrap()).unwrap();
        assert_eq!(text, r#""a,3""#);
    }

    #[test]
    fn a_word_is_not_a_number() {
        let error = serde_json::from_str::<Probe>(r#"{"agent_id":"abc"}"#).unwrap_err();
        assert!(error.to_string().contains("expected an integer"), "{error}");
    }
}
