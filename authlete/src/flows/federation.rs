//! OpenID Federation 1.0: the entity configuration endpoint and the endpoint for explicit
//! client registration.
//!
//! ```no_run
//! use authlete::flows::FlowSettings;
//! use authlete::flows::federation::{FederationConfigurationEndpoint, FederationRegistrationEndpoint};
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! // GET /.well-known/openid-federation
//! let configuration = FederationConfigurationEndpoint::new(client.clone(), FlowSettings::default());
//! // POST /federation/register (the `federation_registration_endpoint`)
//! let registration = FederationRegistrationEndpoint::new(client, FlowSettings::default());
//! let response = registration.handle(&request).await;
//! # let _ = (configuration, response);
//! # }
//! ```

use bytes::Bytes;
use http::{Method, Request, StatusCode};

use super::request::{self, BadRequest};
use super::response;
use super::{FlowSettings, Response};
use crate::Client;
use crate::types::{
    FederationConfigurationResponseAction as ConfigurationAction, FederationRegistrationRequest,
    FederationRegistrationResponseAction as RegistrationAction,
};

/// `application/entity-statement+jwt`: an entity configuration or entity statement.
pub const ENTITY_STATEMENT_JWT: &str = "application/entity-statement+jwt";
/// `application/trust-chain+json`: a trust chain, a JSON array of entity statements.
pub const TRUST_CHAIN_JSON: &str = "application/trust-chain+json";
/// `application/explicit-registration-response+jwt`: the answer to an explicit registration.
pub const EXPLICIT_REGISTRATION_RESPONSE_JWT: &str =
    "application/explicit-registration-response+jwt";

/// Handles `GET /.well-known/openid-federation`: the entity configuration of the server,
/// built by Authlete's `/federation/configuration`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the entity configuration, `Content-Type: application/entity-statement+jwt` |
/// | `NOT_FOUND` | `404` with the error JSON (federation is not enabled for the service) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | `500` with a generic body |
///
/// Any method but `GET` is answered `405`.
#[derive(Debug, Clone)]
pub struct FederationConfigurationEndpoint {
    client: Client,
}

impl FederationConfigurationEndpoint {
    /// A handler calling Authlete with `client`. A `GET` has no body, so no setting applies
    /// yet; `settings` keeps the constructor the same as every other handler's.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        let _ = settings;
        Self { client }
    }

    /// Handles one request for the entity configuration.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        if request.method() != Method::GET {
            return BadRequest::MethodNotAllowed { allowed: "GET" }.into_response();
        }
        let answer = match self
            .client
            .federation_configuration(&Default::default())
            .await
        {
            Ok(answer) => answer,
            Err(e) => return response::authlete_failure(&e),
        };
        let content = answer.response_content.unwrap_or_default();
        match answer.action {
            Some(ConfigurationAction::Ok) => {
                response::content(StatusCode::OK, ENTITY_STATEMENT_JWT, content)
            }
            Some(ConfigurationAction::NotFound) => response::json(StatusCode::NOT_FOUND, content),
            Some(ConfigurationAction::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => response::unknown_action("federation_configuration_api", other.as_str()),
            None => response::unknown_action("federation_configuration_api", "(none)"),
        }
    }
}

/// Handles `POST` to the `federation_registration_endpoint`: explicit client registration,
/// through Authlete's `/federation/registration`.
///
/// The body is the relying party's entity configuration
/// (`Content-Type: application/entity-statement+jwt`, passed as `entityConfiguration`) or
/// its trust chain (`Content-Type: application/trust-chain+json`, passed as `trustChain`).
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the registration statement, `Content-Type: application/explicit-registration-response+jwt` |
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `NOT_FOUND` | `404` with the error JSON (federation is not enabled for the service) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | `500` with a generic body |
///
/// Before Authlete is asked: any method but `POST` is answered `405`, another content type
/// `415`, a body over [`FlowSettings::max_body_bytes`] `413`, and a body that is not a
/// compact JWT (entity configuration) or a JSON array of strings (trust chain) `400`.
#[derive(Debug, Clone)]
pub struct FederationRegistrationEndpoint {
    client: Client,
    settings: FlowSettings,
}

