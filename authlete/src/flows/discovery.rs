//! Discovery: the server's metadata (OpenID Connect Discovery 1.0, RFC 8414) and its JWK
//! Set.
//!
//! Clients learn where the server's endpoints are, what it supports and its public keys
//! from two `GET` endpoints. Both are answered from the service's settings at Authlete,
//! so the application supplies only the routes:
//!
//! - [`DiscoveryEndpoint`] serves `/.well-known/openid-configuration` and
//!   `/.well-known/oauth-authorization-server` from Authlete's `/service/configuration`:
//!   `200` with the metadata as JSON. [`with_patch`](DiscoveryEndpoint::with_patch) has
//!   Authlete amend the metadata with a JSON Patch (RFC 6902), for members the service's
//!   settings have no field for.
//! - [`JwksEndpoint`] serves the `jwks_uri` from `/service/jwks/get`: `200` with
//!   `{"keys":[...]}` holding public keys only, or `204` when the service has no keys.
//!
//! Another method than `GET` is answered `405`; a failed call to Authlete `500`, or `503`
//! when trying again may help.
//!
//! ```no_run
//! use authlete::flows::discovery::{DiscoveryEndpoint, JwksEndpoint};
//! use authlete::flows::{Bytes, FlowSettings, Response};
//!
//! # fn not_found() -> Response { unimplemented!() }
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let metadata = DiscoveryEndpoint::new(client.clone(), FlowSettings::default())
//!     // An extension member that the service's settings cannot express.
//!     .with_patch(r#"[{"op":"add","path":"/example_extension","value":true}]"#);
//! let jwks = JwksEndpoint::new(client, FlowSettings::default());
//! match request.uri().path() {
//!     "/.well-known/openid-configuration" | "/.well-known/oauth-authorization-server" => {
//!         metadata.handle(&request).await
//!     }
//!     "/jwks" => jwks.handle(&request).await,
//!     _ => not_found(),
//! }
//! # }
//! ```

use bytes::Bytes;
use http::{Method, Request, StatusCode};

use super::request::BadRequest;
use super::response;
use super::{FlowSettings, Response};
use crate::Client;
use crate::query::{GetServiceConfigurationQuery, GetServiceJwksQuery};

/// Handles `GET /.well-known/openid-configuration` and
/// `GET /.well-known/oauth-authorization-server`: the metadata Authlete builds from the
/// service's settings (`/service/configuration`).
///
/// | outcome | response |
/// |---|---|
/// | Authlete answers | `200` with the metadata (JSON) |
/// | another method than `GET` | `405` with `Allow: GET` |
/// | the call to Authlete fails | `500` (`503` when trying again may help) with a generic body |
#[derive(Debug, Clone)]
pub struct DiscoveryEndpoint {
    client: Client,
    settings: FlowSettings,
    patch: Option<String>,
}

impl DiscoveryEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self {
            client,
            settings,
            patch: None,
        }
    }

    /// The same handler asking Authlete to apply `patch`, a JSON Patch (RFC 6902) such as
    /// `[{"op":"add","path":"/custom","value":1}]`, to the metadata before returning it.
    #[must_use]
    pub fn with_patch(mut self, patch: impl Into<String>) -> Self {
        self.patch = Some(patch.into());
        self
    }

    /// Handles one metadata request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if let Err(refused) = check_get(request, &self.settings) {
            return refused.into_response();
        }
        let mut query = GetServiceConfigurationQuery::new();
        query.patch = self.patch.clone();
        match self.client.get_service_configuration(&query).await {
            Ok(configuration) => match serde_json::to_vec(&configuration) {
                Ok(body) => response::json(StatusCode::OK, body),
                Err(_) => response::server_error("the configuration does not serialize"),
            },
            Err(e) => response::authlete_failure(&e),
        }
    }
}

/// Handles `GET` on the `jwks_uri` (such as `/jwks`): the service's public keys, from
/// Authlete's `/service/jwks/get`. Private keys are never asked for, and as a safeguard
/// private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`) and symmetric (`oct`) keys are
/// left out of the answer even if Authlete returned them.
///
/// | outcome | response |
/// |---|---|
/// | the service has keys | `200` with `{"keys":[...]}` (JSON) |
/// | the service has no keys | `204` |
/// | another method than `GET` | `405` with `Allow: GET` |
/// | the call to Authlete fails | `500` (`503` when trying again may help) with a generic body |
#[derive(Debug, Clone)]
pub struct JwksEndpoint {
    client: Client,
    settings: FlowSettings,
}

impl JwksEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self { client, settings }
    }

    /// Handles one JWK Set request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if let Err(refused) = check_get(request, &self.settings) {
            return refused.into_response();
        }
        let keys = match self
            .client
            .get_service_jwks(&GetServiceJwksQuery::new().include_private_keys(false))
            .await
        {
            Ok(jwks) => public_keys(jwks.keys),
            Err(e) => return response::authlete_failure(&e),
        };
        if keys.is_empty() {
            return response::no_content();
        }
        match serde_json::to_vec(&serde_json::json!({ "keys": keys })) {
            Ok(body) => response::json(StatusCode::OK, body),
            Err(_) => response::server_error("the JWK Set does not serialize"),
        }
    }
}

type Jwk = serde_json::Map<String, serde_json::Value>;

/// The keys without symmetric keys and without private members.
fn public_keys(keys: Vec<Jwk>) -> Vec<Jwk> {
    const PRIVATE: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
    keys.into_iter()
        .filter(|key| key.get("kty").and_then(serde_json::Value::as_str) != Some("oct"))
        .map(|mut key| {
            for member in PRIVATE {
                key.remove(member);
            }
            key
        })
        .collect()
}

/// Only `GET`, with a body (which a `GET` should not have) within the size limit.
fn check_get(request: &Request<Bytes>, settings: &FlowSettings) -> Result<(), BadRequest> {
    if request.method() != Method::GET {
        return Err(BadRequest::MethodNotAllowed { allowed: "GET" });
    }
    if request.body().len() > settings.max_body_bytes {
        return Err(BadRequest::PayloadTooLarge);
    }
    Ok(())
}

impl crate::flows::Endpoint for DiscoveryEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        DiscoveryEndpoint::handle(self, request).await
    }
}

impl crate::flows::Endpoint for JwksEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        JwksEndpoint::handle(self, request).await
    }
}
