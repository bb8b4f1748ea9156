//! The pushed authorization request endpoint (RFC 9126).
//!
//! Rather than putting the authorization request in the URL it sends the browser to, the
//! client first `POST`s the request's parameters to `/par`, authenticating as it would at
//! the token endpoint, and receives a short-lived `request_uri`. The browser then carries
//! only `client_id` and that `request_uri` to the authorization endpoint, so the
//! parameters can be neither read nor altered on the way, and they are checked before the
//! user sees anything.
//!
//! [`PushedAuthorizationEndpoint`] passes the form and whatever identifies the client
//! (HTTP Basic credentials, the mutual-TLS certificate, a DPoP proof, client attestation)
//! to Authlete's `/pushed_auth_req`, which authenticates the client, validates and stores
//! the request, and issues the `request_uri`. The application has nothing to decide. The
//! answer is `201` with `{"request_uri":"...","expires_in":...}`, or `400`, `401`, `403` or
//! `413` with an error JSON. Authlete resolves the `request_uri` when the
//! [authorization endpoint](super::authorization) passes it on, so that endpoint needs no
//! change.
//!
//! ```no_run
//! use authlete::flows::par::PushedAuthorizationEndpoint;
//! use authlete::flows::{Bytes, FlowSettings, Response};
//!
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let endpoint = PushedAuthorizationEndpoint::new(client, FlowSettings::default());
//! // `201` carries the `request_uri` the client then sends the browser to `/authorize` with.
//! endpoint.handle(&request).await
//! # }
//! ```

use bytes::Bytes;
use http::{Request, StatusCode};

use super::request::{self, BadRequest, ClientAuthentication};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::Client;
use crate::types::{PushedAuthorizationRequest, PushedAuthorizationResponseAction as Action};

const OPERATION: &str = "pushed_auth_req_api";

/// The realm of the `Basic` challenge of every `401`.
const REALM: &str = "par";

/// Handles `POST /par`: authenticates the client (HTTP Basic, form parameters, mutual TLS,
/// client assertions or attestation), checks the request and keeps it at Authlete
/// (`/pushed_auth_req`), which issues the `request_uri`.
///
/// | Authlete action | response |
/// |---|---|
/// | `CREATED` | `201` with the JSON (`request_uri`, `expires_in`) |
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `UNAUTHORIZED` | `401` with the error JSON and `WWW-Authenticate: Basic realm="par"` ([`request::challenge`]) |
/// | `FORBIDDEN` | `403` with the error JSON |
/// | `PAYLOAD_TOO_LARGE` | `413` with the error JSON |
/// | `INTERNAL_SERVER_ERROR`, anything else | `500` |
///
/// Every answer passes Authlete's `DPoP-Nonce` on. The request reaches Authlete with the
/// form, the client's credentials as
/// [`ClientAuthentication::read`](super::request::ClientAuthentication::read) finds them
/// (Basic, client certificate and chain, attestation headers), and the `DPoP` proof with
/// `htm` and, when the deployment says what it is, `htu` (see [`Proxy`](super::Proxy)). A
/// method other than `POST` is answered `405`, another content type `415`, a body over
/// [`FlowSettings::max_body_bytes`] `413`; broken encoding, a repeated parameter, a
/// repeated `Authorization`, `DPoP` or attestation header, or client credentials that
/// conflict `400`; a malformed `Authorization` `401`; all without asking Authlete.
#[derive(Debug, Clone)]
pub struct PushedAuthorizationEndpoint {
    client: Client,
    settings: FlowSettings,
    dpop_nonce_required: Option<bool>,
}

impl PushedAuthorizationEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self {
            client,
            settings,
            dpop_nonce_required: None,
        }
    }

    /// The same handler requiring (or not) a server nonce in DPoP proofs, whatever the
    /// service's `dpopNonceRequired` says.
    #[must_use]
    pub fn with_dpop_nonce_required(mut self, required: bool) -> Self {
        self.dpop_nonce_required = Some(required);
        self
    }

    /// Handles one pushed authorization request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        match self.try_handle(request).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(&self, request: &Request<Bytes>) -> Result<Response, Response> {
        let parameters =
            request::form_parameters(request, &self.settings).map_err(BadRequest::into_response)?;
        let auth = ClientAuthentication::read(request, &parameters, &self.settings)
            .map_err(|e| e.into_response(REALM))?;
        let dpop = request::dpop_proof(request.headers()).map_err(BadRequest::into_response)?;
        let (htm, htu) = if dpop.is_some() {
            (
                Some(request.method().as_str().to_owned()),
                request::public_url(request, &self.settings),
            )
        } else {
            (None, None)
        };
        let body = PushedAuthorizationRequest {
            parameters: parameters.into(),
            client_id: auth.client_id,
            client_secret: auth.client_secret,
            client_certificate: auth.client_certificate,
            client_certificate_path: auth.client_certificate_chain,
            dpop,
            htm,
            htu,
            dpop_nonce_required: self.dpop_nonce_required,
            oauth_client_attestation: auth.attestation,
            oauth_client_attestation_pop: auth.attestation_pop,
        };
        let answer = self
            .client
            .push_authorization_request(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = answer.response_content.unwrap_or_default();
        let response = match answer.action {
            Some(Action::Created) => response::json(StatusCode::CREATED, content),
            Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
            Some(Action::Unauthorized) => {
                request::unauthorized(response::json(StatusCode::UNAUTHORIZED, content), REALM)
            }
            Some(Action::Forbidden) => response::json(StatusCode::FORBIDDEN, content),
            Some(Action::PayloadTooLarge) => response::json(StatusCode::PAYLOAD_TOO_LARGE, content),
            Some(Action::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => response::unknown_action(OPERATION, other.as_str()),
            None => response::unknown_action(OPERATION, "(none)"),
        };
        Ok(response
            .with_dpop_nonce(answer.dpop_nonce.as_deref())
            .with_attestation_challenge(answer.attestation_challenge.as_deref()))
    }
}

impl crate::flows::Endpoint for PushedAuthorizationEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        PushedAuthorizationEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
