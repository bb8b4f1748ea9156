//! Keeping the JSON members that the spec does not know.
//!
//! An application reads a service or a client, changes one setting and writes the object
//! back. When Authlete has added a setting since this crate was generated, a plain
//! `#[derive(Deserialize)]` drops it on the way in, and the update then erases it. The types
//! an application writes back (those reachable from the spec's `x-keep-unknown` schemas)
//! keep every member they do not know in an [`UnknownMembers`] field and serialize it back
//! unchanged.
//!
//! How, without slowing decoding down: `#[serde(flatten)]` would buffer the whole object
//! before decoding it. Instead the generated `Deserialize` runs serde's derived code through
//! [`KeepUnknown`], a deserializer that watches the derived code: a member it does not know
//! is one whose value it skips (as [`IgnoredAny`]), and that value is then decoded into a
//! [`serde_json::Value`] and kept instead. The derived code alone decides which names it
//! knows, so no name is looked up twice.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer, UnitDeserializer};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The JSON members of an object that this version of the SDK does not know, as Authlete
/// sent them; serializing the object sends them back unchanged.
///
/// It dereferences to a [`serde_json::Map`], so members can be read, changed or removed.
/// `Debug` prints only their names: a member Authlete adds may hold a credential.
///
/// ```
/// use authlete_types::types::Service;
///
/// let service: Service =
///     serde_json::from_str(r#"{"serviceName": "s", "newSetting": {"on": true}}"#).unwrap();
/// assert_eq!(service.unknown_members["newSetting"]["on"], true);
/// let written = serde_json::to_value(&service).unwrap();
/// assert_eq!(written["newSetting"]["on"], true);
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct UnknownMembers(Map<String, Value>);

impl UnknownMembers {
    /// The members, as a JSON map.
    pub fn into_inner(self) -> Map<String, Value> {
        self.0
    }
}

impl From<Map<String, Value>> for UnknownMembers {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl Deref for UnknownMembers {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for UnknownMembers {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl fmt::Debug for UnknownMembers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Serialize for UnknownMembers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Runs `derived` (serde's derived deserialization of a struct) on `deserializer`, and
/// returns its value with the members it did not know.
pub fn deserialize<'de, D, T>(
    deserializer: D,
    derived: impl FnOnce(KeepUnknown<'_, D>) -> Result<T, D::Error>,
) -> Result<(T, UnknownMembers), D::Error>
where
    D: Deserializer<'de>,
{
    let mut unknown = Map::new();
    let value = derived(KeepUnknown {
        inner: deserializer,
        unknown: &mut unknown,
    })?;
    Ok((value, UnknownMembers(unknown)))
}

/// Whether a value seed is the one serde's derived code uses to skip the value of a member
/// it does not know. The size test is a constant: for every seed of a real field (whose
/// value has a size) the name comparison, which is not free, is compiled away.
fn skips_value<'de, S: DeserializeSeed<'de>>() -> bool {
    std::mem::size_of::<S::Value>() == 0
        && std::any::type_name::<S>() == std::any::type_name::<PhantomData<IgnoredAny>>()
}

/// A deserializer that passes the known members of an object on and keeps the others.
pub struct KeepUnknown<'a, D> {
    inner: D,
    unknown: &'a mut Map<String, Value>,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeepUnknown<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(Collect {
            visitor,
            unknown: self.unknown,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_struct(
            name,
            fields,
            Collect {
                visitor,
                unknown: self.unknown,
            },
        )
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_map(Collect {
            visitor,
            unknown: self.unknown,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct enum identifier
        ignored_any
    }
}

/// The visitor of the derived code, given a filtered map.
struct Collect<'a, V> {
    visitor: V,
    unknown: &'a mut Map<String, Value>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Collect<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(Filter {
            map,
            unknown: self.unknown,
            key: None,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_seq(seq)
    }
}

/// The members of an object, less the unknown ones, which it keeps.
struct Filter<'de, 'a, A> {
    map: A,
    unknown: &'a mut Map<String, Value>,
    /// The name of the member whose value comes next.
    key: Option<Key<'de>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Filter<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<Key<'de>>()? else {
            return Ok(None);
        };
        let identified = match &key {
            Key::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
            Key::Owned(key) => seed.deserialize(StringDeserializer::new(key.clone())),
        }?;
        self.key = Some(key);
        Ok(Some(identified))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        if skips_value::<S>()
            && let Some(key) = self.key.take()
        {
            let value: Value = self.map.next_value()?;
            self.unknown.insert(key.into_owned(), value);
            return seed.deserialize(UnitDeserializer::new());
        }
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A member name, borrowed from the input when it can be.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn into_owned(self) -> String {
        match self {
            Key::Borrowed(key) => key.to_owned(),
            Key::Owned(key) => key,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(key))
            }
            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(key.to_owned()))
            }
            fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(key))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
