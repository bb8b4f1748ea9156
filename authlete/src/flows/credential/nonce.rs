//! The nonce endpoint of a credential issuer.

use bytes::Bytes;
use http::{Method, Request};

use crate::Client;
use crate::flows::request::BadRequest;
use crate::flows::{FlowSettings, Response, response};
use crate::types::VciNonceRequest;

/// Handles `POST` to the credential issuer's `nonce_endpoint` (OID4VCI section 7): a fresh
/// `c_nonce` for the wallet's key proofs, from Authlete's `/vci/nonce`. Every answer carries
/// `Cache-Control: no-store`, as the specification requires.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the nonce JSON (`{"c_nonce": ...}`) |
/// | `NOT_FOUND` | `404` with the error JSON (verifiable credentials are not enabled) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else (such as `CALLER_ERROR`) | `500` with a generic body |
///
/// Before Authlete is asked: any method but `POST` is answered `405`, and a body over
/// [`FlowSettings::max_body_bytes`] `413` (the request has no parameters, so its body is
/// otherwise ignored). Authlete serves this operation from version 3.0.22 on.
#[derive(Debug, Clone)]
pub struct CredentialNonceEndpoint {
    client: Client,
    settings: FlowSettings,
    pretty: bool,
}

impl CredentialNonceEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self {
            client,
            settings,
            pretty: false,
        }
    }

    /// The same handler asking Authlete to indent the JSON.
    #[must_use]
    pub fn with_pretty(mut self, pretty: bool) -> Self {
        self.pretty = pretty;
        self
    }

    /// Handles one nonce request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if request.method() != Method::POST {
            return BadRequest::MethodNotAllowed { allowed: "POST" }.into_response();
        }
        if request.body().len() > self.settings.max_body_bytes {
            return BadRequest::PayloadTooLarge.into_response();
        }
        let body = VciNonceRequest {
            pretty: Some(self.pretty),
        };
        match self.client.credential_nonce(&body).await {
            Ok(answer) => response::json_by_action(
                "vci_nonce_api",
                answer.action.as_ref().map(|action| action.as_str()),
                answer.response_content,
            ),
            Err(e) => response::authlete_failure(&e),
        }
    }
}

impl crate::flows::Endpoint for CredentialNonceEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        CredentialNonceEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
