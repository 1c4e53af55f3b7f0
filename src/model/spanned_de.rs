//! A lean reading of serde-saphyr's `Spanned` representation, for [`super::Spanned`].
//!
//! serde-saphyr hands a span-aware value over as a synthesized map: `{<marker>: true, value:
//! T, referenced: Location, defined: Location}`, each location a map of `line`, `column`,
//! `span: {offset, len, byte_info}` and `source_id`. Its own `Spanned<T>` reads the marker key
//! into a `String` and each location through general-purpose field visitors: for a manifest
//! of 6,000 groups of 20 members that is 200,000 allocations and most of the span cost of
//! `validate` (issue 15). This reads the same map with no allocation and keeps only what a
//! [`Span`] holds. The tests below compare it with serde-saphyr's own reading, so a change of
//! that representation in a new version fails them rather than misplacing findings.
//!
//! Anything that is not that map (a plain value from serde_json, or a map buffered by serde)
//! is read as `T` with no position, as serde-saphyr's `Spanned` does.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, Visitor,
};

use super::span::{Span, Spanned};

/// The newtype name serde-saphyr answers with the span-aware map.
pub(crate) const NEWTYPE: &str = "__yaml_spanned";
/// The first key of that map (serde-saphyr's `INTERNAL_SPANNED_MARKER`).
const MARKER: &str = "__serde_saphyr_private_spanned";
/// The sentinel serde-saphyr writes for a byte offset or length it does not know.
const UNAVAILABLE: u64 = u32::MAX as u64;

/// Reads a [`Spanned`] from any deserializer.
pub(super) fn deserialize<'de, T, D>(deserializer: D) -> Result<Spanned<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    deserializer.deserialize_newtype_struct(NEWTYPE, Newtype(PhantomData))
}

thread_local! {
    /// A span handed over by a deserializer that knows it (the manifest layer's fast YAML
    /// reading) for the value it is about to give, instead of serde-saphyr's map.
    static HANDED_OVER: std::cell::Cell<Option<Span>> = const { std::cell::Cell::new(None) };
}

/// Hands the span of the next [`Spanned`] value over; the deserializer calls this right
/// before `visit_newtype_struct` and [`take_handed_over`] right after it.
pub(crate) fn hand_over(span: Span) {
    HANDED_OVER.with(|cell| cell.set(Some(span)));
}

/// Takes the span handed over, if one is waiting.
pub(crate) fn take_handed_over() -> Option<Span> {
    HANDED_OVER.with(std::cell::Cell::take)
}

struct Newtype<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for Newtype<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
        if let Some(span) = take_handed_over() {
            return T::deserialize(inner).map(|value| Spanned::new(value, span));
        }
        inner.deserialize_any(ReprOrPlain(PhantomData))
    }
}

/// The span-aware map, or a plain value read as `T`.
struct ReprOrPlain<T>(PhantomData<T>);

/// Plain values: `T` read from them, with no position.
macro_rules! plain {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, value: $ty) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer()).map(Spanned::unplaced)
            }
        )*
    };
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ReprOrPlain<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    plain! {
        visit_bool: bool, visit_i8: i8, visit_i16: i16, visit_i32: i32, visit_i64: i64,
        visit_i128: i128, visit_u8: u8, visit_u16: u16, visit_u32: u32, visit_u64: u64,
        visit_u128: u128, visit_f32: f32, visit_f64: f64, visit_char: char, visit_str: &str,
        visit_string: String,
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        T::deserialize(de::value::BorrowedStrDeserializer::new(value)).map(Spanned::unplaced)
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<Self::Value, E> {
        T::deserialize(de::value::BytesDeserializer::new(value)).map(Spanned::unplaced)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        T::deserialize(().into_deserializer()).map(Spanned::unplaced)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
        T::deserialize(inner).map(Spanned::unplaced)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Spanned::unplaced)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::EnumAccessDeserializer::new(data)).map(Spanned::unplaced)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key_seed(FirstKey)? {
            None => {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Spanned::unplaced)
            }
            Some(FirstKeyIs::Other(key)) => {
                T::deserialize(de::value::MapAccessDeserializer::new(Prepended {
                    first: Some(key),
                    rest: map,
                }))
                .map(Spanned::unplaced)
            }
            Some(FirstKeyIs::Marker) => {
                map.next_value::<IgnoredAny>()?;
                let mut value = None;
                let mut span = None;
                while let Some(key) = map.next_key_seed(Keys(&["value", "referenced"]))? {
                    match key {
                        Some(0) => value = Some(map.next_value::<T>()?),
                        Some(_) => span = Some(map.next_value::<LeanLocation>()?.0),
                        // `defined`: a location too, and one that cannot be skipped unread.
                        None => {
                            map.next_value::<LeanLocation>()?;
                        }
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(Spanned::new(value, span.unwrap_or_default()))
            }
        }
    }
}

enum FirstKeyIs {
    Marker,
    Other(String),
}

/// Tells the marker from a user's key without allocating for the marker.
struct FirstKey;

impl<'de> DeserializeSeed<'de> for FirstKey {
    type Value = FirstKeyIs;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FirstKeyIs, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for FirstKey {
    type Value = FirstKeyIs;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<FirstKeyIs, E> {
        Ok(if key == MARKER {
            FirstKeyIs::Marker
        } else {
            FirstKeyIs::Other(key.to_owned())
        })
    }
}

/// A map whose first key was already read.
struct Prepended<A> {
    first: Option<String>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Prepended<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.rest.next_value_seed(seed)
    }
}

