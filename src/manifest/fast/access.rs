//! The serde access types of the fast reading: a sequence's elements, a mapping's entries
//! (with serde-saphyr's refusal of a key written twice) and an enum's variant.

use std::borrow::Cow;
use std::collections::HashSet;

use granit_parser::Event;
use serde::de::{self, DeserializeSeed, Visitor};

use super::{GiveUp, Reader, Result, is_text_key};

/// Maps with more keys than this check duplicates with a hash set rather than a scan.
const SCAN_KEYS: usize = 16;

pub(super) struct Sequence<'r, 'de> {
    pub(super) reader: &'r mut Reader<'de>,
}

impl<'de> de::SeqAccess<'de> for Sequence<'_, 'de> {
    type Error = GiveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if matches!(self.reader.peek()?, Event::SequenceEnd) {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

pub(super) struct Mapping<'r, 'de> {
    pub(super) reader: &'r mut Reader<'de>,
    /// The keys read so far (serde-saphyr refuses a key written twice).
    pub(super) keys: Vec<Cow<'de, str>>,
    pub(super) key_set: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Mapping<'_, 'de> {
    /// Records a key; false when it was already there.
    fn first_time(&mut self, key: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.key_set {
            return set.insert(key);
        }
        if self.keys.contains(&key) {
            return false;
        }
        self.keys.push(key);
        if self.keys.len() > SCAN_KEYS {
            self.key_set = Some(std::mem::take(&mut self.keys).into_iter().collect());
        }
        true
    }
}

impl<'de> de::MapAccess<'de> for Mapping<'_, 'de> {
    type Error = GiveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let key = match self.reader.peek()? {
            Event::MappingEnd => return Ok(None),
            Event::Scalar(text, style, ..) if is_text_key(text, *style) => text.clone(),
            _ => return Err(GiveUp),
        };
        if !self.first_time(key) {
            return Err(GiveUp);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.reader)
    }
}

/// `variant` written as a scalar.
pub(super) struct UnitVariant<'de>(pub(super) Cow<'de, str>);

impl<'de> de::EnumAccess<'de> for UnitVariant<'de> {
    type Error = GiveUp;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let value =
            seed.deserialize(de::value::CowStrDeserializer::<GiveUp>::new(self.0.clone()))?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'de> {
    type Error = GiveUp;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(GiveUp)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(GiveUp)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(GiveUp)
    }
}

/// `{variant: content}`: a mapping of one key.
pub(super) struct MapVariant<'r, 'de> {
    pub(super) reader: &'r mut Reader<'de>,
    pub(super) variant: Cow<'de, str>,
}

impl<'r, 'de> de::EnumAccess<'de> for MapVariant<'r, 'de> {
    type Error = GiveUp;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let value = seed.deserialize(de::value::CowStrDeserializer::<GiveUp>::new(
            self.variant.clone(),
        ))?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for MapVariant<'_, 'de> {
    type Error = GiveUp;

    fn unit_variant(self) -> Result<()> {
        // `{variant: ~}` may be accepted there; not worth mirroring.
        Err(GiveUp)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.reader)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(&mut *self.reader, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(&mut *self.reader, visitor)
    }
}
