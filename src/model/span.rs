//! Source positions: [`Span`] and the [`Spanned`] wrapper that carries one alongside a value.
//!
//! The YAML crate's own position types stay behind this module: the rest of the crate sees
//! only `Span` (line, column, byte range), so swapping the parser would touch this file alone.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a value sits in its file: 1-based line and column (in characters) and the byte range
/// of the value in the file's text. The file itself is known to whoever holds the span (a
/// resource knows its file), so a finding's location is the pair (file, span).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column in characters; 0 when unknown.
    pub col: u32,
    /// Byte range in the file's text (may be empty: a point).
    pub bytes: Range<usize>,
}

impl Span {
    /// A span for a known line and column with the given byte range.
    pub fn new(line: u32, col: u32, bytes: Range<usize>) -> Self {
        Self { line, col, bytes }
    }

    /// Whether the position is known (the parser did not give one for this value otherwise).
    pub fn is_known(&self) -> bool {
        self.line > 0
    }

    fn from_location(location: &serde_saphyr::Location) -> Self {
        let span = location.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        Self {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            col: u32::try_from(location.column()).unwrap_or(u32::MAX),
            bytes: start..start.saturating_add(len),
        }
    }

    /// Converts a position reported by the YAML parser (for its errors).
    pub(crate) fn from_yaml(location: &serde_saphyr::Location) -> Self {
        Self::from_location(location)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A value with the [`Span`] it was read from. Transparent for serde (serializes as the bare
/// value) and for the JSON Schema; equality and ordering look at the value only, so two
/// manifests that say the same thing in different places compare equal.
#[derive(Clone, Debug, Default)]
pub struct Spanned<T> {
    /// The value itself.
    pub value: T,
    /// Where it was written (where it is used, for YAML aliases).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value with a span.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    /// A value with no known position (made by code rather than read from a file).
    pub fn unplaced(value: T) -> Self {
        Self {
            value,
            span: Span::default(),
        }
    }

    /// Borrows the value.
    pub fn get(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: PartialOrd> PartialOrd for Spanned<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: Ord> Ord for Spanned<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: std::hash::Hash> std::hash::Hash for Spanned<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde-saphyr's representation, read without its allocations (issue 15).
        super::spanned_de::deserialize(deserializer)
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