/// A key: its index in the list, or None for any other key.
struct Keys(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Keys {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Keys {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|known| *known == key))
    }
}

/// serde-saphyr's `Location` map, read into a [`Span`] (line, column, byte range).
struct LeanLocation(Span);

impl<'de> Deserialize<'de> for LeanLocation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Location", &["line", "column", "span"], LocationVisitor)
    }
}

struct LocationVisitor;

impl<'de> Visitor<'de> for LocationVisitor {
    type Value = LeanLocation;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a location")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LeanLocation, A::Error> {
        let mut span = Span::default();
        while let Some(key) = map.next_key_seed(Keys(&["line", "column", "span"]))? {
            match key {
                Some(0) => span.line = u32::try_from(map.next_value::<u64>()?).unwrap_or(u32::MAX),
                Some(1) => span.col = u32::try_from(map.next_value::<u64>()?).unwrap_or(u32::MAX),
                Some(_) => span.bytes = map.next_value::<LeanBytes>()?.0,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(LeanLocation(span))
    }
}

/// serde-saphyr's `Span` map, read into a byte range (empty at 0 when it has none).
struct LeanBytes(std::ops::Range<usize>);

impl<'de> Deserialize<'de> for LeanBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Span", &["offset", "len", "byte_info"], BytesVisitor)
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = LeanBytes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a source span")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LeanBytes, A::Error> {
        let mut bytes = 0..0;
        while let Some(key) = map.next_key_seed(Keys(&["byte_info"]))? {
            match key {
                Some(_) => {
                    let (offset, len) = map.next_value::<(u64, u64)>()?;
                    if (offset, len) != (UNAVAILABLE, UNAVAILABLE) {
                        let start = usize::try_from(offset).unwrap_or(usize::MAX);
                        let len = usize::try_from(len).unwrap_or(0);
                        bytes = start..start.saturating_add(len);
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(LeanBytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::super::span::Spanned;
    use super::Span;

    #[derive(serde::Deserialize)]
    struct Ours {
        title: Spanned<String>,
        members: Vec<Spanned<String>>,
        count: Spanned<u64>,
        flag: Option<Spanned<bool>>,
        nested: Spanned<std::collections::BTreeMap<String, u32>>,
        aliased: Spanned<String>,
    }

    #[derive(serde::Deserialize)]
    struct Theirs {
        title: serde_saphyr::Spanned<String>,
        members: Vec<serde_saphyr::Spanned<String>>,
        count: serde_saphyr::Spanned<u64>,
        flag: Option<serde_saphyr::Spanned<bool>>,
        nested: serde_saphyr::Spanned<std::collections::BTreeMap<String, u32>>,
        aliased: serde_saphyr::Spanned<String>,
    }

    const TEXT: &str = "title: &t  \"Team 中文\"\nmembers: [u1, 'u2',\n  u3]\ncount: 42\nflag: true\nnested: {a: 1, b: 2}\naliased: *t\n";

    fn theirs(spanned: &serde_saphyr::Location) -> Span {
        Span::from_yaml(spanned)
    }

    #[test]
    fn spans_are_those_serde_saphyr_reports() {
        let ours: Ours = serde_saphyr::from_str(TEXT).unwrap();
        let reference: Theirs = serde_saphyr::from_str(TEXT).unwrap();
        assert_eq!(ours.title.span, theirs(&reference.title.referenced));
        assert_eq!(ours.title.value, "Team 中文");
        assert_eq!(ours.members.len(), 3);
        for (mine, theirs_) in ours.members.iter().zip(&reference.members) {
            assert_eq!(mine.span, theirs(&theirs_.referenced));
            assert_eq!(mine.value, theirs_.value);
        }
        assert_eq!(ours.members[2].span.line, 3);
        assert_eq!(ours.count.span, theirs(&reference.count.referenced));
        assert_eq!(ours.count.value, 42);
        let flag = ours.flag.unwrap();
        assert_eq!(flag.span, theirs(&reference.flag.unwrap().referenced));
        assert_eq!(ours.nested.span, theirs(&reference.nested.referenced));
        assert_eq!(ours.nested.value.len(), 2);
        // An alias is placed where it is used, as serde-saphyr's `referenced` says.
        assert_eq!(ours.aliased.span, theirs(&reference.aliased.referenced));
        assert_eq!(ours.aliased.span.line, 7);
        assert!(!ours.title.span.bytes.is_empty());
        assert_eq!(&TEXT[ours.members[0].span.bytes.clone()], "u1");
    }

    #[test]
    fn other_formats_give_the_value_without_a_place() {
        let value: Spanned<String> = serde_json::from_str("\"x\"").unwrap();
        assert_eq!((value.value.as_str(), value.span.is_known()), ("x", false));
        let map: Spanned<std::collections::BTreeMap<String, u32>> =
            serde_json::from_value(serde_json::json!({"a": 1})).unwrap();
        assert_eq!(map.value["a"], 1);
        let list: Spanned<Vec<u8>> = serde_json::from_str("[1, 2]").unwrap();
        assert_eq!(list.value, vec![1, 2]);
    }
}
