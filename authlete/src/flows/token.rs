//! The token endpoint (RFC 6749 section 3.2).
//!
//! [`TokenEndpoint`] forwards the client's token request to Authlete's `/auth/token` and
//! relays the answer. Most grants (authorization code, refresh token, client credentials,
//! device code, CIBA) need nothing from the application; the few that do ask a
//! [`TokenPolicy`]:
//!
//! - the resource owner password credentials grant (`PASSWORD`): is this password right?
//! - token exchange (RFC 8693) and the JWT bearer grant (RFC 7523): the application
//!   validates the tokens or assertion and builds the answer itself;
//! - refresh token requests that may reissue an ID token (`ID_TOKEN_REISSUABLE`);
//! - OpenID Connect Native SSO for Mobile Apps (`NATIVE_SSO`): the session and device secret.
//!
//! [`DefaultTokenPolicy`] refuses the password grant, token exchange and JWT bearer grants,
//! reissues no ID token and answers Native SSO requests as ordinary ones.
//!
//! ```no_run
//! use authlete::Secret;
//! use authlete::flows::FlowSettings;
//! use authlete::flows::token::{ResourceOwner, TokenEndpoint, TokenPolicy};
//! use authlete::types::TokenResponse;
//!
//! struct Users;
//!
//! impl TokenPolicy for Users {
//!     async fn authenticate_user(
//!         &self,
//!         username: &str,
//!         password: &Secret,
//!         _token: &TokenResponse,
//!     ) -> Option<ResourceOwner> {
//!         // Look the user up and verify the password against its stored hash.
//!         (username == "john" && password.expose_secret() == "correct horse")
//!             .then(|| ResourceOwner::new("user-1001"))
//!     }
//! }
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! let endpoint = TokenEndpoint::new(client, FlowSettings::default(), Users);
//! let response = endpoint.handle(&request).await;
//! # let _ = response;
//! # }
//! ```

use std::fmt;
use std::future::Future;

use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};

use super::request::{self, BadRequest, ClientAuthentication};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{
    IdTokenReissueRequest, IdTokenReissueResponseAction, NativeSsoRequest, NativeSsoResponseAction,
    Property, TokenFailRequest, TokenFailRequestReason, TokenFailResponseAction, TokenIssueRequest,
    TokenIssueResponseAction, TokenRequest, TokenResponse, TokenResponseAction as Action,
};
use crate::{Client, Secret};

/// The realm of the `Basic` challenge of every `401`.
const REALM: &str = "token";

/// The resource owner a password grant authenticated, and what to attach to the tokens
/// Authlete issues (sent to `/auth/token/issue`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceOwner {
    /// The user's unique identifier: the `sub` of the tokens.
    pub subject: String,
    /// Extra properties to attach to the access token.
    pub properties: Vec<Property>,
    /// Extra claims (a JSON object) for a JWT access token.
    pub jwt_at_claims: Option<String>,
}

impl ResourceOwner {
    /// The user identified by `subject`, with nothing attached.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            properties: Vec::new(),
            jwt_at_claims: None,
        }
    }

    /// The same user, with `properties` attached to the access token.
    #[must_use]
    pub fn with_properties(mut self, properties: Vec<Property>) -> Self {
        self.properties = properties;
        self
    }

    /// The same user, with extra claims (a JSON object) for a JWT access token.
    #[must_use]
    pub fn with_jwt_at_claims(mut self, claims: impl Into<String>) -> Self {
        self.jwt_at_claims = Some(claims.into());
        self
    }
}

/// Options for an ID token Authlete issues at the token endpoint (through
/// `/idtoken/reissue` or `/nativesso`). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdTokenOptions {
    /// Extra claims for the ID token's payload (a JSON object).
    pub claims: Option<String>,
    /// The ID token's `sub`, if not the access token's subject.
    pub sub: Option<String>,
    /// Extra parameters for the ID token's JWS header (a JSON object).
    pub idt_header_params: Option<String>,
    /// The shape of `aud`: `array` (Authlete's default) or `string`.
    pub id_token_aud_type: Option<String>,
}

impl IdTokenOptions {
    /// The same options with extra claims (a JSON object).
    #[must_use]
    pub fn with_claims(mut self, claims: impl Into<String>) -> Self {
        self.claims = Some(claims.into());
        self
    }

    /// The same options with another `sub`.
    #[must_use]
    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// The same options with extra JWS header parameters (a JSON object).
    #[must_use]
    pub fn with_idt_header_params(mut self, params: impl Into<String>) -> Self {
        self.idt_header_params = Some(params.into());
        self
    }

