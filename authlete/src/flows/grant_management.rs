//! The grant management endpoint (FAPI Grant Management for OAuth 2.0).
//!
//! A client that received a `grant_id` with its tokens can later ask what that grant holds
//! (`GET /grants/{grantId}`) or revoke it (`DELETE /grants/{grantId}`), presenting an
//! access token whose scope includes `grant_management_query` or `grant_management_revoke`.
//!
//! [`GrantManagementEndpoint`] passes the token, with its DPoP proof or the client
//! certificate when the token is sender-constrained, to Authlete's `/gm`. Authlete checks
//! the token and its scope, checks that the grant belongs to the client, and queries or
//! revokes the grant. The application only routes the request and supplies the grant ID
//! from the path. The answer is `200` with the grant as JSON, `204` once it is revoked, or
//! `401`, `403` or `404` with an error JSON; see [`GrantManagementEndpoint`] for the whole
//! table.
//!
//! ```no_run
//! use authlete::flows::grant_management::GrantManagementEndpoint;
//! use authlete::flows::{Bytes, FlowSettings, Response};
//!
//! # fn not_found() -> Response { unimplemented!() }
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let endpoint = GrantManagementEndpoint::new(client, FlowSettings::default())
//!     // Server nonces keep DPoP proofs from being made in advance, whatever the service says.
//!     .with_dpop_nonce_required(true);
//! // The grant ID is part of the path, so the router extracts it, not the handler.
//! match request.uri().path().strip_prefix("/grants/") {
//!     Some(grant_id) => endpoint.handle(&request, grant_id).await,
//!     None => not_found(),
//! }
//! # }
//! ```

use bytes::Bytes;
use http::{Method, Request, StatusCode};

use super::request::{self, BadRequest, TokenScheme};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::Client;
use crate::types::{
    GrantManagementAction, GrantManagementRequest, GrantManagementResponseAction as Action,
};

/// Handles `GET` and `DELETE` on `/grants/{grantId}` through Authlete's `/gm`: Authlete
/// checks the access token (`Authorization: Bearer` or `DPoP`, with the DPoP proof and the
/// client certificate for sender-constrained tokens), its scope and that the grant belongs
/// to the client, then queries or revokes the grant.
///
/// The application's router extracts `grantId` from the path and passes it to
/// [`handle`](Self::handle).
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the grant as JSON |
/// | `NO_CONTENT` | `204` (the grant was revoked) |
/// | `UNAUTHORIZED` | `401` with the error JSON and a `WWW-Authenticate` challenge (`Bearer` or `DPoP`, as the token was presented) carrying the error code |
/// | `FORBIDDEN` | `403` with the error JSON |
/// | `NOT_FOUND` | `404` with the error JSON |
/// | `CALLER_ERROR`, `AUTHLETE_ERROR`, anything else | `500` with a generic body; Authlete's message goes to the log |
///
/// Every answer carries the `DPoP-Nonce` Authlete gives. A request without an access token
/// is answered `401` with `WWW-Authenticate: Bearer` before Authlete is asked.
#[derive(Debug, Clone)]
pub struct GrantManagementEndpoint {
    client: Client,
    settings: FlowSettings,
    dpop_nonce_required: bool,
}

