//! Rust SDK for the [Authlete](https://www.authlete.com/) Web API.
//!
//! Authlete runs the OAuth 2.0 and OpenID Connect logic of your authorization server: your
//! server hands each request it receives to Authlete and relays the answer. The quick start
//! below is the authorization code flow: the authorization request, the user's consent,
//! then the token request.
//!
//! ```no_run
//! use authlete::{Client, Config, types};
//!
//! # async fn run() -> Result<(), authlete::Error> {
//! // AUTHLETE_BASE_URL, AUTHLETE_SERVICE_APIKEY, AUTHLETE_SERVICE_ACCESSTOKEN, ...
//! // or an authlete.ini file; see `Config`.
//! let client = Client::new(Config::load()?)?;
//!
//! // 1. The authorization endpoint received `GET /authorize?response_type=code&...`.
//! let authorization = client
//!     .authorization(&types::AuthorizationRequest {
//!         parameters: "response_type=code&client_id=57297408867&redirect_uri=https://app.example/cb"
//!             .into(),
//!         ..Default::default()
//!     })
//!     .await?;
//! let ticket = authorization.ticket.expect("INTERACTION carries a ticket");
//!
//! // 2. The user logged in and consented: issue the authorization code.
//! let issued = client
//!     .authorization_issue(&types::AuthorizationIssueRequest {
//!         ticket,
//!         subject: "john".into(),
//!         ..Default::default()
//!     })
//!     .await?;
//! // Redirect the browser to this location (it carries the code).
//! let location = issued.response_content.expect("LOCATION carries the redirect");
//! # let _ = location;
//!
//! // 3. The token endpoint received the client's token request.
//! let token = client
//!     .token(&types::TokenRequest {
//!         parameters: "grant_type=authorization_code&code=...&redirect_uri=https://app.example/cb"
//!             .into(),
//!         client_id: Some("57297408867".into()),
//!         client_secret: Some("client-secret".into()),
//!         ..Default::default()
//!     })
//!     .await?;
//! match token.action {
//!     Some(types::TokenResponseAction::Ok) => { /* 200 with token.response_content */ }
//!     _ => { /* relay the error Authlete prepared */ }
//! }
//! # Ok(()) }
//! ```
//!
//! # What is here
//!
//! - [`Config`]: base URL, API generation (V2 or V3), credentials and timeouts, from code,
//!   the environment or an `authlete.ini` file.
//! - [`Client`]: one method for each of the 94 operations of Authlete 3.0.32, generated
//!   from the spec like [`routes`] (where each operation lives) and [`query`] (the optional
//!   query parameters of the listings, set by name), for V2 (HTTP Basic with API key and
//!   secret, `/api/...` paths) and V3 (Bearer token, `/api/{serviceId}/...`).
//! - [`types::Service`], [`types::Client`] and the objects inside them keep the JSON members
//!   this version does not know and send them back unchanged (`unknown_members`), so reading,
//!   changing and writing back a service never erases a setting Authlete added later.
//! - [`Call`]: what every operation returns. Await it for the typed answer, or first set
//!   options of that call ([`Call::header`], [`Call::timeout`], [`Call::retry_policy`],
//!   [`CallOptions`]) or ask for the [`ResponseMetadata`] ([`Call::with_metadata`]).
//!   Each call goes through one pipeline: the generated client builds the request, the
//!   client adds credentials (and the V2 path), the headers of
//!   [`ClientBuilder::request_headers`] and of the call, then sends it with a fresh DPoP
//!   proof per attempt, reads the answer whole (size cap, read and total timeouts),
//!   retries as the [`RetryPolicy`] allows, and decodes it, inside one `tracing` span.
//! - [`Error`]: Authlete's error answers with status, `resultCode`, `resultMessage`, the
//!   raw body and the [`ResponseMetadata`]; transport failures; answers that do not decode,
//!   with the failing field. `Display` is short; causes are in `source()`.
//! - [`types`] and [`sys`]: the generated request and response types and the low-level
//!   client.
//! - [`flows`]: the endpoint handlers of an authorization server (authorization, token,
//!   PAR, introspection, revocation, userinfo, CIBA, device flow, discovery, registration,
//!   credential issuance, ...), framework-neutral: an [`http::Request`] with its body in,
//!   an [`http::Response`] out, every Authlete `action` mapped to the response RFC 6749,
//!   RFC 6750 and RFC 9449 require; and [`flows::resource::TokenValidator`] for resource
//!   servers.
//! - `axum` (feature `axum`): mounts the flows in an axum router and protects routes with
//!   the token validation. `cargo run -p authlete --features axum --example server` runs a
//!   complete authorization server built on it, offline.
//!
//! With the flows, the quick start above is a few lines (here the token endpoint):
//!
//! ```no_run
//! use authlete::flows::FlowSettings;
//! use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) -> authlete::flows::Response {
//! let token = TokenEndpoint::new(client, FlowSettings::default(), DefaultTokenPolicy);
//! // The client's `POST /token`, read into `Bytes`: the complete response to send back.
//! token.handle(&request).await
//! # }
//! ```

