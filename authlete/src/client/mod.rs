//! The client: one [`Client`] for Authlete API generations 2 and 3.
//!
//! A call, step by step, one module per step:
//!
//! 1. The generated method (`operations.rs`) returns a [`Call`]: the generated
//!    [`authlete_sys::Client`] builds the request (path, query, JSON body) with the
//!    operation's `<operation>_request` builder, which sends nothing. Options of the call
//!    ([`CallOptions`]) are collected until it is awaited. Only decoding depends on the
//!    answer's type ([`call`]): the rest of the pipeline is compiled once for every
//!    operation.
//! 2. [`auth`]: the credentials the operation takes and, in V2, its V2 path; then the
//!    headers of the client's hook and of the call.
//! 3. [`attempts`]: each attempt signs a DPoP proof ([`auth`]), sends, reads the answer
//!    whole under its deadlines and size cap ([`body`]), and asks
//!    [`RetryPolicy::next_wait`] whether to try again.
//! 4. [`decode`]: the typed value, or [`Error::Api`](crate::Error::Api) /
//!    [`Error::Decode`](crate::Error::Decode) (where it failed: [`json_path`]), with the
//!    [`ResponseMetadata`].
//! 5. [`logging`]: the call's span and its closing event.
//!
//! Every piece of state of a call lives in the [`Call`] and is passed down explicitly.
//! [`Client::sys`] is the generated client with a simpler middleware ([`raw`]).

mod attempts;
mod auth;
mod body;
mod call;
mod decode;
pub(crate) mod json_path;
mod logging;
mod metadata;
mod raw;
mod route;

use std::fmt;
use std::sync::Arc;

use ::http::HeaderMap;
use authlete_sys::Inner;

use self::attempts::Transport;
use self::auth::{Auth, Dpop};
use crate::config::{ApiVersion, Config, ConfigError};
use crate::dpop::DpopSigner;
use crate::error::Error;
use crate::http_client::HttpSetup;
use crate::retry::RetryPolicy;

pub use self::call::{Call, CallOptions};
pub use self::metadata::{REQUEST_ID_HEADERS, ResponseMetadata, is_sensitive_header};
pub use self::route::{Credentials, Route};

/// Builds a [`Client`]: see [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    config: Config,
    http: HttpSetup,
    retry: RetryPolicy,
    log_bodies: bool,
    max_response_bytes: usize,
    request_headers: Option<attempts::HeaderHook>,
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
            .field("request_headers", &self.request_headers.is_some())
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

    /// Runs `hook` for every call, to add headers from the caller's context: a
    /// W3C `traceparent` from the current OpenTelemetry span, a tenant id, ...
    ///
    /// The hook runs once per call (retries send the same headers), after the credentials
    /// are set and before the call's own headers ([`Call::header`]), each replacing headers
    /// of the same name. It runs inside the call's `authlete` span, whose parent is the
    /// caller's span, on the task that awaits the call. It is not run for
    /// [`Client::sys`].
    ///
    /// ```
    /// # fn run(config: authlete::Config) -> Result<(), authlete::Error> {
    /// use http::HeaderValue;
    ///
    /// let client = authlete::Client::builder(config)
    ///     .request_headers(|headers| {
    ///         headers.insert("x-tenant", HeaderValue::from_static("blue"));
    ///     })
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    ///
    /// `examples/traceparent.rs` propagates the trace context of `tracing` spans with
    /// `opentelemetry` and `tracing-opentelemetry`.
    pub fn request_headers(
        mut self,
        hook: impl Fn(&mut HeaderMap) + Send + Sync + 'static,
    ) -> Self {
        self.request_headers = Some(Arc::new(hook));
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let config = Arc::new(self.config);
        let dpop = match config.dpop_key() {
            Some(_) if config.api_version() == ApiVersion::V2 => {
                return Err(Error::Config(ConfigError::DpopKeyNeedsV3));
            }
            Some(key) => Some(Arc::new(Dpop::new(DpopSigner::from_jwk(
                key.expose_secret(),
            )?))),
            None => None,
        };
        let auth = Arc::new(Auth::new(&config, dpop.is_some()));
        // Our read and total timeouts apply to every call, whoever built the HTTP client.
        let configured = config.timeouts();
        let timeouts = Some((configured.read, configured.total));
        let http = self.http.client(&config)?;
        let base_url = config.base_url().as_str().trim_end_matches('/').to_string();
        let raw = raw::Raw {
            auth: auth.clone(),
            dpop: dpop.clone(),
            timeout: timeouts.map(|(_, total)| total),
        };
        let sys = authlete_sys::Client::new_with_client(
            &base_url,
            http.clone(),
            Inner::with_middleware(Arc::new(raw)),
        );
        let transport = Arc::new(Transport {
            http,
            auth,
            dpop,
            retry: self.retry,
            log_bodies: self.log_bodies,
            max_response_bytes: self.max_response_bytes,
            timeouts,
            request_headers: self.request_headers,
        });
        let service = config.service_api_key().map(Arc::from);
        Ok(Client {
            sys,
            transport,
            config,
            service,
        })
    }
}

/// A client for the Authlete Web API, for API generation 2 or 3 as configured.
///
/// Cheap to clone (the connection pool is shared). Every method is one Authlete operation,
/// named after the method of Authlete's other SDKs (`authorization`, `token_issue`,
/// `get_service_list`, ...), and returns a [`Call`]: await it for the typed answer, or set
/// options of that call first (headers, a timeout, a retry policy) or ask for the
/// [`ResponseMetadata`] as well.
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
    /// The generated client for [`Client::sys`].
    sys: authlete_sys::Client,
    transport: Arc<Transport>,
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
            request_headers: None,
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
            transport: self.transport.clone(),
            config: self.config.clone(),
            service: Some(Arc::from(service_id.into())),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The generated low-level client, for raw access: each request gets this client's
    /// credentials, V2 paths and DPoP proof, and the configured total timeout (as reqwest's
    /// timeout of the request, when this client built its HTTP client).
    ///
    /// It does less than this client's operations: it sends once (no retries, no answer
    /// to a DPoP nonce challenge), reads the answer without a size cap and without the
    /// read timeout, runs no [`ClientBuilder::request_headers`] hook, opens no tracing span
    /// and keeps no [`ResponseMetadata`].
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
    pub(crate) fn check_supported(&self, route: &'static Route) -> Result<(), Error> {
        if self.config.api_version() == ApiVersion::V2 && route.v2_path.is_none() {
            return Err(Error::UnsupportedInV2 {
                operation: route.operation,
            });
        }
        Ok(())
    }
}
