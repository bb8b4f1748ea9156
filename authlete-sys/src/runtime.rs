//! The hand-written runtime the generated client relies on: the request hooks and the
//! decoding of answers. The runtime of the generated types is in `authlete-types`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, Error, OperationInfo};

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