//! # Cargo features
//!
//! | feature | default | what it gives |
//! |---|---|---|
//! | `rustls-ring` | yes | TLS through rustls with the `ring` crypto provider |
//! | `aws-lc-rs` | no | TLS through rustls with `aws-lc-rs` (FIPS-capable; builds AWS-LC from C, far slower to compile); wins over `rustls-ring` |
//! | `native-tls` | no | TLS through the platform's library (OpenSSL on Linux, which needs `libssl-dev` and `pkg-config` to build); wins over both rustls features |
//! | `dpop` | yes | DPoP proofs signed with the configured key ([`dpop`]) |
//! | `blocking` | no | [`blocking::Client`](crate::blocking), a synchronous client |
//! | `axum` | no | the axum adapter of the flows |
//!
//! With rustls, the server's certificate is checked against the platform's trust store
//! plus the configured trusted roots, and the crypto provider is set on our client only:
//! no process-wide default is installed. Client certificates and trusted roots work with
//! every backend (with `native-tls` the client key must be PKCS #8,
//! `-----BEGIN PRIVATE KEY-----`). To pick a backend other than the default:
//!
//! ```toml
//! authlete = { version = "0.1", default-features = false, features = ["aws-lc-rs", "dpop"] }
//! ```
//!
//! Without any TLS feature the client speaks plain HTTP only (e.g. to a local sidecar that
//! terminates TLS): an `https` base URL, an `https` proxy, a client certificate or trusted
//! roots then fail [`ClientBuilder::build`] with [`ConfigError::FeatureDisabled`], naming
//! the setting. Without `dpop`, a configured DPoP key fails [`ConfigBuilder::build`] the
//! same way.
//!
//! # The HTTP client
//!
//! Calls go through a `reqwest::Client` made from the [`Config`]: connect timeout,
//! `User-Agent`, proxy ([`ConfigBuilder::proxy`]; see [config](config#proxies) for how it
//! and `HTTPS_PROXY`/`NO_PROXY` interact) and TLS. [`ClientBuilder::configure_http`] adjusts
//! it while keeping those settings; [`ClientBuilder::http_client`] replaces it with yours.
//! For your program's other HTTP calls, [`http_client_builder`] gives a `reqwest`
//! builder with the same TLS backend: under the rustls features, reqwest is built without
//! a crypto provider of its own, so a bare `reqwest::Client::new()` needs a process-wide
//! one (see there).

#![deny(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
pub mod config;
#[cfg(feature = "dpop")]
pub mod dpop;
#[cfg(not(feature = "dpop"))]
#[path = "dpop_disabled.rs"]
pub mod dpop;
mod error;
pub mod flows;
mod http_client;
mod operations;
pub mod pagination;
pub mod query;
mod retry;
pub mod routes;

pub use authlete_sys as sys;
pub use authlete_sys::{Secret, types};
pub use client::{
    Call, CallOptions, Client, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, REQUEST_ID_HEADERS,
    ResponseMetadata, is_sensitive_header,
};
pub use config::{ApiVersion, Cluster, Config, ConfigBuilder, ConfigError, Timeouts};
pub use error::{ApiError, DecodeError, Error, TransportError, TransportErrorKind};
pub use http_client::http_client_builder;
/// The reqwest this crate sends with: name its types through this re-export
/// (`authlete::reqwest::ClientBuilder` in [`ClientBuilder::configure_http`],
/// `authlete::reqwest::Client` in [`ClientBuilder::http_client`]) so that they always match.
pub use reqwest;
pub use retry::RetryPolicy;

/// Internals the fuzz targets and their CI smoke pass exercise directly. Not part of the
/// public API: no stability promise.
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::client::json_path::json_path;
}

/// The result of a call to Authlete.
pub type Result<T, E = Error> = std::result::Result<T, E>;
