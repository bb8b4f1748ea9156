//! The client: one [`Client`] for Authlete API generations 2 and 3.
//!
//! Every call goes through the generated [`authlete_sys::Client`]; this module adds what
//! the generated code leaves open, through [`authlete_sys::Middleware`]: credentials (Bearer
//! in V3; HTTP Basic with the service or service-owner key in V2), the V2 paths, timeouts,
//! and errors that keep the HTTP status and the raw body.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authlete_sys::types::ApiResult;
use authlete_sys::{Inner, Middleware, OperationInfo, ResponseValue, ResultInfo, SendFuture};
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::config::{ApiVersion, Config};
use crate::dpop::{DpopError, DpopSigner};
use crate::error::{ApiError, DecodeError, Error, TransportError, TransportErrorKind};
use crate::http_client::HttpSetup;
use crate::retry::{Outcome, RetryPolicy};
use crate::routes;

type SysError = authlete_sys::Error<ApiResult>;

/// Which credentials an operation takes (the spec's `x-credentials`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// The service's: its access token (V3) or API key and secret (V2).
    Service,
    /// The service owner's: an organization or service-owner access token (V3), or the
    /// service-owner key and secret (V2). Falls back to the service's in V3.
    ServiceOwner,
    /// The service owner's key and secret in V2 when configured, else the service's.
    ServiceOwnerPreferred,
    /// None: the operation is public.
    None,
}

/// One Authlete operation: where it lives in API generations 2 and 3, how it authenticates,
/// and which method calls it. Generated from the spec, one per operation, in
/// [`routes`](crate::routes).
///
/// ```
/// let route = &authlete::routes::AUTH_TOKEN_API;
/// assert_eq!(route.rust_method, "token");
/// assert_eq!(route.v2_path, Some("/api/auth/token"));
/// ```
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The operation id of the spec.
    pub operation: &'static str,
    /// The method of [`Client`] that calls it.
    pub rust_method: &'static str,
    /// Its name in Authlete's Java SDK, when the Java SDK calls it.
    pub java_method: Option<&'static str>,
    /// The HTTP method.
    pub method: &'static str,
    /// The path in API generation 3.
    pub v3_path: &'static str,
    /// The path in API generation 2; `None` when the operation is V3-only.
    pub v2_path: Option<&'static str>,
    /// Which credentials it takes.
    pub credentials: Credentials,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
}

/// Builds a [`Client`]: see [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    config: Config,
    http: HttpSetup,
    retry: RetryPolicy,
    log_bodies: bool,
    max_response_bytes: usize,
}

/// The default of [`ClientBuilder::max_response_bytes`]: 32 MiB, twenty times the largest
/// answer measured (a page of 1,000 clients, 1.6 MB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("log_bodies", &self.log_bodies)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientBuilder {
    /// How failed calls are retried; [`RetryPolicy::disabled`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Send through `http`, your own client (e.g. to share a connection pool), as it is.
    /// Replaces any [`configure_http`](Self::configure_http).
    ///
    /// These settings of the configuration then become `http`'s: the connect timeout, the
    /// `User-Agent`, TLS (backend, client certificate, trusted roots) and the proxy. The
    /// read and total timeouts stay ours: the transport applies them to each call. A
    /// configuration with a client certificate, trusted root certificates or a proxy
    /// cannot be honoured this way, so [`build`](Self::build) then fails with
    /// [`ConfigError::NotAppliedToHttpClient`](crate::ConfigError::NotAppliedToHttpClient):
    /// set them on `http`, or use [`configure_http`](Self::configure_http).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = HttpSetup::Theirs(http);
        self
    }

    /// Adjust the `reqwest::ClientBuilder` that the configuration made (connect timeout,
    /// `User-Agent`, proxy, TLS) before it is built: `adjust` runs after our settings, so
    /// what it sets wins, and what it leaves alone stays ours. Replaces any
    /// [`http_client`](Self::http_client).
    ///
    /// With the rustls features (`rustls-ring`, `aws-lc-rs`), TLS is handed to reqwest as
    /// a finished `rustls::ClientConfig`: reqwest's TLS methods (`identity`,
    /// `tls_certs_merge`, `min_tls_version`, ...) have no effect then; with `native-tls`
    /// they apply.
    ///
    /// ```
    /// # fn run(config: authlete::Config) -> Result<(), authlete::Error> {
    /// use std::time::Duration;
    ///
    /// let client = authlete::Client::builder(config)
    ///     .configure_http(|http| http.pool_idle_timeout(Duration::from_secs(30)).tcp_nodelay(true))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn configure_http(
        mut self,
        adjust: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + 'static,
    ) -> Self {
        self.http = HttpSetup::adjusted(adjust);
        self
    }

    /// Log request and response bodies at `TRACE` level, with every credential field
    /// replaced by `[REDACTED]`. Off by default.
    pub fn log_bodies(mut self, enabled: bool) -> Self {
        self.log_bodies = enabled;
        self
    }

    /// The largest answer read from Authlete, in bytes: a larger one ends the call with
    /// [`TransportErrorKind::ResponseTooLarge`](crate::TransportErrorKind::ResponseTooLarge)
    /// as soon as it passes the limit (at once when its `Content-Length` says so), so that a
    /// broken or hostile server cannot exhaust memory. Default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`] (32 MiB); raise it for very large pages of clients or
    /// tokens.
    ///
    /// ```
    /// # fn run(config: authlete::Config) -> Result<(), authlete::Error> {
    /// let client = authlete::Client::builder(config)
    ///     .max_response_bytes(4 * 1024 * 1024)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let config = Arc::new(self.config);
        let dpop = match config.dpop_key() {
            Some(_) if config.api_version() == ApiVersion::V2 => {
                return Err(Error::InvalidRequest {
                    operation: "client",
                    message: "a DPoP key needs API generation 3 (access tokens); \
                              remove the DPoP key or set api_version V3"
                        .into(),
                });
            }
            Some(key) => Some(DpopSigner::from_jwk(key.expose_secret())?),
            None => None,
        };
        let timeouts = config.timeouts();
        let transport = Transport::new(config.clone(), self.retry, self.log_bodies, dpop)
            .with_max_response_bytes(self.max_response_bytes)
            .with_timeouts(timeouts.read, timeouts.total);
        let http = self.http.client(&config)?;
        let base_url = config.base_url().as_str().trim_end_matches('/').to_string();
        let sys = authlete_sys::Client::new_with_client(
            &base_url,
            http,
            Inner::with_middleware(Arc::new(transport)),
        );
        let service = config.service_api_key().map(Arc::from);
        Ok(Client {
            sys,
            config,
            service,
        })
    }
}

