//! A fast reading of the plain YAML most manifests are written in: granit-parser's events
//! (the parser serde-saphyr itself runs) fed straight into the model, with each
//! [`Spanned`](crate::model::Spanned) value's position handed over directly instead of
//! through serde-saphyr's synthesized span map (issue 15: that map and serde-saphyr's event
//! bookkeeping were half of `validate`'s time on a large workspace).
//!
//! It reads only what it is sure serde-saphyr reads the same way, and gives up (returns
//! `None`) on anything else: anchors, aliases, tags, merge keys, a key that may not be a
//! plain string, a scalar that YAML may resolve to something else, more than one document,
//! and any error at all, the model's own included. The caller then parses the file with
//! serde-saphyr, which gives the same model or the finding, word for word. So a file that
//! reads here reads exactly as serde-saphyr reads it; the tests compare the two on every
//! example workspace and on generated manifests.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, Span as ParserSpan, StrInput};
use serde::de::{self, DeserializeOwned, Visitor};

mod access;
use access::{MapVariant, Mapping, Sequence, UnitVariant};

use crate::model::Span;

/// serde-saphyr's `max_depth` is 64 (`parse::MAX_DEPTH`); stop well before it.
const MAX_DEPTH: usize = 48;
/// serde-saphyr's default budget allows 250,000 nodes and 1,000,000 events; stop well
/// before either (the events bound counts every `#` as a comment event the budget may see).
const MAX_NODES: usize = 200_000;
const MAX_EVENTS: usize = 800_000;

/// Reads `text` as a `T`, or `None` when serde-saphyr must (see the module's doc).
pub fn parse<T: DeserializeOwned>(text: &str) -> Option<Option<T>> {
    let comments = memchr_count(text.as_bytes(), b'#');
    if comments >= MAX_EVENTS {
        return None;
    }
    let mut reader = Reader {
        parser: Parser::with_options(StrInput::new(text), parser_options()),
        peeked: None,
        depth: 0,
        nodes: 0,
        events: comments,
    };
    match reader.next().ok()? {
        Event::StreamStart => {}
        _ => return None,
    }
    match reader.next().ok()? {
        Event::DocumentStart(..) => {}
        // An empty stream: serde-saphyr's reading of it is the one to trust.
        _ => return None,
    }
    let value = T::deserialize(&mut reader).ok()?;
    match reader.next().ok()? {
        Event::DocumentEnd => {}
        _ => return None,
    }
    match reader.next().ok()? {
        Event::StreamEnd => Some(Some(value)),
        _ => None,
    }
}

/// The options serde-saphyr gives granit-parser (its `Options::parser_options`) with ours
/// (`parse::options`): the same limits, so the parser accepts the same texts.
fn parser_options() -> granit_parser::Options {
    let budget = serde_saphyr::Budget::default();
    let mut options = granit_parser::Options::default();
    options.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    options.flow_nesting_limit = budget.flow_nesting_limit;
    options.block_nesting_limit = options
        .block_nesting_limit
        .max(super::parse::MAX_DEPTH.saturating_add(1));
    options.emit_comments = false;
    options.strict_indentation = false;
    options.bom_inside_document_as_content = false;
    options
}

fn memchr_count(bytes: &[u8], needle: u8) -> usize {
    bytes.iter().filter(|&&byte| byte == needle).count()
}

/// Why the fast reading gave up; the reason itself does not matter.
#[derive(Debug)]
struct GiveUp;

impl std::fmt::Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to serde-saphyr")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Self
    }
}

type Result<T> = std::result::Result<T, GiveUp>;

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    peeked: Option<(Event<'a>, ParserSpan)>,
    depth: usize,
    nodes: usize,
    events: usize,
}

impl<'a> Reader<'a> {
    fn fill(&mut self) -> Result<()> {
        if self.peeked.is_none() {
            let (event, span) = self
                .parser
                .next_event()
                .ok_or(GiveUp)?
                .map_err(|_| GiveUp)?;
            self.events += 1;
            if self.events >= MAX_EVENTS {
                return Err(GiveUp);
            }
            match &event {
                Event::Scalar(_, _, anchor, tag) => {
                    if *anchor != 0 || tag.is_some() {
                        return Err(GiveUp);
                    }
                    self.nodes += 1;
                }
                Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                    if *anchor != 0 || tag.is_some() {
                        return Err(GiveUp);
                    }
                    self.nodes += 1;
                }
                Event::SequenceEnd
                | Event::MappingEnd
                | Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentEnd
                | Event::DocumentStart(..) => {}
                _ => return Err(GiveUp),
            }
            if self.nodes >= MAX_NODES {
                return Err(GiveUp);
            }
            self.peeked = Some((event, span));
        }
        Ok(())
    }

    fn peek(&mut self) -> Result<&Event<'a>> {
        self.fill()?;
        self.peeked.as_ref().map(|(event, _)| event).ok_or(GiveUp)
    }

    fn peek_span(&mut self) -> Result<&ParserSpan> {
        self.fill()?;
        self.peeked.as_ref().map(|(_, span)| span).ok_or(GiveUp)
    }

    fn next(&mut self) -> Result<Event<'a>> {
        self.fill()?;
        self.peeked.take().map(|(event, _)| event).ok_or(GiveUp)
    }

    /// The next event, a scalar: its text and style.
    fn scalar(&mut self) -> Result<(Cow<'a, str>, ScalarStyle)> {
        match self.next()? {
            Event::Scalar(text, style, ..) => Ok((text, style)),
            _ => Err(GiveUp),
        }
    }

    /// The next scalar as a string, as serde-saphyr's `deserialize_string` gives it: any
    /// text but a plain null (which it refuses for a string).
    fn string(&mut self) -> Result<Cow<'a, str>> {
        let (text, style) = self.scalar()?;
        if is_plain_null(&text, style) {
            return Err(GiveUp);
        }
        Ok(text)
    }

    /// The next scalar, plain, for a number or a boolean.
    fn plain(&mut self) -> Result<Cow<'a, str>> {
        match self.scalar()? {
            (text, ScalarStyle::Plain) => Ok(text),
            _ => Err(GiveUp),
        }
    }

    /// Reads a collection: its start, what `read` reads inside it, its end.
    fn collection<T>(
        &mut self,
        kind: Collection,
        read: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let started = matches!(
            (kind, self.next()?),
            (Collection::Sequence, Event::SequenceStart(..))
                | (Collection::Mapping, Event::MappingStart(..))
        );
        self.depth += 1;
        if !started || self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        let value = read(self)?;
        let ended = matches!(
            (kind, self.next()?),
            (Collection::Sequence, Event::SequenceEnd) | (Collection::Mapping, Event::MappingEnd)
        );
        if !ended {
            return Err(GiveUp);
        }
        self.depth -= 1;
        Ok(value)
    }
}

