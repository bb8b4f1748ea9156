//! The hand-written runtime the generated types rely on: the result code accessors, the
//! secret string type, open-enum support and null-tolerant collections.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// The `resultCode` and `resultMessage` that most Authlete answers carry; every generated
/// struct implements it (returning `None` where the type has no such fields).
///
/// ```
/// use authlete_types::ResultInfo as _;
/// let result: authlete_types::types::ApiResult =
///     serde_json::from_str(r#"{"resultCode":"A001202","resultMessage":"missing header"}"#).unwrap();
/// assert_eq!(result.result_code(), Some("A001202"));
/// ```
pub trait ResultInfo {
    /// Authlete's result code, such as `A004001`.
    fn result_code(&self) -> Option<&str> {
        None
    }

    /// Authlete's human-readable result message.
    fn result_message(&self) -> Option<&str> {
        None
    }
}

impl ResultInfo for () {}

impl ResultInfo for serde_json::Map<String, serde_json::Value> {}

/// A credential: an access, refresh or ID token, a client or API secret, an authorization
/// code, a password, or a response that carries one.
///
/// `Debug` never shows the value and the memory is zeroed on drop; serialization sends the
/// value unchanged.
///
/// ```
/// let secret = authlete_types::Secret::from("s3cr3t");
/// assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
/// assert_eq!(secret.expose_secret(), "s3cr3t");
/// assert_eq!(serde_json::to_string(&secret).unwrap(), "\"s3cr3t\"");
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value. Take care not to log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// An empty value, so that request structs with a required secret can derive `Default`.
impl Default for Secret {
    fn default() -> Self {
        Self::new(String::new())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Not constant-time: these values are compared in tests, not to authenticate anyone.
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// A value of an open enum that this version of the SDK does not know. It is kept as
/// received and serialized back unchanged; it cannot be built by hand, so every known value
/// always maps to its own variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }
}

/// Reads JSON `null` as the default (empty) value: Authlete sends `null` for empty lists.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The trait impls every generated open enum shares; the enum provides `as_str` and
/// `from_known`.
macro_rules! open_enum_impls {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_known(value)
                    .unwrap_or_else(|| Self::Unknown($crate::UnknownValue::new(value.to_owned())))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::from_known(&value)
                    .unwrap_or_else(|| Self::Unknown($crate::UnknownValue::new(value)))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                deserializer
                    .deserialize_str($crate::runtime::OpenEnumVisitor(::std::marker::PhantomData))
            }
        }
    };
}
pub(crate) use open_enum_impls;

/// Deserializes an open enum from a borrowed or owned string without an extra copy for
/// known values.
pub(crate) struct OpenEnumVisitor<T>(pub(crate) std::marker::PhantomData<T>);

impl<T> serde::de::Visitor<'_> for OpenEnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}