/// A client for the Authlete Web API, for API generation 2 or 3 as configured.
///
/// Cheap to clone (the connection pool is shared). Every method is one Authlete operation,
/// named after the method of Authlete's other SDKs (`authorization`, `token_issue`,
/// `get_service_list`, ...).
///
/// ```no_run
/// # async fn run() -> Result<(), authlete::Error> {
/// use authlete::{Client, Config, types};
///
/// let client = Client::new(Config::from_env()?)?;
/// let response = client
///     .authorization(&types::AuthorizationRequest {
///         parameters: "response_type=code&client_id=57297408867".into(),
///         ..Default::default()
///     })
///     .await?;
/// println!("{:?}", response.action);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) sys: authlete_sys::Client,
    config: Arc<Config>,
    service: Option<Arc<str>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.config.base_url().as_str())
            .field("api_version", &self.config.api_version())
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`, with its own connection pool and the default
    /// [`RetryPolicy`].
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::builder(config).build()
    }

    /// A builder for a client with a custom retry policy, HTTP client or body logging.
    ///
    /// ```
    /// # fn run(config: authlete::Config) -> Result<(), authlete::Error> {
    /// use authlete::{Client, RetryPolicy};
    /// let client = Client::builder(config)
    ///     .retry_policy(RetryPolicy::default().with_max_attempts(5))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            http: HttpSetup::default(),
            retry: RetryPolicy::default(),
            log_bodies: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The same client acting on another service, for operations whose path names one
    /// (`/api/{serviceId}/...`). Use it with an organization token in V3 to serve several
    /// services from one client.
    ///
    /// ```no_run
    /// # async fn run(client: authlete::Client) -> Result<(), authlete::Error> {
    /// let other = client.for_service("715948317");
    /// let list = other
    ///     .get_client_list(&authlete::query::GetClientListQuery::new().start(0).end(10))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn for_service(&self, service_id: impl Into<String>) -> Self {
        Self {
            sys: self.sys.clone(),
            config: self.config.clone(),
            service: Some(Arc::from(service_id.into())),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The generated low-level client, with this client's credentials, paths and timeouts
    /// applied, for raw access.
    pub fn sys(&self) -> &authlete_sys::Client {
        &self.sys
    }

    /// The service the next call acts on.
    pub(crate) fn service_id(&self, route: &'static Route) -> Result<&str, Error> {
        self.service.as_deref().ok_or(Error::InvalidRequest {
            operation: route.operation,
            message: "no service: set the service API key (AUTHLETE_SERVICE_APIKEY or \
                      service.api_key), or call Client::for_service"
                .into(),
        })
    }

    /// Fails without sending anything when the configured API generation lacks `route`.
    fn check_supported(&self, route: &'static Route) -> Result<(), Error> {
        if self.config.api_version() == ApiVersion::V2 && route.v2_path.is_none() {
            return Err(Error::UnsupportedInV2 {
                operation: route.operation,
            });
        }
        Ok(())
    }

    /// Runs a generated call for `route` inside its tracing span and call context. An
    /// exchange the transport stopped (a timeout, the size limit) is an error here, whatever
    /// the generated code made of it.
    async fn run<R>(
        &self,
        route: &'static Route,
        call: impl Future<Output = R>,
    ) -> Result<(R, Call), Error> {
        self.check_supported(route)?;
        let call_span = tracing::info_span!(
            "authlete",
            operation = route.operation,
            http.method = route.method,
            path = match self.config.api_version() {
                ApiVersion::V3 => route.v3_path,
                ApiVersion::V2 => route.v2_path.unwrap_or(route.v3_path),
            },
            api_version = %self.config.api_version(),
            status = tracing::field::Empty,
            result_code = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let context = CallContext::new(route);
        let started = Instant::now();
        let result = CALL
            .scope(context.clone(), call)
            .instrument(call_span.clone())
            .await;
        let call = Call {
            context,
            span: call_span,
            started,
        };
        if let Some((kind, detail)) = call.context.take_stop() {
            // The generated code saw a body that fails to read; say why it failed.
            let error = Error::Transport(Box::new(TransportError::stopped(
                route.operation,
                kind,
                detail,
            )));
            call.finish(None, Some(&error));
            return Err(error);
        }
        Ok((result, call))
    }

    /// Runs a generated call and decodes its JSON answer.
    pub(crate) async fn send<T: DeserializeOwned + ResultInfo>(
        &self,
        route: &'static Route,
        call: impl Future<Output = Result<ResponseValue<T>, SysError>>,
    ) -> Result<T, Error> {
        // Box the generated call, and its answer as soon as it is decoded. Both are large
        // (the generated future ~1.6 KB; `AuthorizationResponse` 4.4 KB, `Service` 2.8 KB) and
        // every layer between the generated code and the caller (this function, `run`, the
        // task-local scope, the span) moved them by value: about a dozen copies of several KB
        // per call, the largest cost this crate added to a call (see benches/ and the
        // `bench` example). Two allocations are cheaper than those copies.
        let call = Box::pin(async move { call.await.map(|value| Box::new(value.into_inner())) });
        let (result, call) = self.run(route, call).await?;
        let result = match result {
            Ok(value) => Ok(*value),
            Err(error) => Err(map_error::<T>(route, &call.context, error).await),
        };
        call.finish(
            result.as_ref().ok().and_then(|value| value.result_code()),
            result.as_ref().err(),
        );
        result
    }

    /// Runs a generated call whose success has no body.
    pub(crate) async fn send_empty(
        &self,
        route: &'static Route,
        call: impl Future<Output = Result<ResponseValue<()>, SysError>>,
    ) -> Result<(), Error> {
        let (result, call) = self.run(route, call).await?;
        let result = match result {
            Ok(_) => Ok(()),
            Err(error) => Err(map_error::<()>(route, &call.context, error).await),
        };
        call.finish(None, result.as_ref().err());
        result
    }

    /// Runs a generated call whose answer may be `204 No Content`, which means the empty
    /// (default) value: the service JWKS call, when the service has no keys.
    pub(crate) async fn send_or_default<T: DeserializeOwned + Default>(
        &self,
        route: &'static Route,
        call: impl Future<Output = Result<ResponseValue<T>, SysError>>,
    ) -> Result<T, Error> {
        let (result, call) = self.run(route, call).await?;
        let result = match result {
            Ok(value) => Ok(value.into_inner()),
            Err(authlete_sys::Error::UnexpectedResponse(response))
                if response.status() == StatusCode::NO_CONTENT =>
            {
                Ok(T::default())
            }
            Err(error) => Err(map_error::<T>(route, &call.context, error).await),
        };
        call.finish(None, result.as_ref().err());
        result
    }

    /// Runs a generated call whose answer is plain text.
    pub(crate) async fn send_text(
        &self,
        route: &'static Route,
        call: impl Future<
            Output = Result<
                ResponseValue<authlete_sys::ByteStream>,
                authlete_sys::Error<authlete_sys::ByteStream>,
            >,
        >,
    ) -> Result<String, Error> {
        let (result, call) = self.run(route, call).await?;
        let error = match result {
            Ok(value) => {
                let response = reqwest::Response::from(http::Response::new(
                    reqwest::Body::wrap_stream(value.into_inner().into_inner()),
                ));
                let result = response.text().await.map_err(|e| {
                    Error::Transport(Box::new(TransportError::new(route.operation, e)))
                });
                call.finish(None, result.as_ref().err());
                return result;
            }
            Err(authlete_sys::Error::ErrorResponse(value)) => {
                let status = value.status();
                SysError::UnexpectedResponse(reqwest::Response::from(
                    http::Response::builder()
                        .status(status)
                        .body(call.context.take_error_body().unwrap_or_default())
                        .expect("a status from a response is valid"),
                ))
            }
            Err(other) => retype(other),
        };
        let error = map_error::<()>(route, &call.context, error).await;
        call.finish(None, Some(&error));
        Err(error)
    }
}

/// A call in progress: its context, span and start time.
struct Call {
    context: CallContext,
    span: tracing::Span,
    started: Instant,
}

impl Call {
    /// Records the outcome on the span and logs one event: `DEBUG` when it succeeded,
    /// `WARN` when it failed. Never a credential: errors do not display bodies that may
    /// carry one.
    fn finish(self, result_code: Option<&str>, error: Option<&Error>) {
        let span = &self.span;
        let (status, attempts) = self.context.summary();
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        let result_code = result_code.or(match error {
            Some(Error::Api(api)) => api.result_code(),
            _ => None,
        });
        if let Some(code) = result_code {
            span.record("result_code", code);
        }
        span.record("attempts", attempts);
        span.record("duration_ms", self.started.elapsed().as_secs_f64() * 1000.0);
        let _entered = span.enter();
        match error {
            None => tracing::debug!("authlete call succeeded"),
            Some(error) => tracing::warn!(error = %error, "authlete call failed"),
        }
    }
}

/// Moves a generated error with a text body type into the JSON-typed one; only the
/// `ErrorResponse` variant carries the body type, and callers handle it first.
fn retype(error: authlete_sys::Error<authlete_sys::ByteStream>) -> SysError {
    use authlete_sys::Error as E;
    match error {
        E::InvalidRequest(m) => E::InvalidRequest(m),
        E::CommunicationError(e) => E::CommunicationError(e),
        E::InvalidUpgrade(e) => E::InvalidUpgrade(e),
        E::ResponseBodyError(e) => E::ResponseBodyError(e),
        E::InvalidResponsePayload(b, e) => E::InvalidResponsePayload(b, e),
        E::UnexpectedResponse(r) => E::UnexpectedResponse(r),
        E::Custom(m) => E::Custom(m),
        E::ErrorResponse(_) => E::Custom("unexpected error response".into()),
    }
}

tokio::task_local! {
    /// The call in progress on this task, shared between [`Client::send`] and the
    /// middleware that runs inside the generated method.
    static CALL: CallContext;
}

/// What the middleware learns about a call that the generated error loses.
#[derive(Clone)]
struct CallContext {
    route: &'static Route,
    observed: Arc<std::sync::Mutex<Observed>>,
}

#[derive(Default)]
struct Observed {
    status: Option<StatusCode>,
    error_body: Option<Bytes>,
    attempts: u32,
    /// Why the transport stopped the exchange itself, if it did.
    stop: Option<(TransportErrorKind, String)>,
}

impl CallContext {
    fn new(route: &'static Route) -> Self {
        Self {
            route,
            observed: Arc::default(),
        }
    }

    fn status(&self) -> Option<StatusCode> {
        self.observed.lock().map(|o| o.status).unwrap_or(None)
    }

    fn take_error_body(&self) -> Option<Bytes> {
        self.observed
            .lock()
            .ok()
            .and_then(|mut o| o.error_body.take())
    }

    fn summary(&self) -> (Option<StatusCode>, u32) {
        self.observed
            .lock()
            .map(|o| (o.status, o.attempts))
            .unwrap_or_default()
    }

    fn take_stop(&self) -> Option<(TransportErrorKind, String)> {
        self.observed.lock().ok().and_then(|mut o| o.stop.take())
    }

    fn set_stop(&self, kind: TransportErrorKind, detail: String) {
        if let Ok(mut observed) = self.observed.lock() {
            observed.stop = Some((kind, detail));
        }
    }

    fn set_attempts(&self, attempts: u32) {
        if let Ok(mut observed) = self.observed.lock() {
            observed.attempts = attempts;
        }
    }

    fn record(&self, status: StatusCode, error_body: Option<Bytes>) {
        if let Ok(mut observed) = self.observed.lock() {
            observed.status = Some(status);
            observed.error_body = error_body;
        }
    }
}

/// Turns the generated client's error into ours, with the status and body it observed.
async fn map_error<T: DeserializeOwned>(
    route: &'static Route,
    context: &CallContext,
    error: SysError,
) -> Error {
    use authlete_sys::Error as E;
    let operation = route.operation;
    let transport = |e| Error::Transport(Box::new(TransportError::new(operation, e)));
    match error {
        E::InvalidRequest(message) | E::Custom(message) => {
            Error::InvalidRequest { operation, message }
        }
        E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => transport(e),
        E::ErrorResponse(value) => {
            let body = context.take_error_body().unwrap_or_default();
            api_error(operation, value.status(), body)
        }
        E::InvalidResponsePayload(body, json_error) => match context.status() {
            Some(status) if !status.is_success() => api_error(operation, status, body),
            status => decode_error::<T>(
                operation,
                status.unwrap_or(StatusCode::OK),
                body,
                json_error,
            ),
        },
        E::UnexpectedResponse(response) => {
            let status = response.status();
            match response.bytes().await {
                Ok(body) => api_error(operation, status, body),
                Err(e) => transport(e),
            }
        }
    }
}

fn api_error(operation: &'static str, status: StatusCode, body: Bytes) -> Error {
    let result: Option<ApiResult> = serde_json::from_slice(&body).ok();
    let (result_code, result_message) = result
        .map(|r| (r.result_code, r.result_message))
        .unwrap_or_default();
    Error::Api(Box::new(ApiError {
        operation,
        status,
        result_code,
        result_message,
        body,
    }))
}

fn decode_error<T: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
    json_error: serde_json::Error,
) -> Error {
    // Decode again, only on this failure path, to learn which field failed.
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => (e.path().to_string(), e.inner().to_string()),
        Ok(_) => (".".to_string(), json_error.to_string()),
    };
    Error::Decode(Box::new(DecodeError {
        operation,
        status,
        path,
        message,
        body,
    }))
}

