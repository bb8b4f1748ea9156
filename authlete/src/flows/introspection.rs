//! The introspection endpoint (RFC 7662), with JWT answers (RFC 9701).
//!
//! Resource servers ask this endpoint about access tokens they receive. Only known resource
//! servers may: each authenticates with HTTP Basic (`Authorization: Basic`, its ID and
//! secret, RFC 7662 section 2.1), which a [`ResourceServerAuthenticator`] checks. What it
//! returns ([`ResourceServer`]) says how to answer that resource server: its URI (the
//! audience check of Authlete and a JWT answer need it), whether hidden token properties
//! are included, and the keys and algorithms of JWT answers.
//!
//! ```no_run
//! use authlete::Secret;
//! use authlete::flows::FlowSettings;
//! use authlete::flows::introspection::{IntrospectionEndpoint, ResourceServer, StaticResourceServers};
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! let servers = StaticResourceServers::new().with(
//!     "photos-api",
//!     Secret::new("photos-api-secret"),
//!     ResourceServer::new().with_uri("https://photos.example.com"),
//! );
//! let endpoint = IntrospectionEndpoint::new(client, FlowSettings::default(), servers);
//! let response = endpoint.handle(&request).await;
//! # let _ = response;
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, StatusCode, header};
use sha2::{Digest as _, Sha256};

use super::request::{self, BadRequest};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{StandardIntrospectionRequest, StandardIntrospectionResponseAction as Action};
use crate::{Client, Secret};

/// The media type of a JWT introspection answer (RFC 9701).
pub const TOKEN_INTROSPECTION_JWT: &str = "application/token-introspection+jwt";

/// The challenge of a `401` answer to a caller that did not authenticate.
const CHALLENGE: &str = "Basic realm=\"introspection\"";

/// A resource server allowed to introspect tokens, and how to answer it. Everything is
/// optional: [`ResourceServer::new`] is a resource server with Authlete's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceServer {
    /// Its URI (`rsUri`): when the token has audiences that do not include it, the token
    /// is reported inactive; a JWT answer requires it.
    pub uri: Option<String>,
    /// Whether token properties marked hidden are included.
    pub with_hidden_properties: bool,
    /// The JWS `alg` of JWT answers (Authlete's default: `RS256`).
    pub sign_alg: Option<String>,
    /// The shared key for a symmetric JWS `alg`.
    pub shared_key_for_sign: Option<Secret>,
    /// The JWE `alg` of encrypted JWT answers; unset, JWT answers are not encrypted.
    pub encryption_alg: Option<String>,
    /// The JWE `enc` of encrypted JWT answers (Authlete's default: `A128CBC_HS256`).
    pub encryption_enc: Option<String>,
    /// The resource server's public key (a JWK) for an asymmetric JWE `alg`.
    pub public_key_for_encryption: Option<String>,
    /// The shared key for a symmetric JWE `alg`.
    pub shared_key_for_encryption: Option<Secret>,
}

impl ResourceServer {
    /// A resource server with Authlete's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same resource server with its URI.
    #[must_use]
    pub fn with_uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// The same resource server, seeing hidden token properties or not.
    #[must_use]
    pub fn with_hidden_properties(mut self, include: bool) -> Self {
        self.with_hidden_properties = include;
        self
    }

    /// The same resource server with JWT answers signed with `alg` (and `shared_key` for
    /// a symmetric `alg`).
    #[must_use]
    pub fn with_signing(mut self, alg: impl Into<String>, shared_key: Option<Secret>) -> Self {
        self.sign_alg = Some(alg.into());
        self.shared_key_for_sign = shared_key;
        self
    }

    /// The same resource server with JWT answers encrypted with `alg` and `enc` for its
    /// public key (a JWK).
    #[must_use]
    pub fn with_encryption_to_public_key(
        mut self,
        alg: impl Into<String>,
        enc: Option<String>,
        public_key: impl Into<String>,
    ) -> Self {
        self.encryption_alg = Some(alg.into());
        self.encryption_enc = enc;
        self.public_key_for_encryption = Some(public_key.into());
        self
    }

    /// The same resource server with JWT answers encrypted with `alg` and `enc` under a
    /// shared key.
    #[must_use]
    pub fn with_encryption_with_shared_key(
        mut self,
        alg: impl Into<String>,
        enc: Option<String>,
        shared_key: Secret,
    ) -> Self {
        self.encryption_alg = Some(alg.into());
        self.encryption_enc = enc;
        self.shared_key_for_encryption = Some(shared_key);
        self
    }
}

/// Who may call the introspection endpoint: checks the HTTP Basic credentials of the
/// caller. Implement it over the application's store of resource servers, or use
/// [`StaticResourceServers`].
pub trait ResourceServerAuthenticator: Send + Sync {
    /// The resource server with this ID and secret, or `None` when they are wrong. Compare
    /// secrets in constant time.
    ///
    /// Callers without Basic credentials are answered `401` without calling this.
    fn authenticate(
        &self,
        id: &str,
        secret: &Secret,
    ) -> impl Future<Output = Option<ResourceServer>> + Send;
}

/// A fixed list of resource servers, each with its ID and secret: the simple
/// [`ResourceServerAuthenticator`]. Cheap to clone.
#[derive(Clone, Default)]
pub struct StaticResourceServers {
    servers: Arc<HashMap<String, ([u8; 32], ResourceServer)>>,
}