/// A sequence or a mapping.
#[derive(Clone, Copy)]
enum Collection {
    Sequence,
    Mapping,
}

/// serde-saphyr's `scalar_is_nullish`.
fn is_plain_null(text: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A decimal integer the way every YAML schema reads it: no sign but `-`, no leading zero,
/// no underscore or radix.
fn is_simple_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// A key that is a plain string in every YAML schema, so that serde-saphyr's duplicate check
/// compares it as text (a number, boolean or null key may compare by value there).
fn is_text_key(text: &str, style: ScalarStyle) -> bool {
    // A merge key, however it is quoted, is left to serde-saphyr.
    if text == "<<" {
        return false;
    }
    if style != ScalarStyle::Plain {
        return true;
    }
    let Some(first) = text.chars().next() else {
        return false;
    };
    if !(first.is_alphabetic() || first == '_') {
        return false;
    }
    ![
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ]
    .iter()
    .any(|word| text.eq_ignore_ascii_case(word))
}

/// serde-saphyr's location of a node (`location_from_span`) as a [`Span`].
fn span_of(span: &ParserSpan) -> Span {
    let bytes = match (span.start.byte_offset(), span.end.byte_offset()) {
        (Some(start), Some(end))
            if start <= u32::MAX as usize && end.saturating_sub(start) <= u32::MAX as usize =>
        {
            start..start + end.saturating_sub(start)
        }
        _ => 0..0,
    };
    Span {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        bytes,
    }
}

macro_rules! integers {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
                let text = self.plain()?;
                if !is_simple_integer(&text) {
                    return Err(GiveUp);
                }
                visitor.$visit(text.parse::<$ty>().map_err(|_| GiveUp)?)
            }
        )*
    };
}

macro_rules! refused {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
                Err(GiveUp)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = GiveUp;

    integers! {
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32, deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64,
    }

    refused! {
        deserialize_any, deserialize_i128, deserialize_u128, deserialize_char,
        deserialize_bytes, deserialize_byte_buf, deserialize_ignored_any,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.plain()?.as_ref() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let text = self.plain()?;
        visitor.visit_f32(simple_float(&text)? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let text = self.plain()?;
        visitor.visit_f64(simple_float(&text)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Event::Scalar(text, style, ..) = self.peek()?
            && is_plain_null(text, *style)
        {
            self.next()?;
            return visitor.visit_none();
        }
        match self.peek()? {
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..) => {
                visitor.visit_some(self)
            }
            _ => Err(GiveUp),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let (text, style) = self.scalar()?;
        if !is_plain_null(&text, style) {
            return Err(GiveUp);
        }
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _visitor: V,
    ) -> Result<V::Value> {
        Err(GiveUp)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == crate::model::spanned_de::NEWTYPE {
            let span = span_of(self.peek_span()?);
            crate::model::spanned_de::hand_over(span);
            let value = visitor.visit_newtype_struct(&mut *self);
            // Taken by the visitor unless it was not ours; never left for the next value.
            crate::model::spanned_de::take_handed_over();
            return value;
        }
        if name.starts_with("__yaml") {
            return Err(GiveUp);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.collection(Collection::Sequence, |reader| {
            visitor.visit_seq(Sequence { reader })
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.collection(Collection::Mapping, |reader| {
            visitor.visit_map(Mapping {
                reader,
                keys: Vec::new(),
                key_set: None,
            })
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek()? {
            Event::Scalar(..) => {
                let variant = self.string()?;
                visitor.visit_enum(UnitVariant(variant))
            }
            Event::MappingStart(..) => self.collection(Collection::Mapping, |reader| {
                let (variant, style) = reader.scalar()?;
                if !is_text_key(&variant, style) {
                    return Err(GiveUp);
                }
                visitor.visit_enum(MapVariant { reader, variant })
            }),
            _ => Err(GiveUp),
        }
    }
}

/// A float written as plain decimals (`12`, `-0.5`), which every YAML schema reads alike.
fn simple_float(text: &str) -> Result<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let decimal = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !decimal(whole) || !decimal(fraction) || (whole.len() > 1 && whole.starts_with('0')) {
        return Err(GiveUp);
    }
    text.parse().map_err(|_| GiveUp)
}

#[cfg(test)]
mod tests;
