//! [`NamedMap`]: a YAML mapping from resource name to spec that keeps file order and the
//! position of every name (a `BTreeMap` would lose both).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::span::Spanned;

/// Name → spec entries in the order the file lists them, each name with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedMap<T>(pub Vec<(Spanned<String>, T)>);

impl<T> Default for NamedMap<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> NamedMap<T> {
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = &(Spanned<String>, T)> {
        self.0.iter()
    }
}

impl<T> IntoIterator for NamedMap<T> {
    type Item = (Spanned<String>, T);
    type IntoIter = std::vec::IntoIter<(Spanned<String>, T)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<T: Serialize> Serialize for NamedMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, spec) in &self.0 {
            map.serialize_entry(&name.value, spec)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NamedMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = NamedMap<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping from names to specs")
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                // `groups:` with nothing under it: no entries.
                Ok(NamedMap::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((name, spec)) = map.next_entry::<Spanned<String>, T>()? {
                    entries.push((name, spec));
                }
                Ok(NamedMap(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for NamedMap<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["object", "null"],
            "propertyNames": { "pattern": "^[a-z0-9][a-z0-9_-]{0,62}$" },
            "additionalProperties": generator.subschema_for::<T>(),
        })
    }

    fn inline_schema() -> bool {
        true
    }
}
