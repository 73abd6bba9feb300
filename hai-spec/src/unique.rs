//! A sorted string-keyed map that refuses duplicate keys while deserialising.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, Error as _, MapAccess, Visitor};
use serde::{Serialize, Serializer};

/// A `BTreeMap<String, T>` whose JSON form must not repeat a key.
///
/// serde_json keeps the last of two equal keys silently; a spec with two
/// shapes of one name is a mistake we want reported, not resolved by order.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueMap<T>(pub BTreeMap<String, T>);

impl<T> UniqueMap<T> {
    /// Whether the map is empty (also a `skip_serializing_if` predicate).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Default for UniqueMap<T> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<T: Serialize> Serialize for UniqueMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T> std::ops::DerefMut for UniqueMap<T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<T> Deref for UniqueMap<T> {
    type Target = BTreeMap<String, T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// A seed that refuses its value with a "duplicate key" error.
struct Duplicate(String);

enum Never {}

impl<'de> DeserializeSeed<'de> for Duplicate {
    type Value = Never;
    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<Never, D::Error> {
        Err(D::Error::custom(format_args!(
            "duplicate key \"{}\"",
            self.0
        )))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for UniqueMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = UniqueMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object with unique keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        // Fail while "reading the value", so path trackers
                        // (serde_path_to_error) report `parent.key`, not `parent`.
                        return map
                            .next_value_seed(Duplicate(key))
                            .map(|never| match never {});
                    }
                    let value = map.next_value::<T>()?;
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        deserializer.deserialize_map(V(PhantomData))
    }
}