impl FederationRegistrationEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self { client, settings }
    }

    /// Handles one explicit registration request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        match self.try_handle(request).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(&self, request: &Request<Bytes>) -> Result<Response, Response> {
        let body = registration_body(request, &self.settings).map_err(Refused::into_response)?;
        let answer = self
            .client
            .federation_registration(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = answer.response_content.unwrap_or_default();
        Ok(match answer.action {
            Some(RegistrationAction::Ok) => {
                response::content(StatusCode::OK, EXPLICIT_REGISTRATION_RESPONSE_JWT, content)
            }
            Some(RegistrationAction::BadRequest) => {
                response::json(StatusCode::BAD_REQUEST, content)
            }
            Some(RegistrationAction::NotFound) => response::json(StatusCode::NOT_FOUND, content),
            Some(RegistrationAction::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => response::unknown_action("federation_registration_api", other.as_str()),
            None => response::unknown_action("federation_registration_api", "(none)"),
        })
    }
}

/// Why a registration request was refused before Authlete was asked.
enum Refused {
    /// `405`, `413` or `400`.
    Bad(BadRequest),
    /// `415`: neither an entity statement nor a trust chain.
    UnsupportedMediaType,
}

impl From<BadRequest> for Refused {
    fn from(bad: BadRequest) -> Self {
        Self::Bad(bad)
    }
}

impl Refused {
    fn into_response(self) -> Response {
        match self {
            Self::Bad(bad) => bad.into_response(),
            Self::UnsupportedMediaType => response::oauth_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                "the body must be application/entity-statement+jwt or application/trust-chain+json",
            ),
        }
    }
}

/// The registration request: the entity configuration or the trust chain, by content type.
fn registration_body(
    request: &Request<Bytes>,
    settings: &FlowSettings,
) -> Result<FederationRegistrationRequest, Refused> {
    if request.method() != Method::POST {
        return Err(BadRequest::MethodNotAllowed { allowed: "POST" }.into());
    }
    if request.body().len() > settings.max_body_bytes {
        return Err(BadRequest::PayloadTooLarge.into());
    }
    let media_type = request::media_type(request)?;
    let text = || {
        std::str::from_utf8(request.body())
            .map(str::trim)
            .map_err(|_| BadRequest::Malformed("the body is not valid UTF-8"))
    };
    match media_type.as_deref() {
        Some(ENTITY_STATEMENT_JWT) => {
            let jwt = text()?;
            if !is_compact_jws(jwt) {
                return Err(BadRequest::Malformed(
                    "the body is not an entity statement (a compact JWT)",
                )
                .into());
            }
            Ok(FederationRegistrationRequest {
                entity_configuration: Some(jwt.to_owned()),
                trust_chain: None,
            })
        }
        Some(TRUST_CHAIN_JSON) => {
            let chain = text()?;
            let valid = serde_json::from_str::<Vec<String>>(chain)
                .is_ok_and(|statements| !statements.is_empty());
            if !valid {
                return Err(BadRequest::Malformed(
                    "the body is not a trust chain (a JSON array of entity statements)",
                )
                .into());
            }
            Ok(FederationRegistrationRequest {
                entity_configuration: None,
                trust_chain: Some(chain.to_owned()),
            })
        }
        _ => Err(Refused::UnsupportedMediaType),
    }
}

/// Three non-empty base64url parts separated by dots.
fn is_compact_jws(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

impl crate::flows::Endpoint for FederationConfigurationEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        FederationConfigurationEndpoint::handle(self, request).await
    }
}

impl crate::flows::Endpoint for FederationRegistrationEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        FederationRegistrationEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_jws_shape() {
        assert!(is_compact_jws("eyJh.eyJp.c2ln"));
        for bad in ["", "a.b", "a.b.c.d", "a..c", "a.b.c=", "a.b.c\n", "a.b/.c"] {
            assert!(!is_compact_jws(bad), "{bad:?}");
        }
    }
}