/// The middleware behind every call: credentials, V2 paths and error bodies.
struct Transport {
    version: ApiVersion,
    /// The path of the base URL (`/authlete` in `https://host/authlete`), without the
    /// trailing slash.
    base_path: String,
    service: Option<HeaderValue>,
    service_owner: Option<HeaderValue>,
    retry: RetryPolicy,
    log_bodies: bool,
    /// Signs a DPoP proof for every attempt when the access tokens are DPoP-bound.
    dpop: Option<DpopSigner>,
    /// The latest `DPoP-Nonce` Authlete sent, for the next proofs.
    dpop_nonce: std::sync::Mutex<Option<String>>,
    /// The largest answer read; see [`ClientBuilder::max_response_bytes`].
    max_response_bytes: usize,
    /// The read and total timeouts, enforced here rather than by reqwest: one timer per
    /// wait instead of reqwest's boxed timers on every request and body. `None` when the
    /// application brought its own HTTP client (and its timeouts).
    timeouts: Option<(Duration, Duration)>,
}

impl Transport {
    fn new(
        config: Arc<Config>,
        retry: RetryPolicy,
        log_bodies: bool,
        dpop: Option<DpopSigner>,
    ) -> Self {
        let scheme = if dpop.is_some() { "DPoP" } else { "Bearer" };
        let version = config.api_version();
        let (service, service_owner) = match version {
            ApiVersion::V3 => (
                config
                    .service_access_token()
                    .map(|t| token_header(scheme, t.expose_secret())),
                config
                    .service_owner_access_token()
                    .map(|t| token_header(scheme, t.expose_secret())),
            ),
            ApiVersion::V2 => (
                config
                    .service_api_key()
                    .zip(config.service_api_secret())
                    .map(|(k, s)| basic(k, s.expose_secret())),
                config
                    .service_owner_api_key()
                    .zip(config.service_owner_api_secret())
                    .map(|(k, s)| basic(k, s.expose_secret())),
            ),
        };
        Self {
            version,
            base_path: config.base_url().path().trim_end_matches('/').to_string(),
            service: service.flatten(),
            service_owner: service_owner.flatten(),
            retry,
            log_bodies,
            dpop,
            dpop_nonce: std::sync::Mutex::new(None),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            timeouts: None,
        }
    }

    fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    fn with_timeouts(mut self, read: Duration, total: Duration) -> Self {
        self.timeouts = Some((read, total));
        self
    }

    fn authorization(&self, credentials: Credentials) -> Option<&HeaderValue> {
        match (credentials, self.version) {
            (Credentials::None, _) => None,
            (Credentials::Service, _) => self.service.as_ref().or(self.service_owner.as_ref()),
            (Credentials::ServiceOwner, ApiVersion::V2) => self.service_owner.as_ref(),
            (Credentials::ServiceOwnerPreferred, ApiVersion::V3) => {
                self.service.as_ref().or(self.service_owner.as_ref())
            }
            (Credentials::ServiceOwner, ApiVersion::V3)
            | (Credentials::ServiceOwnerPreferred, ApiVersion::V2) => {
                self.service_owner.as_ref().or(self.service.as_ref())
            }
        }
    }

    /// Adds a fresh DPoP proof for this attempt, bound to the access token the request
    /// carries and to the latest nonce.
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), DpopError> {
        let Some(signer) = &self.dpop else {
            return Ok(());
        };
        let token = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("DPoP "))
            .map(str::to_owned);
        let nonce = self.dpop_nonce.lock().ok().and_then(|n| n.clone());
        let proof = signer.proof(
            request.method().as_str(),
            request.url().as_str(),
            token.as_deref(),
            nonce.as_deref(),
        )?;
        if let Ok(value) = HeaderValue::from_str(&proof) {
            request.headers_mut().insert("dpop", value);
        }
        Ok(())
    }

    /// Keeps the `DPoP-Nonce` of an answer for the next proofs; true when the answer is a
    /// `use_dpop_nonce` challenge.
    fn note_dpop_nonce(&self, answer: &Answer) -> bool {
        if self.dpop.is_none() {
            return false;
        }
        let Some(nonce) = answer
            .headers
            .get("dpop-nonce")
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        if let Ok(mut current) = self.dpop_nonce.lock() {
            *current = Some(nonce.to_owned());
        }
        let challenged = answer
            .headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("use_dpop_nonce"));
        challenged || answer.status == StatusCode::UNAUTHORIZED
    }

    /// Rewrites a V3 path (after the base path) to its V2 form.
    fn v2_path(&self, route: &Route, path: &str) -> Result<String, String> {
        let v2 = route
            .v2_path
            .ok_or_else(|| format!("`{}` is not available in API generation 2", route.operation))?;
        let relative = path.strip_prefix(&self.base_path).unwrap_or(path);
        let template: Vec<&str> = route.v3_path.split('/').collect();
        let actual: Vec<&str> = relative.split('/').collect();
        if template.len() != actual.len() {
            return Err(format!(
                "unexpected path {relative} for `{}`",
                route.operation
            ));
        }
        let value_of = |name: &str| -> Option<&str> {
            template
                .iter()
                .zip(&actual)
                .find(|(t, _)| {
                    t.trim_start_matches('{').trim_end_matches('}') == name && t.starts_with('{')
                })
                .map(|(_, a)| *a)
        };
        let mut out = self.base_path.clone();
        for segment in v2.split('/').skip(1) {
            out.push('/');
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                // V2 names the service by its API key where V3 has the service ID.
                let name = if name == "serviceApiKey" {
                    "serviceId"
                } else {
                    name
                };
                out.push_str(
                    value_of(name).ok_or_else(|| {
                        format!("no `{name}` in the path of `{}`", route.operation)
                    })?,
                );
            } else {
                out.push_str(segment);
            }
        }
        Ok(out)
    }
}

