//! One call: the request the generated client builds, the options of this call, and the
//! pipeline that sends it ([`Call`], [`CallOptions`]).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant};

use authlete_sys::ResultInfo;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use super::Client;
use super::body::Answer;
use super::decode::{self, Decoder};
use super::logging::{self, Ending};
use super::metadata::{RedactedHeaders, ResponseMetadata};
use super::route::Route;
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::retry::RetryPolicy;

/// Options of one call, to reuse across calls with [`Call::options`].
///
/// ```
/// use std::time::Duration;
/// use authlete::{CallOptions, RetryPolicy};
///
/// let urgent = CallOptions::new()
///     .header("request-id", "req-7f3a")
///     .timeout(Duration::from_secs(2))
///     .retry_policy(RetryPolicy::disabled());
/// # let _ = urgent;
/// ```
///
/// `Debug` hides the values of headers that may carry credentials (see
/// [`is_sensitive_header`](crate::is_sensitive_header)).
#[derive(Clone, Default)]
pub struct CallOptions {
    headers: HeaderMap,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    /// Why a header given to [`CallOptions::header`] is invalid; the call then fails
    /// before sending anything.
    invalid_header: Option<String>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("headers", &RedactedHeaders(&self.headers))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("invalid_header", &self.invalid_header)
            .finish()
    }
}

impl CallOptions {
    /// No options: the client's settings apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a request header, replacing a header of the same name that the client sets
    /// (including `Authorization`; the DPoP proof is always the client's). A name or
    /// value that is not valid HTTP makes the call fail with [`Error::InvalidRequest`]
    /// before anything is sent.
    #[must_use]
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        match (name.try_into(), value.try_into()) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            (Err(_), _) => self.invalid_header = Some("invalid header name".into()),
            (Ok(name), Err(_)) => {
                self.invalid_header = Some(format!("invalid value for header `{name}`"));
            }
        }
        self
    }

    /// Adds request headers, as [`header`](Self::header) does for each.
    #[must_use]
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in &headers {
            self.headers.append(name, value.clone());
        }
        self
    }

    /// A deadline for the whole call: every attempt, the waits between retries and the
    /// reading of the answer. When it passes, the call ends with
    /// [`TransportErrorKind::Timeout`]. The configured connect, read and total timeouts
    /// of each attempt still apply within it.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How this call is retried, instead of the client's
    /// [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// `other`'s settings on top of these: its headers added, its timeout and retry
    /// policy where it sets them.
    fn merge(mut self, other: CallOptions) -> Self {
        self = self.headers(other.headers);
        self.timeout = other.timeout.or(self.timeout);
        self.retry = other.retry.or(self.retry);
        self.invalid_header = other.invalid_header.or(self.invalid_header);
        self
    }
}

/// A call to Authlete, returned by every operation of [`Client`]: `.await` it for the
/// typed answer, or set options first.
///
/// ```no_run
/// # async fn run(client: authlete::Client, request: authlete::types::TokenRequest) -> Result<(), authlete::Error> {
/// use std::time::Duration;
///
/// // As before: the typed answer.
/// let token = client.token(&request).await?;
///
/// // With a header of this call, a deadline, and the answer's metadata.
/// let (token, metadata) = client
///     .token(&request)
///     .header("request-id", "req-7f3a")
///     .timeout(Duration::from_secs(3))
///     .with_metadata()
///     .await?;
/// println!("{:?} in {:?}", metadata.request_id(), metadata.elapsed());
/// # let _ = token; Ok(()) }
/// ```
///
/// Nothing is sent until it is awaited. The request itself (path, query, body) is built
/// when the operation's method is called, so the call borrows only the client.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T> {
    exchange: Exchange<'a>,
    decode: Decoder<T>,
    result_code: fn(&T) -> Option<&str>,
}