    /// The same options with another shape of `aud` (`array` or `string`).
    #[must_use]
    pub fn with_id_token_aud_type(mut self, aud_type: impl Into<String>) -> Self {
        self.id_token_aud_type = Some(aud_type.into());
        self
    }
}

/// What to do with a token request Authlete marked `NATIVE_SSO` (OpenID Connect Native
/// SSO for Mobile Apps 1.0).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NativeSso {
    /// Answer as for `OK`: the token response Authlete prepared, without Native SSO.
    Skip,
    /// The session ([`TokenResponse::session_id`]) is still active and the device secret
    /// is valid (or a new one was made): let Authlete's `/nativesso` issue the Native SSO
    /// ID token and the token response.
    Issue {
        /// The device secret to return as `device_secret`: the valid one the client
        /// presented ([`TokenResponse::device_secret`]) or a newly generated one.
        device_secret: Secret,
        /// The `ds_hash` of the ID token; Authlete computes it from the device secret when
        /// absent.
        device_secret_hash: Option<String>,
        /// Options for the ID token.
        id_token: IdTokenOptions,
    },
    /// The session is over, or the device secret presented in a token exchange is invalid:
    /// `400` with `invalid_grant` and this description.
    Refuse(String),
}

/// What the application decides at the token endpoint. Every method has a default; see
/// the [module documentation](self).
///
/// The methods return `Send` futures so that the handler's future is `Send` too; an
/// `async fn` in the implementation does this when it holds nothing that is not `Send`
/// across an `.await`.
pub trait TokenPolicy: Send + Sync {
    /// The resource owner password credentials grant (RFC 6749 section 4.3): the resource
    /// owner whose `username` and `password` these are, or `None` when they are wrong.
    ///
    /// `token` is Authlete's answer (client, scopes, resources). The default refuses every
    /// password: the grant is deprecated (OAuth 2.0 Security BCP) and enabled only on
    /// purpose.
    fn authenticate_user(
        &self,
        username: &str,
        password: &Secret,
        token: &TokenResponse,
    ) -> impl Future<Output = Option<ResourceOwner>> + Send {
        let _ = (username, password, token);
        async { None }
    }

    /// A token exchange request (RFC 8693) Authlete found valid: validate the subject
    /// (and actor) token as the deployment requires, issue a token (for example through
    /// [`Client::token_create`]) and return the complete answer, or `None` when token
    /// exchange is not supported.
    ///
    /// The default returns `None`: the handler answers `400` with `unsupported_grant_type`
    /// (RFC 6749 section 5.2, to which RFC 8693 section 2.2.2 refers).
    fn token_exchange(
        &self,
        token: &TokenResponse,
        request: &Request<Bytes>,
    ) -> impl Future<Output = Option<Response>> + Send {
        let _ = (token, request);
        async { None }
    }

    /// A JWT bearer grant request (RFC 7523) Authlete found valid: verify the assertion's
    /// issuer, signature and subject as the deployment requires, issue a token and return
    /// the complete answer, or `None` when the grant is not supported.
    ///
    /// The default returns `None`: `400` with `unsupported_grant_type` (RFC 6749 section
    /// 5.2, to which RFC 7523 section 3.1 refers).
    fn jwt_bearer(
        &self,
        token: &TokenResponse,
        request: &Request<Bytes>,
    ) -> impl Future<Output = Option<Response>> + Send {
        let _ = (token, request);
        async { None }
    }

    /// A refresh token request where a new ID token may be issued (`ID_TOKEN_REISSUABLE`):
    /// options for the new ID token, or `None` to answer without one.
    ///
    /// The default returns `None`: the answer is the token response Authlete prepared, as
    /// for `OK`.
    fn reissue_id_token(
        &self,
        token: &TokenResponse,
    ) -> impl Future<Output = Option<IdTokenOptions>> + Send {
        let _ = token;
        async { None }
    }

    /// A token request where Native SSO applies (`NATIVE_SSO`): check that the session
    /// ([`TokenResponse::session_id`]) is still active and the device secret
    /// ([`TokenResponse::device_secret`], and [`TokenResponse::device_secret_hash`] in a
    /// token exchange) is valid for it, then say what to do.
    ///
    /// The default returns [`NativeSso::Skip`]: the answer is the token response Authlete
    /// prepared, as for `OK`.
    fn native_sso(
        &self,
        token: &TokenResponse,
        request: &Request<Bytes>,
    ) -> impl Future<Output = NativeSso> + Send {
        let _ = (token, request);
        async { NativeSso::Skip }
    }
}