fn token_header(scheme: &str, token: &str) -> Option<HeaderValue> {
    sensitive(format!("{scheme} {token}"))
}

fn basic(key: &str, secret: &str) -> Option<HeaderValue> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    sensitive(format!("Basic {encoded}"))
}

fn sensitive(value: String) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&value).ok()?;
    value.set_sensitive(true);
    Some(value)
}

impl Middleware for Transport {
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationInfo,
    ) -> Result<(), String> {
        let route = CALL
            .try_with(|call| call.route)
            .ok()
            .or_else(|| routes::find(operation.operation_id))
            .ok_or_else(|| format!("unknown operation `{}`", operation.operation_id))?;
        debug_assert_eq!(request.method().as_str(), route.method);
        let headers = request.headers_mut();
        match self.authorization(route.credentials) {
            Some(value) => {
                headers.insert(http::header::AUTHORIZATION, value.clone());
            }
            None if route.credentials != Credentials::None => {
                return Err(format!(
                    "no credentials for `{}` in the configuration",
                    route.operation
                ));
            }
            None => {}
        }
        if self.version == ApiVersion::V2 {
            let path = self.v2_path(route, request.url().path())?;
            request.url_mut().set_path(&path);
        }
        self.sign(request).map_err(|e| e.to_string())
    }

    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'a OperationInfo,
    ) -> SendFuture<'a> {
        Box::pin(async move {
            let context = CALL.try_with(Clone::clone).ok();
            if self.log_bodies {
                log_body("request", request.body().and_then(reqwest::Body::as_bytes));
            }
            // Only reads are safe to repeat after they may have reached Authlete.
            let idempotent = request.method() == http::Method::GET;
            let started = Instant::now();
            let mut request = request;
            let mut attempt = 1;
            let mut nonce_retried = false;
            let result = loop {
                // A DPoP nonce challenge is answered by sending again, so keep a copy then.
                let spare = if attempt < self.retry.max_attempts() || self.dpop.is_some() {
                    request.try_clone()
                } else {
                    None
                };
                if (attempt > 1 || nonce_retried)
                    && let Err(error) = self.sign(&mut request)
                {
                    // The first proof of this call was signed in `prepare`; a failure now
                    // leaves the previous proof, which Authlete will refuse visibly.
                    tracing::warn!(%error, "could not sign a fresh DPoP proof");
                }
                // The whole answer is read here, not by the generated code: so that its size
                // is capped, and a read that breaks is retried like a broken connection.
                let deadlines = self.timeouts.map(Deadlines::start);
                let result = match within(deadlines.as_ref(), client.execute(request)).await {
                    Ok(Ok(response)) => {
                        Answer::read(response, self.max_response_bytes, deadlines.as_ref()).await
                    }
                    Ok(Err(error)) => Err(Failure::Http(error)),
                    Err(timed_out) => Err(timed_out),
                };
                if let Ok(answer) = &result
                    && self.note_dpop_nonce(answer)
                    && !nonce_retried
                    && let Some(spare) = spare
                {
                    // Authlete asked for a proof with its nonce: one more try, which does not
                    // count against the retry policy since nothing was processed.
                    tracing::debug!("answering the DPoP nonce challenge");
                    nonce_retried = true;
                    request = spare;
                    continue;
                }
                let spare = if attempt < self.retry.max_attempts() {
                    spare
                } else {
                    None
                };
                let outcome = match &result {
                    Ok(answer) => Outcome::of_answer(answer.status, &answer.headers),
                    Err(Failure::Http(error)) => Outcome::of_failure(error),
                    Err(Failure::Stopped(Stop::TooLarge)) => Outcome::Other,
                    Err(Failure::Stopped(Stop::TimedOut { .. })) => Outcome::Broken,
                };
                let wait = spare.as_ref().and_then(|_| {
                    self.retry
                        .next_wait(idempotent, attempt, started.elapsed(), outcome)
                });
                match (spare, wait) {
                    (Some(spare), Some(wait)) => {
                        tracing::debug!(
                            attempt,
                            wait_ms = wait.as_millis() as u64,
                            ?outcome,
                            "retrying the call to Authlete"
                        );
                        drop(result);
                        tokio::time::sleep(wait).await;
                        request = spare;
                        attempt += 1;
                    }
                    _ => break result,
                }
            };
            if let Some(context) = &context {
                context.set_attempts(attempt);
            }
            let answer = match result {
                Ok(answer) => answer,
                Err(Failure::Http(error)) => return Err(error),
                Err(Failure::Stopped(stop)) => {
                    let (kind, detail) = stop.describe(self.max_response_bytes);
                    let unreadable = Answer::unreadable(kind, &detail);
                    if let Some(context) = &context {
                        context.set_stop(kind, detail);
                    }
                    return Ok(unreadable);
                }
            };
            if self.log_bodies {
                log_body("response", Some(&answer.body));
            }
            if let Some(context) = &context {
                // Keep the body of an error answer: the generated code drops it when it is
                // not Authlete's JSON.
                let error_body = (!answer.status.is_success()).then(|| answer.body.clone());
                context.record(answer.status, error_body);
            }
            Ok(answer.into_response())
        })
    }
}