impl GrantManagementEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self {
            client,
            settings,
            dpop_nonce_required: false,
        }
    }

    /// The same handler requiring a server-provided `nonce` in DPoP proofs even when the
    /// service does not (`dpopNonceRequired`).
    #[must_use]
    pub fn with_dpop_nonce_required(mut self, required: bool) -> Self {
        self.dpop_nonce_required = required;
        self
    }

    /// The settings the handler was built with (its body limit, for adapters).
    pub fn settings(&self) -> &FlowSettings {
        &self.settings
    }

    /// Handles one grant management request for the grant `grant_id`.
    pub async fn handle(&self, request: &Request<Bytes>, grant_id: &str) -> Response {
        match self.try_handle(request, grant_id).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(
        &self,
        request: &Request<Bytes>,
        grant_id: &str,
    ) -> Result<Response, Response> {
        let gm_action = match *request.method() {
            Method::GET => GrantManagementAction::Query,
            Method::DELETE => GrantManagementAction::Revoke,
            _ => {
                return Err(BadRequest::MethodNotAllowed {
                    allowed: "GET, DELETE",
                }
                .into_response());
            }
        };
        if request.body().len() > self.settings.max_body_bytes {
            return Err(BadRequest::PayloadTooLarge.into_response());
        }
        let (scheme, token) = request::access_token(request.headers())
            .map_err(BadRequest::into_response)?
            .ok_or_else(missing_token)?;
        let dpop = request::dpop_proof(request.headers()).map_err(BadRequest::into_response)?;
        let certificate = request::client_certificate(request, &self.settings).map(|(c, _)| c);
        let body = GrantManagementRequest {
            access_token: token,
            client_certificate: certificate,
            dpop,
            dpop_nonce_required: self.dpop_nonce_required.then_some(true),
            gm_action: Some(gm_action),
            grant_id: Some(grant_id.to_owned()),
            htm: Some(request.method().as_str().to_owned()),
            htu: request::public_url(request, &self.settings),
        };
        let answer = self
            .client
            .grant_management(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = answer.response_content.unwrap_or_default();
        let response = match answer.action {
            Some(Action::Ok) => response::json(StatusCode::OK, content),
            Some(Action::NoContent) => response::no_content(),
            Some(Action::Unauthorized) => {
                let challenge = error_challenge(scheme, &content, "invalid_token");
                response::json(StatusCode::UNAUTHORIZED, content)
                    .with_www_authenticate(Some(&challenge))
            }
            Some(Action::Forbidden) => response::json(StatusCode::FORBIDDEN, content),
            Some(Action::NotFound) => response::json(StatusCode::NOT_FOUND, content),
            Some(Action::CallerError) => {
                tracing::error!(
                    result_code = answer.result_code.as_deref(),
                    result_message = answer.result_message.as_deref(),
                    "Authlete's /gm says the grant management request was built wrongly"
                );
                response::server_error("grant management: CALLER_ERROR")
            }
            Some(Action::AuthleteError) => {
                tracing::error!(
                    result_code = answer.result_code.as_deref(),
                    result_message = answer.result_message.as_deref(),
                    "Authlete's /gm failed"
                );
                response::server_error("grant management: AUTHLETE_ERROR")
            }
            Some(other) => response::unknown_action("grant_m_api", other.as_str()),
            None => response::unknown_action("grant_m_api", "(none)"),
        };
        Ok(response.with_dpop_nonce(answer.dpop_nonce.as_deref()))
    }
}

/// `401` with `WWW-Authenticate: Bearer` and no error code (RFC 6750 section 3.1: the
/// request carried no credentials).
fn missing_token() -> Response {
    response::empty(StatusCode::UNAUTHORIZED).with_www_authenticate(Some("Bearer"))
}

/// A `WWW-Authenticate` challenge for `scheme` carrying the `error` of an OAuth error JSON
/// (RFC 6750 section 3), or `fallback` when the JSON has no usable error code.
pub(super) fn error_challenge(scheme: TokenScheme, content: &str, fallback: &str) -> String {
    let scheme = match scheme {
        TokenScheme::Bearer => "Bearer",
        TokenScheme::Dpop => "DPoP",
    };
    let code = serde_json::from_str::<serde_json::Value>(content)
        .ok()
        .and_then(|json| json.get("error")?.as_str().map(str::to_owned))
        // RFC 6749 section 5.2: NQSCHAR, so it can be quoted as is.
        .filter(|code| {
            !code.is_empty()
                && code
                    .bytes()
                    .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
        })
        .unwrap_or_else(|| fallback.to_owned());
    format!("{scheme} error=\"{code}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_carry_a_safe_error_code() {
        assert_eq!(
            error_challenge(
                TokenScheme::Bearer,
                r#"{"error":"invalid_token","error_description":"expired"}"#,
                "x"
            ),
            "Bearer error=\"invalid_token\""
        );
        assert_eq!(
            error_challenge(TokenScheme::Dpop, r#"{"error":"a\"b"}"#, "invalid_token"),
            "DPoP error=\"invalid_token\""
        );
        assert_eq!(
            error_challenge(TokenScheme::Bearer, "not json", "invalid_token"),
            "Bearer error=\"invalid_token\""
        );
    }
}
