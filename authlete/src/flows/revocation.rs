//! The revocation endpoint (RFC 7009).
//!
//! A client that no longer needs a token, for instance because its user logged out,
//! `POST`s it to `/revoke` (`token`, and optionally `token_type_hint`), authenticating as
//! it would at the token endpoint. [`RevocationEndpoint`] passes the form and the client's
//! credentials (HTTP Basic, client attestation, the mutual-TLS certificate) to Authlete's
//! `/auth/revocation`, which authenticates the client and revokes the access or refresh
//! token. The application has nothing to decide.
//!
//! A revoked token is answered `200` with an empty body. RFC 7009 wants the same answer
//! for a token that is unknown or already invalid, since it is unusable either way, so the
//! client learns nothing about it. A malformed request is answered `400`, and a client
//! that fails to authenticate `401`, each with an error JSON.
//!
//! ```no_run
//! use authlete::flows::revocation::RevocationEndpoint;
//! use authlete::flows::{Bytes, FlowSettings, Response};
//!
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let endpoint = RevocationEndpoint::new(client, FlowSettings::default());
//! // For example `token=...&token_type_hint=refresh_token`, with `Authorization: Basic`.
//! endpoint.handle(&request).await
//! # }
//! ```

use bytes::Bytes;
use http::{Request, StatusCode};

use super::request::{self, BadRequest, ClientAuthentication};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::Client;
use crate::types::{RevocationRequest, RevocationResponseAction as Action};

/// The realm of the `Basic` challenge of every `401`.
const REALM: &str = "revocation";

/// Handles `POST /revoke`: authenticates the client and revokes the token through
/// Authlete's `/auth/revocation`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with an empty body |
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `INVALID_CLIENT` | `401` with the error JSON and `WWW-Authenticate: Basic realm="revocation"` ([`request::challenge`]) |
/// | `INTERNAL_SERVER_ERROR`, anything else | `500` |
///
/// The client's credentials are read by
/// [`ClientAuthentication::read`](super::request::ClientAuthentication::read) (HTTP Basic,
/// the form, the `OAuth-Client-Attestation` headers, the client certificate), which
/// refuses malformed or conflicting ones before Authlete is asked; so are repeated
/// parameters.
#[derive(Debug, Clone)]
pub struct RevocationEndpoint {
    client: Client,
    settings: FlowSettings,
}

impl RevocationEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self { client, settings }
    }

    /// Handles one revocation request.
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
        let body = RevocationRequest {
            parameters: parameters.into(),
            client_id: auth.client_id,
            client_secret: auth.client_secret,
            client_certificate: auth.client_certificate,
            client_certificate_path: auth.client_certificate_chain,
            oauth_client_attestation: auth.attestation,
            oauth_client_attestation_pop: auth.attestation_pop,
        };
        let answer = self
            .client
            .revocation(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = answer.response_content.unwrap_or_default();
        let response = match answer.action {
            Some(Action::Ok) => response::empty(StatusCode::OK),
            Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
            Some(Action::InvalidClient) => {
                request::unauthorized(response::json(StatusCode::UNAUTHORIZED, content), REALM)
            }
            Some(Action::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => response::unknown_action("auth_revocation_api", other.as_str()),
            None => response::unknown_action("auth_revocation_api", "(none)"),
        };
        Ok(response.with_attestation_challenge(answer.attestation_challenge.as_deref()))
    }
}

impl super::Endpoint for RevocationEndpoint {
    async fn handle(&self, request: &Request<Bytes>) -> Response {
        RevocationEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