/// A body stream whose first read fails.
struct FailingBody(Option<std::io::Error>);

impl futures_core::Stream for FailingBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.get_mut().0.take().map(Err))
    }
}

/// An answer of Authlete, read whole.
struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
    url: reqwest::Url,
}

/// Why an attempt has no answer.
enum Failure {
    /// The HTTP client failed: connecting, sending, or reading the answer.
    Http(reqwest::Error),
    /// The transport stopped the exchange itself.
    Stopped(Stop),
}

/// Why the transport stopped an exchange.
enum Stop {
    /// The answer was larger than the limit.
    TooLarge,
    /// Nothing came within the read timeout, or the total timeout passed.
    TimedOut { total: bool, after: Duration },
}

impl Stop {
    /// How the stop is reported.
    fn describe(&self, limit: usize) -> (TransportErrorKind, String) {
        match self {
            Stop::TimedOut {
                total: false,
                after,
            } => (
                TransportErrorKind::Timeout,
                format!("nothing came within the read timeout ({after:?})"),
            ),
            Stop::TimedOut { total: true, after } => (
                TransportErrorKind::Timeout,
                format!("the answer was not complete within the total timeout ({after:?})"),
            ),
            Stop::TooLarge => (
                TransportErrorKind::ResponseTooLarge,
                format!("more than {limit} bytes (see ClientBuilder::max_response_bytes)"),
            ),
        }
    }
}