/// The [`TokenPolicy`] that uses every default: no password grant, no token exchange, no
/// JWT bearer grant, no ID token reissue, no Native SSO.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultTokenPolicy;

impl TokenPolicy for DefaultTokenPolicy {}

/// Handles `POST /token` through Authlete's `/auth/token`.
///
/// The form body goes to Authlete as `parameters` (client credentials in the form,
/// `client_assertion` and the like are read from there); with it the client's credentials
/// as [`ClientAuthentication::read`] finds them (the client ID and secret of
/// `Authorization: Basic`, the client certificate and its chain, see
/// [`FlowSettings::proxy`], and the `OAuth-Client-Attestation` headers), and the `DPoP`
/// proof with `htm` (the request method) and, when the deployment says what it is, `htu`
/// (the public URL, see [`Proxy`](super::Proxy)). A request that is not a form `POST`
/// (`405`, `415`), is too large (`413`), repeats a parameter or a header, or whose client
/// credentials conflict (`400`), or whose `Authorization` is not well-formed Basic (`401`
/// `invalid_client`) is refused before Authlete is asked.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the token response JSON |
/// | `INVALID_CLIENT` | `401` with the error JSON and `WWW-Authenticate: Basic realm="token"` (RFC 6749 section 5.2, see [`request::challenge`]) |
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | `PASSWORD` | [`TokenPolicy::authenticate_user`]; a user → `/auth/token/issue` (`OK` → `200` with the token JSON, `INTERNAL_SERVER_ERROR` → `500`); `None` → `/auth/token/fail` with `INVALID_RESOURCE_OWNER_CREDENTIALS` (`BAD_REQUEST` → `400` with `invalid_grant`, `INTERNAL_SERVER_ERROR` → `500`) |
/// | `TOKEN_EXCHANGE` | [`TokenPolicy::token_exchange`]'s response, or `400` `unsupported_grant_type` |
/// | `JWT_BEARER` | [`TokenPolicy::jwt_bearer`]'s response, or `400` `unsupported_grant_type` |
/// | `ID_TOKEN_REISSUABLE` | as `OK`; when [`TokenPolicy::reissue_id_token`] gives options, `/idtoken/reissue` (`OK` → `200` with its JSON, `INTERNAL_SERVER_ERROR` → `500` with its JSON, `CALLER_ERROR` → generic `500`) |
/// | `NATIVE_SSO` | [`TokenPolicy::native_sso`]: `Skip` → as `OK`; `Issue` → `/nativesso` (`OK` → `200` with its JSON, `INTERNAL_SERVER_ERROR` → `500` with its JSON, `CALLER_ERROR` → generic `500`); `Refuse` → `400` `invalid_grant` |
/// | anything else, no action, Authlete unreachable | generic `500` (`503` with `Retry-After` when retrying may help) |
///
/// Every answer carries `Cache-Control: no-store` and `Pragma: no-cache` (added to the
/// application's own token exchange and JWT bearer answers when they lack them), and
/// `DPoP-Nonce` when Authlete's `/auth/token` answer has `dpopNonce` (unless the
/// application's answer sets its own).
pub struct TokenEndpoint<P = DefaultTokenPolicy> {
    client: Client,
    settings: FlowSettings,
    policy: P,
    dpop_nonce_required: bool,
}

impl<P: Clone> Clone for TokenEndpoint<P> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            settings: self.settings.clone(),
            policy: self.policy.clone(),
            dpop_nonce_required: self.dpop_nonce_required,
        }
    }
}

impl<P> fmt::Debug for TokenEndpoint<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("client", &self.client)
            .field("settings", &self.settings)
            .field("dpop_nonce_required", &self.dpop_nonce_required)
            .finish_non_exhaustive()
    }
}

impl<P: TokenPolicy> TokenEndpoint<P> {
    /// A handler calling Authlete with `client` and asking `policy` where the application
    /// decides ([`DefaultTokenPolicy`] for the defaults).
    pub fn new(client: Client, settings: FlowSettings, policy: P) -> Self {
        Self {
            client,
            settings,
            policy,
            dpop_nonce_required: false,
        }
    }

    /// The same handler requiring (with `true`) a server nonce in DPoP proofs even when
    /// the service's `dpopNonceRequired` does not (RFC 9449 section 8): Authlete then
    /// answers a proof without the nonce it expects with `400` `use_dpop_nonce` and a
    /// `DPoP-Nonce` to retry with.
    #[must_use]
    pub fn with_dpop_nonce_required(mut self, required: bool) -> Self {
        self.dpop_nonce_required = required;
        self
    }

