//! The hand-written runtime the generated code relies on: the request hooks, the secret
//! string type, open-enum support and null-tolerant collections.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, Error, OperationInfo};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A boxed future returned by [`Middleware::send`].
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Hooks into every request the generated [`Client`](crate::Client) makes: authentication,
/// path rewriting, timeouts, retries and tracing live behind this trait.
///
/// The `authlete` crate implements it; a user of this crate alone can too, e.g. to add an
/// `Authorization` header:
///
/// ```
/// use authlete_sys::{Inner, Middleware, OperationInfo};
///
/// struct Bearer(String);
///
/// impl Middleware for Bearer {
///     fn prepare(&self, request: &mut reqwest::Request, _: &OperationInfo) -> Result<(), String> {
///         let value = format!("Bearer {}", self.0).parse().map_err(|_| "bad token".to_string())?;
///         request.headers_mut().insert(reqwest::header::AUTHORIZATION, value);
///         Ok(())
///     }
/// }
///
/// let client = authlete_sys::Client::new_with_client(
///     "https://us.authlete.com",
///     reqwest::Client::new(),
///     Inner::with_middleware(std::sync::Arc::new(Bearer("token".into()))),
/// );
/// # let _ = client;
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Adjusts a request before it is sent. An error aborts the call with
    /// [`Error::Custom`] and nothing is sent.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationInfo,
    ) -> Result<(), String> {
        let _ = (request, operation);
        Ok(())
    }

    /// Sends a prepared request. The default sends it once; an implementation may retry
    /// (`request.try_clone()`), sign, or measure.
    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'a OperationInfo,
    ) -> SendFuture<'a> {
        let _ = operation;
        Box::pin(client.execute(request))
    }
}

/// The per-client state the generated [`Client`](crate::Client) carries: an optional
/// [`Middleware`].
#[derive(Clone, Default)]
pub struct Inner {
    middleware: Option<Arc<dyn Middleware>>,
}

impl Inner {
    /// No middleware: requests are sent as generated, once.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every request goes through `middleware`.
    pub fn with_middleware(middleware: Arc<dyn Middleware>) -> Self {
        Self {
            middleware: Some(middleware),
        }
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("middleware", &self.middleware.is_some())
            .finish()
    }
}

impl ClientHooks<Inner> for crate::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        match &self.inner.middleware {
            Some(middleware) => middleware.prepare(request, info).map_err(Error::Custom),
            None => Ok(()),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner.middleware {
            Some(middleware) => middleware.send(&self.client, request, info).await,
            None => self.client.execute(request).await,
        }
    }
}

/// The `resultCode` and `resultMessage` that most Authlete answers carry; every generated
/// struct implements it (returning `None` where the type has no such fields).
///
/// ```
/// use authlete_sys::ResultInfo as _;
/// let result: authlete_sys::types::ApiResult =
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
/// let secret = authlete_sys::Secret::from("s3cr3t");
/// assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
/// assert_eq!(secret.expose_secret(), "s3cr3t");
/// assert_eq!(serde_json::to_string(&secret).unwrap(), "\"s3cr3t\"");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The value. Take care not to log it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
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

/// Decodes a JSON answer into a [`ResponseValue`]; the generated code calls it where
/// progenitor would call `ResponseValue::from_response` (see xtask). Same result and the
/// same errors, but cheaper: the body's UTF-8 is checked once, as a whole, instead of once
/// per string (14% of the instructions of decoding a page of 1,000 clients), and the
/// headers are moved, not copied.
pub(crate) async fn decode_json<T, E>(
    mut response: reqwest::Response,
) -> Result<progenitor_client::ResponseValue<T>, Error<E>>
where
    T: serde::de::DeserializeOwned,
{
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let decoded = match std::str::from_utf8(&body) {
        Ok(text) => serde_json::from_str(text),
        // Let serde_json say where the bytes go wrong.
        Err(_) => serde_json::from_slice(&body),
    };
    match decoded {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(error) => Err(Error::InvalidResponsePayload(body, error)),
    }
}
