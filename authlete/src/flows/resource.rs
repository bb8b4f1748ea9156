//! Protecting resources: validating the access token a request presents (RFC 6750 Bearer
//! or RFC 9449 DPoP) through Authlete's `/auth/introspection`.
//!
//! [`TokenValidator`] takes the token from `Authorization`, and sends Authlete the
//! conditions it must meet: the scopes, subject, resources (audience), ACR and maximum
//! authentication age the resource requires, whether DPoP proofs need a nonce, the client
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
    resources: Vec<String>,
    acr_values: Vec<String>,
    max_age: Option<Duration>,
    dpop_nonce_required: bool,
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
/// | `OK`, but not for a [required resource](Self::required_resources) | `Err`: `401` with `error="invalid_token"` (RFC 6750 section 3.1; RFC 8707 section 2) |
/// | `OK`, but an `acr` not [required](Self::required_acr_values), or an authentication older than the [maximum age](Self::max_authentication_age) | `Err`: `401` with `error="insufficient_user_authentication"` and the `acr_values` or `max_age` asked for (RFC 9470 section 3) |
/// | anything else, no action, Authlete unreachable | `Err`: generic `500` (`503` with `Retry-After` when retrying may help) |
///
/// Every error response carries `Cache-Control: no-store` and `Pragma: no-cache`, and
/// `DPoP-Nonce` when Authlete gives one; error responses from Authlete's answer have an
/// empty body, the challenge says it all (RFC 6750 section 3).
///
/// The requirements are sent to Authlete, which checks them, and checked again on
/// Authlete's `OK` answer, so that an Authlete version that ignores one of them cannot let a
/// token through. The challenges the validator builds itself use the scheme the token was
/// presented with (`Bearer` or `DPoP`).
///
/// ```no_run
/// use std::time::Duration;
///
/// use authlete::flows::FlowSettings;
/// use authlete::flows::resource::TokenValidator;
///
/// # fn run(client: authlete::Client) {
/// // Payments: tokens for this API only, from a strong and recent login.
/// let validator = TokenValidator::new(client, FlowSettings::default())
///     .required_scopes(["payments"])
///     .required_resources(["https://api.example.com/payments"])
///     .required_acr_values(["urn:example:acr:mfa"])
///     .max_authentication_age(Duration::from_secs(300))
///     .dpop_nonce_required(true);
/// # let _ = validator;
/// # }
/// ```
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
            .field("required_resources", &self.inner.resources)
            .field("required_acr_values", &self.inner.acr_values)
            .field("max_authentication_age", &self.inner.max_age)
            .field("dpop_nonce_required", &self.inner.dpop_nonce_required)
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
                resources: Vec::new(),
                acr_values: Vec::new(),
                max_age: None,
                dpop_nonce_required: false,
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

    /// The same validator, also requiring the token to have been issued for every one of
    /// `resources`: the resource indicators (RFC 8707) that name this resource server, its
    /// audience. A token issued without resource indicators does not satisfy it. Otherwise
    /// `401` `invalid_token`. Replaces the resources set before.
    #[must_use]
    pub fn required_resources<S: Into<String>>(
        mut self,
        resources: impl IntoIterator<Item = S>,
    ) -> Self {
        Arc::make_mut(&mut self.inner).resources = resources.into_iter().map(Into::into).collect();
        self
    }

    /// The same validator, also requiring the user authentication behind the token to have
    /// satisfied one of `acr_values` (its `acr`); otherwise `401`
    /// `insufficient_user_authentication` with `acr_values` (RFC 9470), so that the client
    /// can ask the user to authenticate again. Replaces the values set before.
    #[must_use]
    pub fn required_acr_values<S: Into<String>>(
        mut self,
        acr_values: impl IntoIterator<Item = S>,
    ) -> Self {
        Arc::make_mut(&mut self.inner).acr_values =
            acr_values.into_iter().map(Into::into).collect();
        self
    }

    /// The same validator, also requiring the user authentication behind the token to be
    /// at most `max_age` old (whole seconds); a token whose authentication time is unknown
    /// does not satisfy it. Otherwise `401` `insufficient_user_authentication` with
    /// `max_age` (RFC 9470).
    #[must_use]
    pub fn max_authentication_age(mut self, max_age: Duration) -> Self {
        Arc::make_mut(&mut self.inner).max_age = Some(max_age);
        self
    }

    /// The same validator, requiring (with `true`) a server nonce in DPoP proofs even when
    /// the service's `dpopNonceRequired` does not (RFC 9449 section 9). Authlete then
    /// refuses a proof without the nonce it expects, and its `DPoP-Nonce` reaches the
    /// client with the error response, or with [`TokenInfo::dpop_nonce`].
    #[must_use]
    pub fn dpop_nonce_required(mut self, required: bool) -> Self {
        Arc::make_mut(&mut self.inner).dpop_nonce_required = required;
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
            resources: inner.resources.clone(),
            acr_values: inner.acr_values.clone(),
            max_age: inner
                .max_age
                .map(|age| i32::try_from(age.as_secs()).unwrap_or(i32::MAX)),
            dpop_nonce_required: inner.dpop_nonce_required.then_some(true),
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
            Some(Action::Ok) => {
                return match inner.unmet_requirement(&answer, now()) {
                    None => Ok(token_info(scheme, token, answer)),
                    Some(unmet) => Err(response::empty(StatusCode::UNAUTHORIZED)
                        .with_www_authenticate(Some(&unmet.challenge(scheme)))
                        .with_dpop_nonce(answer.dpop_nonce.as_deref())),
                };
            }
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

impl Inner {
    /// The first requirement the token Authlete found valid does not meet.
    fn unmet_requirement(&self, answer: &IntrospectionResponse, now: i64) -> Option<Unmet> {
        let for_us = |resource: &String| {
            answer.access_token_resources.contains(resource) || answer.resources.contains(resource)
        };
        if !self.resources.iter().all(for_us) {
            return Some(Unmet::Resource);
        }
        if !self.acr_values.is_empty()
            && !answer
                .acr
                .as_ref()
                .is_some_and(|acr| self.acr_values.contains(acr))
        {
            return Some(Unmet::Acr(self.acr_values.join(" ")));
        }
        if let Some(max_age) = self.max_age {
            let max_age = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
            let recent = answer
                .auth_time
                .is_some_and(|time| time.saturating_add(max_age) >= now);
            if !recent {
                return Some(Unmet::MaxAge(max_age));
            }
        }
        None
    }
}

/// A requirement of the validator that a valid token does not meet.
enum Unmet {
    Resource,
    Acr(String),
    MaxAge(i64),
}

impl Unmet {
    /// The RFC 6750 / RFC 9470 challenge, in the scheme the token came with.
    fn challenge(&self, scheme: TokenScheme) -> String {
        let scheme = match scheme {
            TokenScheme::Dpop => "DPoP",
            _ => "Bearer",
        };
        match self {
            Unmet::Resource => format!(
                "{scheme} error=\"invalid_token\", \
                 error_description=\"The access token is not for this resource\""
            ),
            Unmet::Acr(values) => format!(
                "{scheme} error=\"insufficient_user_authentication\", \
                 error_description=\"A different authentication level is required\", \
                 acr_values=\"{}\"",
                values.replace(['"', '\\'], "")
            ),
            Unmet::MaxAge(max_age) => format!(
                "{scheme} error=\"insufficient_user_authentication\", \
                 error_description=\"More recent authentication is required\", \
                 max_age=\"{max_age}\""
            ),
        }
    }
}

/// Seconds since the Unix epoch.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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