    /// The application's policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// Handles one token request.
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
        let body = TokenRequest {
            parameters: parameters.into(),
            client_id: auth.client_id,
            client_secret: auth.client_secret,
            client_certificate: auth.client_certificate,
            client_certificate_path: auth.client_certificate_chain,
            dpop,
            dpop_nonce_required: self.dpop_nonce_required.then_some(true),
            htm: Some(request.method().as_str().to_owned()),
            htu: request::public_url(request, &self.settings),
            oauth_client_attestation: auth.attestation,
            oauth_client_attestation_pop: auth.attestation_pop,
            ..Default::default()
        };
        let answer = self
            .client
            .token(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = || secret_text(answer.response_content.as_ref());
        let response = match &answer.action {
            Some(Action::Ok) => ok_json(answer.response_content.as_ref()),
            Some(Action::InvalidClient) => {
                request::unauthorized(response::json(StatusCode::UNAUTHORIZED, content()), REALM)
            }
            Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content()),
            Some(Action::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content())
            }
            Some(Action::Password) => self.password(&answer).await,
            Some(Action::TokenExchange) => {
                application_answer(self.policy.token_exchange(&answer, request).await)
            }
            Some(Action::JwtBearer) => {
                application_answer(self.policy.jwt_bearer(&answer, request).await)
            }
            Some(Action::IdTokenReissuable) => self.id_token_reissuable(&answer).await,
            Some(Action::NativeSso) => self.native_sso(&answer, request).await,
            Some(other) => response::unknown_action("auth_token_api", other.as_str()),
            None => response::unknown_action("auth_token_api", "(none)"),
        };
        Ok(
            with_nonce_unless_set(response, answer.dpop_nonce.as_deref())
                .with_attestation_challenge(answer.attestation_challenge.as_deref()),
        )
    }

    /// `PASSWORD`: the application checks the credentials, then `/auth/token/issue` or
    /// `/auth/token/fail`.
    async fn password(&self, answer: &TokenResponse) -> Response {
        let Some(ticket) = answer.ticket.clone() else {
            return response::server_error("PASSWORD without a ticket");
        };
        let no_password = Secret::default();
        let username = answer.username.as_deref().unwrap_or("");
        let password = answer.password.as_ref().unwrap_or(&no_password);
        match self
            .policy
            .authenticate_user(username, password, answer)
            .await
        {
            Some(owner) => self.issue(ticket, owner).await,
            None => self.fail(ticket).await,
        }
    }

    async fn issue(&self, ticket: String, owner: ResourceOwner) -> Response {
        let body = TokenIssueRequest {
            ticket,
            subject: owner.subject,
            properties: owner.properties,
            jwt_at_claims: owner.jwt_at_claims,
            ..Default::default()
        };
        let answer = match self.client.token_issue(&body).await {
            Ok(answer) => answer,
            Err(e) => return response::authlete_failure(&e),
        };
        match answer.action {
            Some(TokenIssueResponseAction::Ok) => ok_json(answer.response_content.as_ref()),
            Some(TokenIssueResponseAction::InternalServerError) => response::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                secret_text(answer.response_content.as_ref()),
            ),
            Some(other) => response::unknown_action("auth_token_issue_api", other.as_str()),
            None => response::unknown_action("auth_token_issue_api", "(none)"),
        }
    }

    async fn fail(&self, ticket: String) -> Response {
        let body = TokenFailRequest {
            ticket,
            reason: TokenFailRequestReason::InvalidResourceOwnerCredentials,
        };
        let answer = match self.client.token_fail(&body).await {
            Ok(answer) => answer,
            Err(e) => return response::authlete_failure(&e),
        };
        let content = answer.response_content.unwrap_or_default();
        match answer.action {
            Some(TokenFailResponseAction::BadRequest) => {
                response::json(StatusCode::BAD_REQUEST, content)
            }
            Some(TokenFailResponseAction::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => response::unknown_action("auth_token_fail_api", other.as_str()),
            None => response::unknown_action("auth_token_fail_api", "(none)"),
        }
    }

    /// `ID_TOKEN_REISSUABLE`: as `OK` unless the application wants a new ID token.
    async fn id_token_reissuable(&self, answer: &TokenResponse) -> Response {
        let Some(options) = self.policy.reissue_id_token(answer).await else {
            return ok_json(answer.response_content.as_ref());
        };
        let (Some(access_token), Some(refresh_token)) =
            (issued_access_token(answer), answer.refresh_token.clone())
        else {
            return response::server_error("ID_TOKEN_REISSUABLE without access or refresh token");
        };
        let body = IdTokenReissueRequest {
            access_token,
            refresh_token,
            claims: options.claims,
            sub: options.sub,
            idt_header_params: options.idt_header_params,
            id_token_aud_type: options.id_token_aud_type,
        };
        let reissued = match self.client.id_token_reissue(&body).await {
            Ok(reissued) => reissued,
            Err(e) => return response::authlete_failure(&e),
        };
        match reissued.action {
            Some(IdTokenReissueResponseAction::Ok) => ok_json(reissued.response_content.as_ref()),
            Some(IdTokenReissueResponseAction::InternalServerError) => response::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                secret_text(reissued.response_content.as_ref()),
            ),
            Some(IdTokenReissueResponseAction::CallerError) => {
                tracing::error!(
                    result_message = reissued.result_message.as_deref().unwrap_or(""),
                    "Authlete refused the /idtoken/reissue call"
                );
                response::server_error("idtoken_reissue_api: CALLER_ERROR")
            }
            Some(other) => response::unknown_action("idtoken_reissue_api", other.as_str()),
            None => response::unknown_action("idtoken_reissue_api", "(none)"),
        }
    }

    /// `NATIVE_SSO`: the application checks the session and device secret, then
    /// `/nativesso`.
    async fn native_sso(&self, answer: &TokenResponse, request: &Request<Bytes>) -> Response {
        let (device_secret, device_secret_hash, id_token) =
            match self.policy.native_sso(answer, request).await {
                NativeSso::Skip => return ok_json(answer.response_content.as_ref()),
                NativeSso::Refuse(description) => {
                    return response::oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        &description,
                    );
                }
                NativeSso::Issue {
                    device_secret,
                    device_secret_hash,
                    id_token,
                } => (device_secret, device_secret_hash, id_token),
            };
        let Some(access_token) = issued_access_token(answer) else {
            return response::server_error("NATIVE_SSO without an access token");
        };
        let body = NativeSsoRequest {
            access_token,
            refresh_token: answer.refresh_token.clone(),
            device_secret,
            device_secret_hash,
            claims: id_token.claims,
            sub: id_token.sub,
            idt_header_params: id_token.idt_header_params,
            id_token_aud_type: id_token.id_token_aud_type,
        };
        let issued = match self.client.native_sso(&body).await {
            Ok(issued) => issued,
            Err(e) => return response::authlete_failure(&e),
        };
        match issued.action {
            Some(NativeSsoResponseAction::Ok) => ok_json(issued.response_content.as_ref()),
            Some(NativeSsoResponseAction::InternalServerError) => response::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                secret_text(issued.response_content.as_ref()),
            ),
            Some(NativeSsoResponseAction::CallerError) => {
                tracing::error!(
                    result_message = issued.result_message.as_deref().unwrap_or(""),
                    "Authlete refused the /nativesso call"
                );
                response::server_error("native_sso_api: CALLER_ERROR")
            }
            Some(other) => response::unknown_action("native_sso_api", other.as_str()),
            None => response::unknown_action("native_sso_api", "(none)"),
        }
    }
}