impl StaticResourceServers {
    /// No resource servers: every caller is refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same list with the resource server `id` authenticating with `secret`.
    #[must_use]
    pub fn with(mut self, id: impl Into<String>, secret: Secret, server: ResourceServer) -> Self {
        let digest = digest(&secret);
        Arc::make_mut(&mut self.servers).insert(id.into(), (digest, server));
        self
    }
}

impl fmt::Debug for StaticResourceServers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticResourceServers")
            .field("ids", &self.servers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ResourceServerAuthenticator for StaticResourceServers {
    fn authenticate(
        &self,
        id: &str,
        secret: &Secret,
    ) -> impl Future<Output = Option<ResourceServer>> + Send {
        let given = digest(secret);
        let found = self.servers.get(id).and_then(|(expected, server)| {
            // Constant time over the digests: neither the secret nor its length leaks.
            let difference = expected
                .iter()
                .zip(given.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            (difference == 0).then(|| server.clone())
        });
        std::future::ready(found)
    }
}

fn digest(secret: &Secret) -> [u8; 32] {
    Sha256::digest(secret.expose_secret().as_bytes()).into()
}

/// Handles `POST /introspect` through Authlete's `/auth/introspection/standard`.
///
/// The caller must authenticate with HTTP Basic, checked by the
/// [`ResourceServerAuthenticator`]; the form body goes to Authlete as `parameters`, with
/// the `Accept` header (`application/token-introspection+jwt` asks for a JWT answer) and
/// the [`ResourceServer`]'s options. A request that is not a form `POST`, is too large,
/// or has a malformed or repeated `Authorization` header is refused (`405`, `415`, `413`,
/// `400`) before anyone is asked.
///
/// | case | response |
/// |---|---|
/// | no Basic credentials, or wrong ones | `401` `invalid_client` with `WWW-Authenticate: Basic realm="introspection"` (RFC 7662 section 2.3) |
/// | `OK` | `200` with the introspection JSON |
/// | `JWT` | `200` with the JWT, `Content-Type: application/token-introspection+jwt` |
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else, no action, Authlete unreachable | generic `500` (`503` with `Retry-After` when retrying may help) |
pub struct IntrospectionEndpoint<A> {
    client: Client,
    settings: FlowSettings,
    authenticator: A,
}

impl<A: Clone> Clone for IntrospectionEndpoint<A> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            settings: self.settings.clone(),
            authenticator: self.authenticator.clone(),
        }
    }
}

impl<A> fmt::Debug for IntrospectionEndpoint<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionEndpoint")
            .field("client", &self.client)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<A: ResourceServerAuthenticator> IntrospectionEndpoint<A> {
    /// A handler calling Authlete with `client`, admitting the callers `authenticator`
    /// accepts.
    pub fn new(client: Client, settings: FlowSettings, authenticator: A) -> Self {
        Self {
            client,
            settings,
            authenticator,
        }
    }

    /// Handles one introspection request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        match self.try_handle(request).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(&self, request: &Request<Bytes>) -> Result<Response, Response> {
        let parameters =
            request::form_parameters(request, &self.settings).map_err(BadRequest::into_response)?;
        let credentials =
            request::client_credentials(request.headers()).map_err(BadRequest::into_response)?;
        let accept = accept_header(request).map_err(BadRequest::into_response)?;
        let Some((id, secret)) = credentials else {
            return Err(unauthenticated());
        };
        let Some(server) = self.authenticator.authenticate(&id, &secret).await else {
            tracing::info!(resource_server = ?id, "introspection caller refused");
            return Err(unauthenticated());
        };
        let body = StandardIntrospectionRequest {
            parameters: parameters.into(),
            http_accept_header: accept,
            rs_uri: server.uri,
            with_hidden_properties: server.with_hidden_properties.then_some(true),
            introspection_sign_alg: server.sign_alg,
            shared_key_for_sign: server.shared_key_for_sign,
            introspection_encryption_alg: server.encryption_alg,
            introspection_encryption_enc: server.encryption_enc,
            public_key_for_encryption: server.public_key_for_encryption,
            shared_key_for_encryption: server.shared_key_for_encryption,
        };
        let answer = self
            .client
            .standard_introspection(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = answer.response_content.unwrap_or_default();
        Ok(match answer.action {
            Some(Action::Ok) => response::json(StatusCode::OK, content),
            Some(Action::Jwt) => {
                response::content(StatusCode::OK, TOKEN_INTROSPECTION_JWT, content)
            }
            Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
            Some(Action::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => {
                response::unknown_action("auth_introspection_standard_api", other.as_str())
            }
            None => response::unknown_action("auth_introspection_standard_api", "(none)"),
        })
    }
}

/// `401 invalid_client` with the Basic challenge (RFC 7662 section 2.3, RFC 6749 section
/// 5.2).
fn unauthenticated() -> Response {
    response::oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "The caller must authenticate as a resource server.",
    )
    .with_www_authenticate(Some(CHALLENGE))
}

/// The `Accept` header, its values joined; a value that is not text is refused.
fn accept_header(request: &Request<Bytes>) -> Result<Option<String>, BadRequest> {
    let mut values = Vec::new();
    for value in request.headers().get_all(header::ACCEPT) {
        values.push(
            value
                .to_str()
                .map_err(|_| BadRequest::InvalidHeader("Accept"))?,
        );
    }
    Ok((!values.is_empty()).then(|| values.join(", ")))
}

impl<A: ResourceServerAuthenticator + 'static> crate::flows::Endpoint for IntrospectionEndpoint<A> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        IntrospectionEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