/// The deadlines of one attempt: the next byte within `read`, all of it within `total`.
struct Deadlines {
    read: Duration,
    total: Duration,
    end: tokio::time::Instant,
}

impl Deadlines {
    fn start((read, total): (Duration, Duration)) -> Self {
        Self {
            read,
            total,
            end: tokio::time::Instant::now() + total,
        }
    }
}

/// Runs a step of an attempt under its deadlines, when there are any.
async fn within<F: Future>(deadlines: Option<&Deadlines>, step: F) -> Result<F::Output, Failure> {
    let Some(deadlines) = deadlines else {
        return Ok(step.await);
    };
    let next_read = tokio::time::Instant::now() + deadlines.read;
    let (at, total, after) = if next_read < deadlines.end {
        (next_read, false, deadlines.read)
    } else {
        (deadlines.end, true, deadlines.total)
    };
    // `timeout_at` polls the step first: a step that is ready (a body already buffered)
    // never arms the timer.
    tokio::time::timeout_at(at, step)
        .await
        .map_err(|_| Failure::Stopped(Stop::TimedOut { total, after }))
}

impl Answer {
    /// Reads `response` whole, failing as soon as it is known to pass `limit` bytes, or
    /// when a deadline passes.
    async fn read(
        mut response: reqwest::Response,
        limit: usize,
        deadlines: Option<&Deadlines>,
    ) -> Result<Self, Failure> {
        let declared = response.content_length();
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(Failure::Stopped(Stop::TooLarge));
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let url = response.url().clone();
        let too_large = |length: usize| length > limit;
        // Most answers arrive in one chunk: keep it as it is, without copying.
        let first = match within(deadlines, response.chunk())
            .await?
            .map_err(Failure::Http)?
        {
            Some(chunk) => chunk,
            None => Bytes::new(),
        };
        if too_large(first.len()) {
            return Err(Failure::Stopped(Stop::TooLarge));
        }
        let body = match within(deadlines, response.chunk())
            .await?
            .map_err(Failure::Http)?
        {
            None => first,
            Some(second) => {
                // Keep the chunks (views of the HTTP client's read buffers) and join them
                // once at the end, so that the joined buffer lives only briefly: allocated
                // up front instead, 64 pages of 1,000 clients in flight peaked at 210-270 MiB
                // against 145-170 MiB this way (bench example, C=64).
                let mut length = first.len() + second.len();
                let mut chunks = vec![first, second];
                while let Some(chunk) = within(deadlines, response.chunk())
                    .await?
                    .map_err(Failure::Http)?
                {
                    length += chunk.len();
                    if too_large(length) {
                        return Err(Failure::Stopped(Stop::TooLarge));
                    }
                    chunks.push(chunk);
                }
                if too_large(length) {
                    return Err(Failure::Stopped(Stop::TooLarge));
                }
                let mut whole = bytes::BytesMut::with_capacity(length);
                for chunk in chunks {
                    whole.extend_from_slice(&chunk);
                }
                whole.freeze()
            }
        };
        Ok(Self {
            status,
            headers,
            body,
            url,
        })
    }

