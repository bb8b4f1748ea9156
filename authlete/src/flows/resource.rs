//! Protecting resources: validating the access token a request presents (RFC 6750 Bearer
//! or RFC 9449 DPoP) through Authlete's `/auth/introspection`.
//!
//! [`TokenValidator`] takes the token from `Authorization`, and sends Authlete the
//! conditions it must meet: the scopes and subject the resource requires, the client
//! certificate of a mutual-TLS connection (certificate-bound tokens, RFC 8705) and the
//! `DPoP` proof with the request's method (`htm`) and public URL (`htu`, which Authlete
//! needs to check proofs at a resource server: configure where it comes from with a
//! [`Proxy`](super::Proxy); the default sends none). The result is the
//! token's [`TokenInfo`], or the complete error response with the `WWW-Authenticate`
//! challenge Authlete prepared.
//!
//! ```no_run
//! use authlete::flows::FlowSettings;
//! use authlete::flows::resource::TokenValidator;
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) -> authlete::flows::Response {
//! let validator = TokenValidator::new(client, FlowSettings::default())
//!     .required_scopes(["photos.read"]);
//! let info = match validator.validate(&request).await {
//!     Ok(info) => info,
//!     Err(response) => return response,
//! };
//! // Serve the resource for info.subject ...
//! # let _ = info; todo!()
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Extensions, HeaderMap, Method, Request, StatusCode, Uri};

use super::request::{self, BadRequest, RequestExtras, TokenScheme};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{
    IntrospectionRequest, IntrospectionResponse, IntrospectionResponseAction as Action, Property,
};
use crate::{Client, Secret};

/// A valid access token: who it is for, what it allows, until when.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenInfo {
    /// How the token was presented.
    pub scheme: TokenScheme,
    /// The token itself (to pass on, e.g. in a token exchange).
    pub access_token: Secret,
    /// The resource owner; `None` for a token of the client credentials grant.
    pub subject: Option<String>,
    /// The numeric ID of the client the token was issued to.
    pub client_id: Option<i64>,
    /// The client ID alias, when the client has one.
    pub client_id_alias: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When the token expires.
    pub expires_at: Option<SystemTime>,
    /// The properties attached to the token (hidden ones included).
    pub properties: Vec<Property>,
    /// A `DPoP-Nonce` Authlete wants the client to use next: send it with the resource's
    /// response (`DPoP-Nonce` header).
    pub dpop_nonce: Option<String>,
    /// Everything Authlete said about the token.
    pub introspection: IntrospectionResponse,
}

impl TokenInfo {
    /// Whether the token has `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The value of the property `key`, if the token has it.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.key.as_deref() == Some(key))
            .and_then(|p| p.value.as_deref())
    }
}

#[derive(Clone)]
struct Inner {
    client: Client,
    settings: FlowSettings,
    scopes: Vec<String>,
    subject: Option<String>,
}

/// Validates the access tokens of requests to protected resources. Cheap to clone (one
/// reference count): build it once, share it between requests.
///
/// | case | result |
/// |---|---|
/// | no `Authorization: Bearer` or `DPoP` | `Err`: `401` with `WWW-Authenticate: Bearer` (RFC 6750 section 3.1: no error code) |
/// | malformed or repeated `Authorization` or `DPoP` header | `Err`: `400` `invalid_request` with a `Bearer error="invalid_request"` challenge |
/// | `OK` | `Ok(TokenInfo)` |
/// | `BAD_REQUEST` | `Err`: `400` with Authlete's challenge in `WWW-Authenticate` |
/// | `UNAUTHORIZED` | `Err`: `401` with Authlete's challenge (invalid, expired, wrongly bound token) |
/// | `FORBIDDEN` | `Err`: `403` with Authlete's challenge (`insufficient_scope`, other subject) |
/// | `INTERNAL_SERVER_ERROR` | `Err`: `500` with Authlete's challenge |
/// | anything else, no action, Authlete unreachable | `Err`: generic `500` (`503` with `Retry-After` when retrying may help) |
///
/// Every error response carries `Cache-Control: no-store` and `Pragma: no-cache`, and
/// `DPoP-Nonce` when Authlete gives one; error responses from Authlete's answer have an
/// empty body, the challenge says it all (RFC 6750 section 3).
#[derive(Clone)]
pub struct TokenValidator {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenValidator")
            .field("client", &self.inner.client)
            .field("settings", &self.inner.settings)
            .field("required_scopes", &self.inner.scopes)
            .field("required_subject", &self.inner.subject)
            .finish()
    }
}