/// What a call sends and how, whatever its answer's type: the part of the pipeline compiled
/// once rather than once per operation.
struct Exchange<'a> {
    client: &'a Client,
    route: &'static Route,
    /// The request the generated builder built, or why there is none.
    request: Result<reqwest::Request, Error>,
    options: CallOptions,
}

/// How the exchange ended, before the answer is decoded.
struct Exchanged {
    span: tracing::Span,
    answer: Result<Answer, Error>,
    attempts: u32,
    elapsed: Duration,
}

impl<T> fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.exchange.route.operation)
            .field("options", &self.exchange.options)
            .finish_non_exhaustive()
    }
}

impl<'a, T: Send + 'static> Call<'a, T> {
    /// Adds a request header: see [`CallOptions::header`].
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        self.exchange.options = std::mem::take(&mut self.exchange.options).header(name, value);
        self
    }

    /// Adds request headers: see [`CallOptions::headers`].
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.exchange.options = std::mem::take(&mut self.exchange.options).headers(headers);
        self
    }

    /// A deadline for the whole call, retries included: see [`CallOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.exchange.options.timeout = Some(timeout);
        self
    }

    /// How this call is retried: see [`CallOptions::retry_policy`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.exchange.options.retry = Some(policy);
        self
    }

    /// Applies a bundle of options: its headers are added, and its timeout and retry
    /// policy, where it sets them, replace those set before.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.exchange.options = std::mem::take(&mut self.exchange.options).merge(options);
        self
    }

    /// The typed answer together with its [`ResponseMetadata`].
    pub fn with_metadata(
        self,
    ) -> impl Future<Output = Result<(T, ResponseMetadata), Error>> + Send + 'a {
        let run = Box::pin(self.run());
        async move { run.await.map(|(value, metadata)| (*value, metadata)) }
    }

    /// Sends, then decodes: the only step that depends on `T` is the last, so this
    /// function's own code is small for every answer type.
    async fn run(self) -> Result<(Box<T>, ResponseMetadata), Error> {
        let Call {
            exchange,
            decode,
            result_code,
        } = self;
        let operation = exchange.route.operation;
        exchange.run().await.finish(operation, decode, result_code)
    }
}

impl<'a, T: Send + 'static> IntoFuture for Call<'a, T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        // One box for the whole call: the pipeline's state and the decoded answer (several
        // KB for the largest types) stay in place instead of moving through every layer.
        Box::pin(async move { self.run().await.map(|(value, _)| *value) })
    }
}

impl Exchange<'_> {
    /// Sends the request, inside the call's span, within the call's timeout.
    async fn run(self) -> Exchanged {
        let Exchange {
            client,
            route,
            request,
            options,
        } = self;
        let span = logging::span(route, client.config.api_version());
        let started = Instant::now();
        let mut attempts = 0;
        let answer = async {
            let mut request = request?;
            if let Some(message) = options.invalid_header {
                return Err(Error::InvalidRequest {
                    operation: route.operation,
                    message,
                });
            }
            let transport = &*client.transport;
            // Inside the span, so that the header hook sees the call's span as current.
            transport.prepare(route, &mut request, options.headers)?;
            let policy = options.retry.as_ref().unwrap_or(&transport.retry);
            let sent = transport.send(route, request, policy, &mut attempts);
            match options.timeout {
                None => sent.await,
                Some(timeout) => tokio::time::timeout(timeout, sent)
                    .await
                    .unwrap_or_else(|_| Err(call_timed_out(route, timeout))),
            }
        }
        .instrument(span.clone())
        .await;
        Exchanged {
            span,
            answer,
            attempts,
            elapsed: started.elapsed(),
        }
    }
}

