//! The metadata endpoints of a credential issuer: its own metadata, its JWT issuer
//! metadata and its JWK Set.

use bytes::Bytes;
use http::Request;

use super::require_get;
use crate::Client;
use crate::flows::{FlowSettings, Response, response};
use crate::types::{VciJwksRequest, VciJwtissuerRequest, VciMetadataRequest};

/// Handles `GET /.well-known/openid-credential-issuer`: the credential issuer metadata,
/// built by Authlete's `/vci/metadata`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the metadata JSON |
/// | `NOT_FOUND` | `404` with the error JSON (verifiable credentials are not enabled) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | `500` with a generic body |
///
/// Any method but `GET` is answered `405`.
#[derive(Debug, Clone)]
pub struct CredentialIssuerMetadataEndpoint {
    client: Client,
    pretty: bool,
}

impl CredentialIssuerMetadataEndpoint {
    /// A handler calling Authlete with `client`. A `GET` has no body, so no setting applies
    /// yet; `settings` keeps the constructor the same as every other handler's.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        let _ = settings;
        Self {
            client,
            pretty: false,
        }
    }

    /// The same handler asking Authlete to indent the JSON.
    #[must_use]
    pub fn with_pretty(mut self, pretty: bool) -> Self {
        self.pretty = pretty;
        self
    }

    /// Handles one metadata request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if let Err(bad) = require_get(request) {
            return bad.into_response();
        }
        let body = VciMetadataRequest {
            pretty: self.pretty,
        };
        match self.client.credential_issuer_metadata(&body).await {
            Ok(answer) => response::json_by_action(
                "vci_metadata_api",
                answer.action.as_ref().map(|action| action.as_str()),
                answer.response_content,
            ),
            Err(e) => response::authlete_failure(&e),
        }
    }
}

/// Handles `GET /.well-known/jwt-vc-issuer`: the JWT VC issuer metadata (SD-JWT VC), built
/// by Authlete's `/vci/jwtissuer`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the metadata JSON |
/// | `NOT_FOUND` | `404` with the error JSON (verifiable credentials are not enabled) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | `500` with a generic body |
///
/// Any method but `GET` is answered `405`.
#[derive(Debug, Clone)]
pub struct JwtIssuerMetadataEndpoint {
    client: Client,
    pretty: bool,
}

impl JwtIssuerMetadataEndpoint {
    /// A handler calling Authlete with `client`. A `GET` has no body, so no setting applies
    /// yet; `settings` keeps the constructor the same as every other handler's.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        let _ = settings;
        Self {
            client,
            pretty: false,
        }
    }

    /// The same handler asking Authlete to indent the JSON.
    #[must_use]
    pub fn with_pretty(mut self, pretty: bool) -> Self {
        self.pretty = pretty;
        self
    }

    /// Handles one metadata request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if let Err(bad) = require_get(request) {
            return bad.into_response();
        }
        let body = VciJwtissuerRequest {
            pretty: self.pretty,
        };
        match self.client.credential_jwt_issuer_metadata(&body).await {
            Ok(answer) => response::json_by_action(
                "vci_jwtissuer_api",
                answer.action.as_ref().map(|action| action.as_str()),
                answer.response_content,
            ),
            Err(e) => response::authlete_failure(&e),
        }
    }
}

/// Handles `GET` of the credential issuer's JWK Set (the `jwks_uri` of its JWT VC issuer
/// metadata): the public keys that verify its credentials, from Authlete's `/vci/jwks`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the JWK Set JSON |
/// | `NOT_FOUND` | `404` with the error JSON (verifiable credentials are not enabled) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | `500` with a generic body |
///
/// Any method but `GET` is answered `405`.
#[derive(Debug, Clone)]
pub struct CredentialIssuerJwksEndpoint {
    client: Client,
    pretty: bool,
}

impl CredentialIssuerJwksEndpoint {
    /// A handler calling Authlete with `client`. A `GET` has no body, so no setting applies
    /// yet; `settings` keeps the constructor the same as every other handler's.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        let _ = settings;
        Self {
            client,
            pretty: false,
        }
    }

    /// The same handler asking Authlete to indent the JSON.
    #[must_use]
    pub fn with_pretty(mut self, pretty: bool) -> Self {
        self.pretty = pretty;
        self
    }

    /// Handles one JWK Set request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if let Err(bad) = require_get(request) {
            return bad.into_response();
        }
        let body = VciJwksRequest {
            pretty: self.pretty,
        };
        match self.client.credential_issuer_jwks(&body).await {
            Ok(answer) => response::json_by_action(
                "vci_jwks_api",
                answer.action.as_ref().map(|action| action.as_str()),
                answer.response_content,
            ),
            Err(e) => response::authlete_failure(&e),
        }
    }
}

impl crate::flows::Endpoint for CredentialIssuerMetadataEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        CredentialIssuerMetadataEndpoint::handle(self, request).await
    }
}

impl crate::flows::Endpoint for JwtIssuerMetadataEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        JwtIssuerMetadataEndpoint::handle(self, request).await
    }
}

impl crate::flows::Endpoint for CredentialIssuerJwksEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        CredentialIssuerJwksEndpoint::handle(self, request).await
    }
}