    /// What the generated code gets for an exchange the transport stopped: a gateway error
    /// status (504 for a timeout, 502 for an answer too large, as a proxy would say), so
    /// that no operation takes it for success, and a body that fails to read, saying why.
    /// [`Client`] reports the stop itself; a user of [`Client::sys`] gets that body error.
    fn unreadable(kind: TransportErrorKind, why: &str) -> reqwest::Response {
        let failure = std::io::Error::other(why.to_owned());
        let body = reqwest::Body::wrap_stream(FailingBody(Some(failure)));
        let mut response = http::Response::new(body);
        *response.status_mut() = match kind {
            TransportErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::BAD_GATEWAY,
        };
        reqwest::Response::from(response)
    }

    fn into_response(self) -> reqwest::Response {
        use reqwest::ResponseBuilderExt as _;
        // Handing reqwest the URL spares it parsing a placeholder URL for every answer
        // (about 2% of the instructions of a token call).
        let body = reqwest::Body::from(self.body.clone());
        let mut response = match http::Response::builder().url(self.url).body(body) {
            Ok(response) => response,
            // Only an extension was set: this cannot fail, but never panic over it.
            Err(_) => http::Response::new(reqwest::Body::from(self.body)),
        };
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        reqwest::Response::from(response)
    }
}

/// Logs a body at `TRACE` with every credential field replaced by `[REDACTED]`.
fn log_body(which: &'static str, body: Option<&[u8]>) {
    if !tracing::enabled!(tracing::Level::TRACE) {
        return;
    }
    match body.map(serde_json::from_slice::<serde_json::Value>) {
        Some(Ok(mut json)) => {
            redact(&mut json);
            tracing::trace!(body = %json, "{which} body");
        }
        Some(Err(_)) => {
            tracing::trace!(
                bytes = body.map_or(0, <[u8]>::len),
                "{which} body (not JSON, not shown)"
            )
        }
        None => tracing::trace!("{which} has no body"),
    }
}

/// Replaces the value of every credential field, at any depth, by `[REDACTED]`.
pub(crate) fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if authlete_sys::types::SECRET_FIELD_NAMES.contains(&key.as_str()) {
                    *value = serde_json::Value::String("[REDACTED]".into());
                } else {
                    redact(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}
