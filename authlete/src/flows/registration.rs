//! Dynamic client registration: the registration endpoint (RFC 7591, OpenID Connect
//! Dynamic Client Registration 1.0) and the client configuration endpoint (RFC 7592).
//!
//! A client registers itself by `POST`ing its metadata (redirect URIs, name, keys, ...) as
//! JSON to [`RegistrationEndpoint`], and receives its `client_id`, usually a secret, and a
//! registration access token. With that token it can later read (`GET`), update (`PUT`)
//! or delete (`DELETE`) its registration at `/register/{clientId}`, served by
//! [`ClientConfigurationEndpoint`].
//!
//! Authlete validates the metadata and the tokens, and keeps the client; these handlers
//! only check that the request is well-formed HTTP and JSON, and relay Authlete's answer.
//! The application supplies the client ID from the path of configuration requests; policy,
//! such as whether registration needs an initial access token, is the service's setting
//! at Authlete.
//!
//! | Authlete action | response |
//! |---|---|
//! | `CREATED` | `201` with the registered client's metadata (JSON) |
//! | `OK`, `UPDATED` | `200` with the client's metadata (JSON) |
//! | `DELETED` | `204` |
//! | `BAD_REQUEST` | `400` with the error JSON (e.g. `invalid_client_metadata`) |
//! | `UNAUTHORIZED` | `401` with the error JSON and `WWW-Authenticate: Bearer error="..."` (RFC 6750) |
//! | `INTERNAL_SERVER_ERROR` | `500` with Authlete's error JSON |
//! | anything else | `500` with a generic body |
//!
//! ```no_run
//! use authlete::flows::registration::{ClientConfigurationEndpoint, RegistrationEndpoint};
//! use authlete::flows::{Bytes, FlowSettings, Response};
//!
//! # fn not_found() -> Response { unimplemented!() }
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let registration = RegistrationEndpoint::new(client.clone(), FlowSettings::default());
//! let configuration = ClientConfigurationEndpoint::new(client, FlowSettings::default());
//! let path = request.uri().path();
//! if path == "/register" {
//!     registration.handle(&request).await
//! } else if let Some(client_id) = path.strip_prefix("/register/") {
//!     // The client ID is part of the path, so the router extracts it, not the handler.
//!     configuration.handle(&request, client_id).await
//! } else {
//!     not_found()
//! }
//! # }
//! ```

use bytes::Bytes;
use http::{Method, Request, StatusCode};

use super::grant_management::error_challenge;
use super::request::{self, BadRequest, TokenScheme};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{
    ClientRegistrationRequest, ClientRegistrationResponse,
    ClientRegistrationResponseAction as Action,
};
use crate::{Client, Error, Secret};

/// Handles `POST /register` (RFC 7591): registers a client through Authlete's
/// `/client/registration`.
///
/// The body must be `application/json`; it is passed to Authlete as is, which validates the
/// metadata (a body that is not JSON at all is refused with `400 invalid_client_metadata`
/// before Authlete is asked). An initial access token in `Authorization: Bearer` is passed
/// on; whether one is required is the service's setting. See the [module
/// documentation](self) for the action table.
#[derive(Debug, Clone)]
pub struct RegistrationEndpoint {
    client: Client,
    settings: FlowSettings,
}

impl RegistrationEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self { client, settings }
    }

    /// Handles one registration request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        match self.try_handle(request).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(&self, request: &Request<Bytes>) -> Result<Response, Response> {
        if request.method() != Method::POST {
            return Err(BadRequest::MethodNotAllowed { allowed: "POST" }.into_response());
        }
        let json = json_body(request, &self.settings).map_err(NotJson::into_response)?;
        let token = request::access_token(request.headers())
            .map_err(BadRequest::into_response)?
            .map(|(_, token)| token);
        let body = ClientRegistrationRequest {
            client_id: None,
            json: Some(json),
            token,
        };
        Ok(relay(
            "client_registration_api",
            self.client.dynamic_client_register(&body).await,
        ))
    }
}

/// Handles `GET`, `PUT` and `DELETE` on `/register/{clientId}` (RFC 7592): reads, updates
/// or deletes a dynamically registered client through Authlete's
/// `/client/registration/get`, `/update` and `/delete`.
///
/// The application's router extracts `clientId` from the path and passes it to
/// [`handle`](Self::handle). The registration access token must come in
/// `Authorization: Bearer`; a request without one is answered `401` with
/// `WWW-Authenticate: Bearer` before Authlete is asked. The body of `PUT` must be
/// `application/json`. See the [module documentation](self) for the action table.
#[derive(Debug, Clone)]
pub struct ClientConfigurationEndpoint {
    client: Client,
    settings: FlowSettings,
}

