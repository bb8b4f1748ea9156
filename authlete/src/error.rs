//! The one error type of every call to Authlete.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::StatusCode;

use crate::client::ResponseMetadata;
use crate::config::ConfigError;

/// What went wrong in a call to Authlete.
///
/// Match on the variant to tell apart an answer from Authlete ([`Error::Api`]), a
/// failure to reach it ([`Error::Transport`]), an answer that does not decode
/// ([`Error::Decode`]), a configuration problem and an operation the configured API
/// generation does not offer. [`Error::is_retryable`] says whether trying again may help.
///
/// ```
/// # async fn run(client: &authlete::Client) {
/// match client.get_client("1140735077").await {
///     Ok(client) => println!("{:?}", client.client_name),
///     Err(authlete::Error::Api(e)) if e.status() == 404 => println!("no such client"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Authlete answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Authlete could not be reached, or the connection failed or timed out.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// Authlete answered with a success status but the body does not decode.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The configuration is incomplete or invalid for this call.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The operation exists only in Authlete API generation 3; nothing was sent.
    #[error(
        "`{operation}` is not available in Authlete API generation 2; \
         configure api_version V3 to use it"
    )]
    UnsupportedInV2 {
        /// The Authlete operation id.
        operation: &'static str,
    },
    /// The configured DPoP key cannot sign proofs (when the client is built, or for an
    /// attempt of a call); nothing was sent.
    #[error("the DPoP key cannot be used")]
    Dpop(#[from] crate::dpop::DpopError),
    /// The HTTP client could not be created (for example, no TLS backend is available).
    #[error("could not create the HTTP client")]
    HttpClient(#[source] reqwest::Error),
    /// The request for this operation could not be built (for example an invalid header
    /// value, or no credentials it can use); nothing was sent.
    #[error("could not build the request for `{operation}`: {message}")]
    InvalidRequest {
        /// The Authlete operation id.
        operation: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The runtime thread of [`blocking::Client`](crate::blocking::Client) could not be
    /// started, or has stopped; nothing was sent.
    #[error("the runtime thread of the blocking client is not running")]
    BlockingRuntime(#[source] Option<std::io::Error>),
}

impl Error {
    /// Keeps `metadata` in an error made from an answer.
    pub(crate) fn with_metadata(mut self, metadata: ResponseMetadata) -> Self {
        match &mut self {
            Error::Api(error) => error.metadata = Some(metadata),
            Error::Decode(error) => error.metadata = Some(metadata),
            _ => {}
        }
        self
    }

    /// Whether the same call may succeed if tried again: Authlete was unreachable or slow,
    /// or answered 429, 502, 503 or 504. Whether retrying is *safe* depends on the
    /// operation: most Authlete POSTs are not idempotent.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status.as_u16(), 429 | 502 | 503 | 504),
            Error::Transport(e) => !matches!(
                e.kind,
                TransportErrorKind::Other
                    | TransportErrorKind::Tls
                    | TransportErrorKind::ResponseTooLarge
            ),
            _ => false,
        }
    }

    /// The HTTP status Authlete answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// The Authlete operation id of the failed call, when the error belongs to one.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api(e) => Some(e.operation),
            Error::Transport(e) => Some(e.operation),
            Error::Decode(e) => Some(e.operation),
            Error::UnsupportedInV2 { operation } | Error::InvalidRequest { operation, .. } => {
                Some(operation)
            }
            Error::Config(_)
            | Error::HttpClient(_)
            | Error::Dpop(_)
            | Error::BlockingRuntime(_) => None,
        }
    }
}

/// An error status from Authlete, with its `resultCode` and `resultMessage` when the body
/// is Authlete's JSON, and the raw body in any case.
pub struct ApiError {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) result_code: Option<String>,
    pub(crate) result_message: Option<String>,
    pub(crate) body: Bytes,
    pub(crate) metadata: Option<ResponseMetadata>,
}

impl ApiError {
    /// The Authlete operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Authlete's `resultCode`, such as `A001202`, when the body has one.
    pub fn result_code(&self) -> Option<&str> {
        self.result_code.as_deref()
    }

    /// Authlete's `resultMessage`, when the body has one.
    pub fn result_message(&self) -> Option<&str> {
        self.result_message.as_deref()
    }

