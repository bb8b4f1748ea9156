//! Endpoint handlers: turn the HTTP requests an authorization server receives into calls
//! to Authlete, and Authlete's answers into HTTP responses ready to send.
//!
//! The flows work with any web framework: a handler takes an [`http::Request`] whose body
//! has been read into [`Bytes`], and returns an [`http::Response<Bytes>`]. Adapters for
//! particular frameworks (such as the `axum` feature) only convert types.
//!
//! Every response carries `Cache-Control: no-store` and `Pragma: no-cache`; `DPoP-Nonce`
//! is passed on whenever Authlete gives one; `WWW-Authenticate` is set where RFC 6749,
//! RFC 6750 and RFC 9449 require it. Each Authlete `action` maps to one HTTP response, and
//! an action this version does not know becomes a `500` with a generic body: details go to
//! the log (`tracing`), never to the client. So does any failure to reach Authlete.
//!
//! Where the application must decide something during a request (who is logged in for
//! `prompt=none`, whether a password is right, the userinfo claims, the CIBA user, the
//! credential to issue), the handler asks a trait the application implements. What it
//! decides on its own pages (the user's login and consent, the claims of the ID token,
//! the device flow's verification) it reports through a value such as
//! [`AuthorizationDecision`](authorization::AuthorizationDecision).
//!
//! The reading of requests is shared ([`request`]): form and query parameters (repeated
//! ones refused), one client-authentication reader for the endpoints where clients
//! authenticate, tokens and DPoP proofs; [`proxy`] says where the client certificate and
//! the public URL of DPoP's `htu` come from.
//!
//! # Which handlers implement [`Endpoint`]
//!
//! [`Endpoint`] is for a handler that turns one HTTP request into one HTTP response, so
//! that an adapter can mount it without knowing it (such as
//! `authlete::axum::AuthorizationServer::endpoint`). Every endpoint handler of this module
//! implements it except four, whose call needs more than the request:
//!
//! | handler | why not [`Endpoint`] | in the axum adapter |
//! |---|---|---|
//! | [`AuthorizationEndpoint`](authorization::AuthorizationEndpoint) | an interaction is the application's login and consent page, so `handle` returns an [`AuthorizationOutcome`](authorization::AuthorizationOutcome), not always a response | `AuthorizationServer::authorization`, with the page renderer |
//! | [`AuthorizationDecisionEndpoint`](authorization::AuthorizationDecisionEndpoint) | it takes the user's decision from the application's own consent form, not a request | the application's route calls `decide` |
//! | [`ClientConfigurationEndpoint`](registration::ClientConfigurationEndpoint) | it needs the client ID from the path (RFC 7592) | `AuthorizationServer::client_configuration` |
//! | [`GrantManagementEndpoint`](grant_management::GrantManagementEndpoint) | it needs the grant ID from the path | `AuthorizationServer::grant_management` |
//!
//! The device flow's [`DeviceFlow`](device::DeviceFlow) and CIBA's
//! [`CibaCompletion`](ciba::CibaCompletion) are not endpoints: they serve the
//! application's own pages and return typed outcomes.
//!
//! ```no_run
//! use authlete::flows::{FlowSettings, Response};
//! use bytes::Bytes;
//!
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let revocation = authlete::flows::revocation::RevocationEndpoint::new(client, FlowSettings::default());
//! revocation.handle(&request).await
//! # }
//! ```

pub mod attestation;
pub mod authorization;
pub mod ciba;
pub mod credential;
pub mod device;
pub mod discovery;
pub mod federation;
pub mod grant_management;
pub mod introspection;
pub mod logout;
pub mod par;
pub mod proxy;
pub mod registration;
pub mod request;
pub mod resource;
pub mod response;
pub mod revocation;
#[cfg(test)]
mod test_support;
pub mod token;
pub mod userinfo;

pub use bytes::Bytes;
pub use proxy::{ClientCertificateSource, Proxy, PublicUrlSource};

/// What every handler returns: a complete HTTP response with its body.
pub type Response = http::Response<Bytes>;

/// A handler of one HTTP endpoint, for framework adapters: every endpoint handler of this
/// module implements it but the four listed in the [module documentation](self#which-handlers-implement-endpoint),
/// whose call needs more than the request.
pub trait Endpoint: Send + Sync + 'static {
    /// Handles one request whose body has been read.
    fn handle(&self, request: &http::Request<Bytes>) -> impl Future<Output = Response> + Send;

    /// The largest body the handler accepts; adapters stop reading beyond it.
    fn max_body_bytes(&self) -> usize {
        FlowSettings::default().max_body_bytes
    }
}

/// Settings shared by every handler.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FlowSettings {
    /// Request bodies larger than this are refused with `413 Payload Too Large`.
    /// Default: 64 KiB, far more than any OAuth request needs.
    pub max_body_bytes: usize,
    /// Where the client certificate and the public URL of a request come from.
    pub proxy: Proxy,
}

impl Default for FlowSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            proxy: Proxy::default(),
        }
    }
}

impl FlowSettings {
    /// The same settings with another body limit.
    #[must_use]
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The same settings with another proxy configuration.
    #[must_use]
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }
}