impl ClientConfigurationEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self { client, settings }
    }

    /// The settings the handler was built with (its body limit, for adapters).
    pub fn settings(&self) -> &FlowSettings {
        &self.settings
    }

    /// Handles one client configuration request for the client `client_id`.
    pub async fn handle(&self, request: &Request<Bytes>, client_id: &str) -> Response {
        match self.try_handle(request, client_id).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(
        &self,
        request: &Request<Bytes>,
        client_id: &str,
    ) -> Result<Response, Response> {
        let method = request.method();
        if ![Method::GET, Method::PUT, Method::DELETE].contains(method) {
            return Err(BadRequest::MethodNotAllowed {
                allowed: "GET, PUT, DELETE",
            }
            .into_response());
        }
        if request.body().len() > self.settings.max_body_bytes {
            return Err(BadRequest::PayloadTooLarge.into_response());
        }
        let json = if method == Method::PUT {
            Some(json_body(request, &self.settings).map_err(NotJson::into_response)?)
        } else {
            None
        };
        let token =
            match request::access_token(request.headers()).map_err(BadRequest::into_response)? {
                Some((TokenScheme::Bearer, token)) => token,
                // RFC 7592 section 3: the registration access token is a Bearer token.
                _ => {
                    return Err(response::empty(StatusCode::UNAUTHORIZED)
                        .with_www_authenticate(Some("Bearer")));
                }
            };
        let body = ClientRegistrationRequest {
            client_id: Some(client_id.to_owned()),
            json,
            token: Some(token),
        };
        Ok(if *method == Method::GET {
            relay(
                "client_registration_get_api",
                self.client.dynamic_client_get(&body).await,
            )
        } else if *method == Method::PUT {
            relay(
                "client_registration_update_api",
                self.client.dynamic_client_update(&body).await,
            )
        } else {
            relay(
                "client_registration_delete_api",
                self.client.dynamic_client_delete(&body).await,
            )
        })
    }
}

/// The body of a request carrying client metadata: `application/json`, within the size
/// limit, and JSON text (Authlete judges the metadata itself).
fn json_body(request: &Request<Bytes>, settings: &FlowSettings) -> Result<String, NotJson> {
    if request.body().len() > settings.max_body_bytes {
        return Err(NotJson::Refused(BadRequest::PayloadTooLarge));
    }
    let media_type = request::media_type(request).map_err(NotJson::Refused)?;
    if media_type.as_deref() != Some("application/json") {
        return Err(NotJson::MediaType);
    }
    let text = std::str::from_utf8(request.body()).map_err(|_| NotJson::Syntax)?;
    // serde_json limits nesting, so hostile input cannot exhaust the stack.
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|_| NotJson::Syntax)?;
    Ok(text.to_owned())
}

/// Why a body carrying client metadata was refused.
enum NotJson {
    /// Too large, or a repeated or invalid `Content-Type`.
    Refused(BadRequest),
    /// Not `application/json`.
    MediaType,
    /// Not JSON text.
    Syntax,
}

impl NotJson {
    fn into_response(self) -> Response {
        match self {
            NotJson::Refused(bad) => bad.into_response(),
            NotJson::MediaType => response::oauth_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                "the body must be application/json",
            ),
            NotJson::Syntax => response::oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                "the body is not JSON",
            ),
        }
    }
}

/// Authlete's answer as the HTTP response.
fn relay(operation: &'static str, answer: Result<ClientRegistrationResponse, Error>) -> Response {
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return response::authlete_failure(&e),
    };
    let content = answer
        .response_content
        .as_ref()
        .map(Secret::expose_secret)
        .unwrap_or_default()
        .to_owned();
    match answer.action {
        Some(Action::Created) => response::json(StatusCode::CREATED, content),
        Some(Action::Ok | Action::Updated) => response::json(StatusCode::OK, content),
        Some(Action::Deleted) => response::no_content(),
        Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
        Some(Action::Unauthorized) => {
            let challenge = error_challenge(TokenScheme::Bearer, &content, "invalid_token");
            response::json(StatusCode::UNAUTHORIZED, content)
                .with_www_authenticate(Some(&challenge))
        }
        Some(Action::InternalServerError) => {
            tracing::error!(
                operation,
                result_code = answer.result_code.as_deref(),
                result_message = answer.result_message.as_deref(),
                "Authlete answered INTERNAL_SERVER_ERROR"
            );
            response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
        }
        Some(other) => response::unknown_action(operation, other.as_str()),
        None => response::unknown_action(operation, "(none)"),
    }
}

impl crate::flows::Endpoint for RegistrationEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        RegistrationEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