impl Exchanged {
    /// Decodes the answer, then records the outcome on the span and logs it.
    fn finish<T>(
        self,
        operation: &'static str,
        decode: Decoder<T>,
        result_code: fn(&T) -> Option<&str>,
    ) -> Result<(Box<T>, ResponseMetadata), Error> {
        let Exchanged {
            span,
            answer,
            attempts,
            elapsed,
        } = self;
        let result = answer.and_then(|answer| {
            let metadata = ResponseMetadata::new(answer.status, answer.headers, attempts, elapsed);
            match decode(operation, answer.status, answer.body) {
                Ok(value) => Ok((value, metadata)),
                Err(error) => Err(error.with_metadata(metadata)),
            }
        });
        let ending = match &result {
            Ok((value, metadata)) => Ending {
                metadata: Some(metadata),
                result_code: result_code(value),
                error: None,
                attempts,
                elapsed,
            },
            Err(error) => Ending {
                metadata: None,
                result_code: None,
                error: Some(error),
                attempts,
                elapsed,
            },
        };
        logging::finish(&span, ending);
        result
    }
}

fn call_timed_out(route: &Route, timeout: Duration) -> Error {
    Error::Transport(Box::new(TransportError::stopped(
        route.operation,
        TransportErrorKind::Timeout,
        format!("the call did not complete within its timeout ({timeout:?})"),
    )))
}

/// What the generated operations give [`Client::json`] and the others: a function that
/// builds the request with the generated client, or says why it cannot.
type Build<E> = Result<Result<reqwest::Request, authlete_sys::Error<E>>, Error>;

/// The constructors the generated operations use: each builds the request with the
/// generated client and picks how the answer decodes.
impl Client {
    /// A call whose answer is JSON.
    pub(crate) fn json<T, E>(
        &self,
        route: &'static Route,
        build: impl FnOnce(&authlete_sys::Client) -> Build<E>,
    ) -> Call<'_, T>
    where
        T: DeserializeOwned + ResultInfo + Send + 'static,
    {
        self.call(route, build, decode::json::<T>, |value| value.result_code())
    }

    /// A call whose answer is JSON, or `204 No Content` for the type's default.
    pub(crate) fn json_or_default<T, E>(
        &self,
        route: &'static Route,
        build: impl FnOnce(&authlete_sys::Client) -> Build<E>,
    ) -> Call<'_, T>
    where
        T: DeserializeOwned + Default + Send + 'static,
    {
        self.call(route, build, decode::json_or_default::<T>, |_| None)
    }

    /// A call whose success has no body.
    pub(crate) fn empty<E>(
        &self,
        route: &'static Route,
        build: impl FnOnce(&authlete_sys::Client) -> Build<E>,
    ) -> Call<'_, ()> {
        self.call(route, build, decode::empty, |_| None)
    }

    /// A call whose answer is plain text.
    pub(crate) fn text<E>(
        &self,
        route: &'static Route,
        build: impl FnOnce(&authlete_sys::Client) -> Build<E>,
    ) -> Call<'_, String> {
        self.call(route, build, decode::text, |_| None)
    }

    fn call<T, E>(
        &self,
        route: &'static Route,
        build: impl FnOnce(&authlete_sys::Client) -> Build<E>,
        decode: Decoder<T>,
        result_code: fn(&T) -> Option<&str>,
    ) -> Call<'_, T> {
        let request = self.check_supported(route).and_then(|()| {
            build(&self.sys)?.map_err(|error| Error::InvalidRequest {
                operation: route.operation,
                message: build_failure(error),
            })
        });
        Call {
            exchange: Exchange {
                client: self,
                route,
                request,
                options: CallOptions::default(),
            },
            decode,
            result_code,
        }
    }
}

/// Why the generated client could not build a request.
fn build_failure<E>(error: authlete_sys::Error<E>) -> String {
    use authlete_sys::Error as E;
    match error {
        E::InvalidRequest(message) | E::Custom(message) => message,
        E::CommunicationError(error) | E::InvalidUpgrade(error) | E::ResponseBodyError(error) => {
            error.to_string()
        }
        _ => "the generated client did not build the request".into(),
    }
}
