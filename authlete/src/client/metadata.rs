//! What is known about Authlete's answer besides its body: [`ResponseMetadata`].

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, HeaderName, StatusCode};

/// The headers read for [`ResponseMetadata::request_id`], in this order. Authlete's API
/// reference names no request-id header, so these are the two common spellings.
pub const REQUEST_ID_HEADERS: [&str; 2] = ["request-id", "x-request-id"];

/// Authlete's answer to a call apart from its body: status, headers, how many attempts
/// the call took and how long.
///
/// Returned by [`Call::with_metadata`](crate::Call::with_metadata) on success, and kept in
/// [`ApiError::metadata`](crate::ApiError::metadata) and
/// [`DecodeError::metadata`](crate::DecodeError::metadata).
///
/// `Debug` hides the values of headers that may carry credentials (see
/// [`is_sensitive_header`]).
///
/// ```no_run
/// # async fn run(client: authlete::Client, request: authlete::types::TokenRequest) -> Result<(), authlete::Error> {
/// let (token, metadata) = client.token(&request).with_metadata().await?;
/// println!(
///     "{:?}: HTTP {} after {} attempt(s) in {:?}, request id {:?}",
///     token.action,
///     metadata.status(),
///     metadata.attempts(),
///     metadata.elapsed(),
///     metadata.request_id(),
/// );
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ResponseMetadata {
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    elapsed: Duration,
}

impl ResponseMetadata {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        attempts: u32,
        elapsed: Duration,
    ) -> Self {
        Self {
            status,
            headers,
            attempts,
            elapsed,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers of the answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many requests the call sent: 1, or more when the
    /// [`RetryPolicy`](crate::RetryPolicy) retried (a DPoP nonce challenge answered is not
    /// counted).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The time from the first request to the whole answer, including retries and the
    /// waits between them.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The request id of the answer: the first of [`REQUEST_ID_HEADERS`] (`Request-Id`,
    /// then `X-Request-Id`) present with a text value. Quote it when asking Authlete's
    /// support about a call.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name)?.to_str().ok())
    }
}

impl fmt::Debug for ResponseMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseMetadata")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("attempts", &self.attempts)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

/// Whether `Debug` output hides the value of a header: `Authorization`,
/// `Proxy-Authorization`, `Cookie`, `Set-Cookie` and `DPoP`, any value marked sensitive,
/// and any header whose name contains `auth`, `token`, `secret`, `key`, `cookie` or
/// `session` (such as `X-Api-Key`).
///
/// ```
/// use authlete::is_sensitive_header;
/// assert!(is_sensitive_header(&http::header::SET_COOKIE));
/// assert!(is_sensitive_header(&http::HeaderName::from_static("x-api-key")));
/// assert!(!is_sensitive_header(&http::header::CONTENT_TYPE));
/// ```
pub fn is_sensitive_header(name: &HeaderName) -> bool {
    const NAMES: [&str; 5] = [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "dpop",
    ];
    const PARTS: [&str; 6] = ["auth", "token", "secret", "key", "cookie", "session"];
    let name = name.as_str();
    NAMES.contains(&name) || PARTS.iter().any(|part| name.contains(part))
}

/// Headers for `Debug`, with the values of sensitive ones replaced by `[REDACTED]`.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_sensitive_header(name) {
                map.entry(&name.as_str(), &"[REDACTED]");
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        map.finish()
    }
}