/// The token Authlete issued, as `/idtoken/reissue` and `/nativesso` want it: the JWT
/// access token when there is one.
fn issued_access_token(answer: &TokenResponse) -> Option<Secret> {
    answer
        .jwt_access_token
        .clone()
        .or_else(|| answer.access_token.clone())
}

/// The text of a secret body, to send to its owner.
fn secret_text(content: Option<&Secret>) -> String {
    content
        .map(|c| c.expose_secret().to_owned())
        .unwrap_or_default()
}

/// `200` with the token response; a success without a body is a server error.
fn ok_json(content: Option<&Secret>) -> Response {
    match content {
        Some(content) if !content.expose_secret().is_empty() => {
            response::json(StatusCode::OK, content.expose_secret().to_owned())
        }
        _ => response::server_error("a successful token answer without responseContent"),
    }
}

/// The application's answer to a token exchange or JWT bearer request, made uncacheable;
/// `400 unsupported_grant_type` when it does not support the grant.
fn application_answer(answer: Option<Response>) -> Response {
    let Some(mut response) = answer else {
        return response::oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization server does not support this grant type.",
        );
    };
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !headers.contains_key(header::PRAGMA) {
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}

/// `DPoP-Nonce` from `/auth/token`, unless the response already has one.
fn with_nonce_unless_set(response: Response, nonce: Option<&str>) -> Response {
    if response.headers().contains_key("dpop-nonce") {
        response
    } else {
        response.with_dpop_nonce(nonce)
    }
}

impl<P: TokenPolicy + 'static> crate::flows::Endpoint for TokenEndpoint<P> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        TokenEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