    /// The body exactly as received (it may not be JSON: a proxy's HTML error page, say).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The status, headers (with Authlete's request id, if any), attempts and elapsed
    /// time of the answer; `None` only for an error not made by a call.
    pub fn metadata(&self) -> Option<&ResponseMetadata> {
        self.metadata.as_ref()
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("result_code", &self.result_code)
            .field("result_message", &self.result_message)
            .field("body_len", &self.body.len())
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Authlete answered `{}` with HTTP {}",
            self.operation, self.status
        )?;
        match (&self.result_code, &self.result_message) {
            (_, Some(message)) => write!(f, ": {message}"),
            (Some(code), None) => write!(f, ": result code {code}"),
            (None, None) if self.body.is_empty() => f.write_str(" and an empty body"),
            (None, None) => write!(
                f,
                " and a body that is not Authlete's JSON: {}",
                snippet(&self.body)
            ),
        }?;
        if self.status == StatusCode::UNAUTHORIZED {
            f.write_str(" (check the API key, secret or access token in the configuration)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// How a request failed to complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made: nothing reached Authlete.
    Connect,
    /// A connect, read or total timeout expired.
    Timeout,
    /// The connection broke while the request or response was in flight.
    Interrupted,
    /// The TLS handshake failed: a certificate was refused (the server's, or the client
    /// certificate for mutual TLS). Retrying cannot help; the configuration must change.
    Tls,
    /// The answer was larger than the limit set with
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes); the
    /// rest of it was not read.
    ResponseTooLarge,
    /// Any other failure of the HTTP client.
    Other,
}

/// A failure to reach Authlete or to complete the exchange.
#[derive(Debug)]
pub struct TransportError {
    pub(crate) operation: &'static str,
    pub(crate) kind: TransportErrorKind,
    /// What the HTTP client reported; `None` when this crate stopped the exchange.
    pub(crate) source: Option<reqwest::Error>,
    /// What this crate saw, when it stopped the exchange itself (a timeout, the size limit).
    pub(crate) detail: Option<String>,
}

impl TransportError {
    pub(crate) fn new(operation: &'static str, source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            TransportErrorKind::Timeout
        } else if is_tls_failure(&source) {
            TransportErrorKind::Tls
        } else if source.is_connect() {
            TransportErrorKind::Connect
        } else if source.is_body() || source.is_request() || source.is_decode() {
            TransportErrorKind::Interrupted
        } else {
            TransportErrorKind::Other
        };
        Self {
            operation,
            kind,
            source: Some(source),
            detail: None,
        }
    }

    /// An exchange this crate stopped itself, for the reason `detail` says.
    pub(crate) fn stopped(
        operation: &'static str,
        kind: TransportErrorKind,
        detail: String,
    ) -> Self {
        Self {
            operation,
            kind,
            source: None,
            detail: Some(detail),
        }
    }

    /// The Authlete operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect to Authlete",
            TransportErrorKind::Timeout => "timed out waiting for Authlete",
            TransportErrorKind::Interrupted => "the connection to Authlete broke",
            TransportErrorKind::Tls => {
                "the TLS handshake with Authlete failed (check the trusted roots and the client certificate)"
            }
            TransportErrorKind::ResponseTooLarge => "the answer of Authlete was too large",
            TransportErrorKind::Other => "the request to Authlete failed",
        };
        // The HTTP client's error is the `source`, for reporters to print once.
        write!(f, "`{}`: {what}", self.operation)?;
        match &self.detail {
            Some(detail) => write!(f, ": {detail}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// A success status whose body does not decode into the expected response type.
///
/// The body is kept ([`DecodeError::body`]) but never shown by `Debug` or `Display`, since a
/// response that failed to decode may still carry tokens.
pub struct DecodeError {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) body: Bytes,
    pub(crate) metadata: Option<ResponseMetadata>,
}

impl DecodeError {
    /// The Authlete operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status (a success status).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Where decoding failed, as a path of JSON field names and indexes such as
    /// `scopes[2].name`; `.` when the body as a whole is wrong (not JSON, truncated).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What serde reported.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body exactly as received. It may contain credentials: do not log it.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The status, headers, attempts and elapsed time of the answer; `None` only for an
    /// error not made by a call.
    pub fn metadata(&self) -> Option<&ResponseMetadata> {
        self.metadata.as_ref()
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("body_len", &self.body.len())
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Authlete's answer to `{}` (HTTP {}, {} bytes) does not decode at `{}`: {}",
            self.operation,
            self.status,
            self.body.len(),
            self.path,
            self.message
        )
    }
}

impl std::error::Error for DecodeError {}

/// Whether a failure was a refused certificate. rustls and OpenSSL report it through
/// `std::io`, so the error chain's messages are what is left to look at.
pub(crate) fn is_tls_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    const MARKERS: &[&str] = &[
        "invalid peer certificate",
        "CertificateRequired",
        "UnknownCA",
        "UnknownIssuer",
        "BadCertificate",
        "CertificateRevoked",
        "CertificateExpired",
        "CertificateUnknown",
        "HandshakeFailure",
        "peer sent no certificates",
        // OpenSSL (the `native-tls` feature on Linux): its alerts and verify results.
        "certificate verify failed",
        "alert unknown ca",
        "alert certificate required",
        "alert bad certificate",
        "alert handshake failure",
        "alert certificate revoked",
        "alert certificate expired",
        "alert certificate unknown",
    ];
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if MARKERS.iter().any(|m| text.contains(m)) {
            return true;
        }
        current = e.source();
    }
    false
}

/// At most 200 characters of a body, on one line, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}