impl TokenValidator {
    /// A validator calling Authlete with `client`, requiring nothing but a valid token.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                settings,
                scopes: Vec::new(),
                subject: None,
            }),
        }
    }

    /// The same validator, also requiring every one of `scopes` (else `403`
    /// `insufficient_scope`); replaces the scopes set before.
    #[must_use]
    pub fn required_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        Arc::make_mut(&mut self.inner).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The same validator, also requiring the token's subject to be `subject` (else
    /// `403`).
    #[must_use]
    pub fn required_subject(mut self, subject: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.inner).subject = Some(subject.into());
        self
    }

    /// Validates the access token of `request`.
    pub async fn validate(&self, request: &Request<Bytes>) -> Result<TokenInfo, Response> {
        self.check(
            request.method(),
            request.uri(),
            request.headers(),
            request.extensions(),
        )
        .await
    }

    /// Validates the access token of a request of which only the head is at hand (the
    /// body is not needed), such as in a middleware that passes the body on.
    pub async fn validate_parts(
        &self,
        parts: &http::request::Parts,
    ) -> Result<TokenInfo, Response> {
        self.check(&parts.method, &parts.uri, &parts.headers, &parts.extensions)
            .await
    }

    async fn check(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        extensions: &Extensions,
    ) -> Result<TokenInfo, Response> {
        let inner = &*self.inner;
        let (scheme, token) = match request::access_token(headers) {
            Ok(Some(found)) => found,
            Ok(None) => {
                return Err(
                    response::empty(StatusCode::UNAUTHORIZED).with_www_authenticate(Some("Bearer"))
                );
            }
            Err(bad) => return Err(invalid_request(bad)),
        };
        let dpop = request::dpop_proof(headers).map_err(invalid_request)?;
        let certificate = extensions
            .get::<RequestExtras>()
            .and_then(|extras| extras.client_certificate.clone())
            .or_else(|| {
                inner
                    .settings
                    .proxy
                    .client_certificate(headers)
                    .map(|(certificate, _)| certificate)
            });
        let body = IntrospectionRequest {
            token: token.clone(),
            scopes: inner.scopes.clone(),
            subject: inner.subject.clone(),
            client_certificate: certificate,
            dpop,
            htm: Some(method.as_str().to_owned()),
            htu: inner
                .settings
                .proxy
                .public_url(uri, headers)
                .map(String::from),
            ..Default::default()
        };
        let answer = inner
            .client
            .introspection(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let status = match &answer.action {
            Some(Action::Ok) => return Ok(token_info(scheme, token, answer)),
            Some(Action::BadRequest) => StatusCode::BAD_REQUEST,
            Some(Action::Unauthorized) => StatusCode::UNAUTHORIZED,
            Some(Action::Forbidden) => StatusCode::FORBIDDEN,
            Some(Action::InternalServerError) => StatusCode::INTERNAL_SERVER_ERROR,
            Some(other) => {
                return Err(
                    response::unknown_action("auth_introspection_api", other.as_str())
                        .with_dpop_nonce(answer.dpop_nonce.as_deref()),
                );
            }
            None => {
                return Err(response::unknown_action("auth_introspection_api", "(none)")
                    .with_dpop_nonce(answer.dpop_nonce.as_deref()));
            }
        };
        Err(response::empty(status)
            .with_www_authenticate(answer.response_content.as_deref())
            .with_dpop_nonce(answer.dpop_nonce.as_deref()))
    }
}

/// `400 invalid_request` with a Bearer challenge (RFC 6750 section 3.1).
fn invalid_request(bad: BadRequest) -> Response {
    let challenge = format!(
        "Bearer error=\"invalid_request\", error_description=\"{}\"",
        bad.to_string().replace(['"', '\\'], "")
    );
    bad.into_response().with_www_authenticate(Some(&challenge))
}

fn token_info(
    scheme: TokenScheme,
    access_token: Secret,
    answer: IntrospectionResponse,
) -> TokenInfo {
    let expires_at = answer
        .expires_at
        .and_then(|ms| u64::try_from(ms).ok())
        .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms)));
    TokenInfo {
        scheme,
        access_token,
        subject: answer.subject.clone(),
        client_id: answer.client_id,
        client_id_alias: answer.client_id_alias.clone(),
        scopes: answer.scopes.clone(),
        expires_at,
        properties: answer.properties.clone(),
        dpop_nonce: answer.dpop_nonce.clone(),
        introspection: answer,
    }
}
