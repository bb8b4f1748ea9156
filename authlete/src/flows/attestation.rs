//! The challenge endpoint of OAuth 2.0 Attestation-Based Client Authentication: clients
//! fetch a fresh challenge to bind into the proof of possession of their client attestation
//! (`OAuth-Client-Attestation-PoP`).
//!
//! ```no_run
//! use authlete::flows::FlowSettings;
//! use authlete::flows::attestation::AttestationChallengeEndpoint;
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! // POST /challenge (the `challenge_endpoint` of the server's metadata)
//! let endpoint = AttestationChallengeEndpoint::new(client, FlowSettings::default());
//! let response = endpoint.handle(&request).await;
//! # let _ = response;
//! # }
//! ```

use bytes::Bytes;
use http::{Method, Request};

use super::request::BadRequest;
use super::{FlowSettings, Response, response};
use crate::Client;
use crate::types::AttestationChallengeRequest;

/// Handles `POST` to the challenge endpoint: a fresh `attestation_challenge` from Authlete's
/// `/attestation/challenge`. Every answer carries `Cache-Control: no-store`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the challenge JSON (`{"attestation_challenge": ...}`) |
/// | `NOT_FOUND` (not among Authlete's documented actions; handled like the nonce endpoint's) | `404` with the error JSON |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else (such as `CALLER_ERROR`) | `500` with a generic body |
///
/// Before Authlete is asked: any method but `POST` is answered `405`, and a body over
/// [`FlowSettings::max_body_bytes`] `413` (the request has no parameters, so its body is
/// otherwise ignored). Authlete serves this operation from version 3.0.28 on.
#[derive(Debug, Clone)]
pub struct AttestationChallengeEndpoint {
    client: Client,
    settings: FlowSettings,
    pretty: bool,
}

impl AttestationChallengeEndpoint {
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

    /// Handles one challenge request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if request.method() != Method::POST {
            return BadRequest::MethodNotAllowed { allowed: "POST" }.into_response();
        }
        if request.body().len() > self.settings.max_body_bytes {
            return BadRequest::PayloadTooLarge.into_response();
        }
        let body = AttestationChallengeRequest {
            pretty: Some(self.pretty),
        };
        match self.client.attestation_challenge(&body).await {
            Ok(answer) => response::json_by_action(
                "attestation_challenge_api",
                answer.action.as_ref().map(|action| action.as_str()),
                answer.response_content,
            ),
            Err(e) => response::authlete_failure(&e),
        }
    }
}

impl crate::flows::Endpoint for AttestationChallengeEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        AttestationChallengeEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
