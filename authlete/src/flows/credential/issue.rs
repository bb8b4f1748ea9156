//! The credential endpoints: single, batch and deferred.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode};

use super::json_object_body;
use crate::flows::resource::{TokenInfo, TokenValidator};
use crate::flows::response::{self, ResponseExt as _};
use crate::flows::{FlowSettings, Response};
use crate::types::{
    CredentialIssuanceOrder, CredentialRequestInfo, VciBatchIssueRequest, VciBatchParseRequest,
    VciDeferredIssueRequest, VciDeferredParseRequest, VciSingleIssueRequest, VciSingleParseRequest,
};
use crate::{Client, Secret};

/// Which endpoint a credential request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialRequestKind {
    /// The credential endpoint.
    Single,
    /// The batch credential endpoint.
    Batch,
    /// The deferred credential endpoint: the wallet is back for a credential whose issuance
    /// was deferred.
    Deferred,
}

/// A credential request that Authlete has parsed, with a valid access token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CredentialRequest {
    /// Which endpoint it came to.
    pub kind: CredentialRequestKind,
    /// What the wallet asks for: the `format`, the request's `details` (JSON), the keys to
    /// bind the credential to, and the request's `identifier` (which the handler passes back
    /// to Authlete with the order).
    pub info: CredentialRequestInfo,
    /// The access token and its details from `/auth/introspection`: its `subject`,
    /// `scopes`, client and `properties`, and in `token.introspection` everything else
    /// Authlete said, such as `issuableCredentials`.
    pub token: TokenInfo,
}

impl CredentialRequest {
    /// A request with these parts, for the application's own tests.
    pub fn new(kind: CredentialRequestKind, info: CredentialRequestInfo, token: TokenInfo) -> Self {
        Self { kind, info, token }
    }
}

/// What to issue: the claims of the credential, and optionally its lifetime and signing key.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CredentialPayload {
    /// The claims, a JSON object (for an SD-JWT VC, e.g. `vct`, `sub`, `given_name`).
    /// Anything but an object is a server error: the endpoint answers `500`.
    pub claims: serde_json::Value,
    /// How long the credential is valid; Authlete's default when `None`.
    pub duration: Option<Duration>,
    /// The `kid` of the key that signs the credential; Authlete picks one when `None`.
    pub signing_key_id: Option<String>,
}

impl CredentialPayload {
    /// A credential with these claims (a JSON object).
    pub fn new(claims: serde_json::Value) -> Self {
        Self {
            claims,
            duration: None,
            signing_key_id: None,
        }
    }

    /// The same credential, valid for `duration` (whole seconds).
    #[must_use]
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// The same credential, signed with the key `kid`.
    #[must_use]
    pub fn with_signing_key_id(mut self, kid: impl Into<String>) -> Self {
        self.signing_key_id = Some(kid.into());
        self
    }
}

/// Why the application refuses a credential request: a Credential Error Response (`400`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialRefusal {
    /// The `error` code, such as `credential_request_denied`, `invalid_credential_request`,
    /// `unsupported_credential_type` or `unsupported_credential_format`.
    pub error: String,
    /// The `error_description`, for the wallet's developers.
    pub description: Option<String>,
}

impl CredentialRefusal {
    /// A refusal with this `error` code.
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            description: None,
        }
    }

    /// The same refusal with an `error_description`.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    fn into_response(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("error".into(), self.error.into());
        if let Some(description) = self.description {
            body.insert("error_description".into(), description.into());
        }
        response::json(
            StatusCode::BAD_REQUEST,
            serde_json::Value::Object(body).to_string(),
        )
    }
}

/// The application's decision on one credential request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CredentialOrder {
    /// Issue the credential now.
    Issue(CredentialPayload),
    /// Not ready yet. At the credential and batch endpoints, Authlete issues a
    /// `transaction_id` for the wallet to bring to the deferred credential endpoint (`202`
    /// from the credential endpoint). At the deferred endpoint, the wallet is told
    /// `issuance_pending` (`400`) and tries again later.
    Defer,
    /// Refuse the request (`400` with the error).
    Refuse(CredentialRefusal),
}

impl CredentialOrder {
    /// Refuses with `error` and an `error_description`.
    pub fn refuse(error: impl Into<String>, description: impl Into<String>) -> Self {
        Self::Refuse(CredentialRefusal::new(error).with_description(description))
    }
}

/// What the credential endpoints ask the application: which credential to issue for a
/// request Authlete has parsed and whose access token is valid.
pub trait CredentialIssuer: Send + Sync {
    /// The order for one credential request: the claims to issue, or defer, or refuse.
    fn issue(&self, request: &CredentialRequest) -> impl Future<Output = CredentialOrder> + Send;

    /// The orders for the requests of a batch, one per request in the same order. The
    /// default asks [`Self::issue`] for each in turn; override it to decide them together.
    /// Any refusal refuses the whole batch (with the first refusal's error).
    fn issue_batch(
        &self,
        requests: &[CredentialRequest],
    ) -> impl Future<Output = Vec<CredentialOrder>> + Send {
        async move {
            let mut orders = Vec::with_capacity(requests.len());
            for request in requests {
                orders.push(self.issue(request).await);
            }
            orders
        }
    }
}

impl<T: CredentialIssuer> CredentialIssuer for Arc<T> {
    fn issue(&self, request: &CredentialRequest) -> impl Future<Output = CredentialOrder> + Send {
        (**self).issue(request)
    }

    fn issue_batch(
        &self,
        requests: &[CredentialRequest],
    ) -> impl Future<Output = Vec<CredentialOrder>> + Send {
        (**self).issue_batch(requests)
    }
}

/// What the three endpoints share: the client, the settings, the validation of the access
/// token, and the path from a request to its response.
#[derive(Debug, Clone)]
struct Core {
    client: Client,
    settings: FlowSettings,
    validator: TokenValidator,
}

impl Core {
    fn new(client: Client, settings: FlowSettings) -> Self {
        Self {
            validator: TokenValidator::new(client.clone(), settings.clone()),
            client,
            settings,
        }
    }

    /// Answers a request at the `kind` endpoint: checks the request, then the access token
    /// through `/auth/introspection` with the DPoP proof, `htm`, `htu` and the client
    /// certificate ([`TokenValidator`]), then serves it. Every response after the
    /// introspection carries the `DPoP-Nonce` Authlete gave.
    async fn handle(
        &self,
        kind: CredentialRequestKind,
        issuer: &impl CredentialIssuer,
        request: &Request<Bytes>,
    ) -> Response {
        let body = match json_object_body(request, &self.settings) {
            Ok(body) => body,
            Err(error) => return error.into_response(),
        };
        let token = match self.validator.validate(request).await {
            Ok(token) => token,
            Err(response) => return response,
        };
        let nonce = token.dpop_nonce.clone();
        match self.serve(kind, issuer, body, token).await {
            Ok(response) | Err(response) => response,
        }
        .with_dpop_nonce(nonce.as_deref())
    }

    /// Has Authlete parse the request, asks `issuer` for the orders, and has Authlete issue
    /// them.
    async fn serve(
        &self,
        kind: CredentialRequestKind,
        issuer: &impl CredentialIssuer,
        body: String,
        token: TokenInfo,
    ) -> Result<Response, Response> {
        let (parsed, infos) = self.parse(kind, &token.access_token, body).await?;
        if parsed.action != "OK" {
            return Err(parsed.error_response());
        }
        let requests: Vec<_> = infos
            .into_iter()
            .map(|info| CredentialRequest::new(kind, info, token.clone()))
            .collect();
        let orders = match (kind, requests.as_slice()) {
            (CredentialRequestKind::Batch, _) => issuer.issue_batch(&requests).await,
            (_, [request]) => vec![issuer.issue(request).await],
            _ => {
                return Err(response::server_error(
                    "parse answered OK without the request's details",
                ));
            }
        };
        if orders.len() != requests.len() {
            return Err(response::server_error(
                "the credential issuer gave a different number of orders than requests",
            ));
        }
        // Deferring at the deferred endpoint means the credential is still not ready.
        if kind == CredentialRequestKind::Deferred && orders == [CredentialOrder::Defer] {
            return Err(response::json(
                StatusCode::BAD_REQUEST,
                r#"{"error":"issuance_pending"}"#,
            ));
        }
        let orders = requests
            .iter()
            .zip(orders)
            .map(|(request, order)| issuance_order(&request.info, order))
            .collect::<Result<_, _>>()
            .map_err(NoOrder::into_response)?;
        let issued = self.issue(kind, token.access_token, orders).await?;
        Ok(issued.issue_response(kind))
    }

    /// `/vci/{single,batch,deferred}/parse`: Authlete's answer, and the details of the
    /// requests (any number in a batch, else at most one).
    async fn parse(
        &self,
        kind: CredentialRequestKind,
        access_token: &Secret,
        body: String,
    ) -> Result<(Answer, Vec<CredentialRequestInfo>), Response> {
        let (access_token, request_content) = (Some(access_token.clone()), Some(body));
        let client = &self.client;
        let parsed = match kind {
            CredentialRequestKind::Single => {
                let parse = VciSingleParseRequest {
                    access_token,
                    request_content,
                };
                client.credential_single_parse(&parse).await.map(|a| {
                    let answer = Answer::new("vci_single_parse_api", a.action, a.response_content);
                    (answer, Vec::from_iter(a.info))
                })
            }
            CredentialRequestKind::Batch => {
                let parse = VciBatchParseRequest {
                    access_token,
                    request_content,
                };
                client.credential_batch_parse(&parse).await.map(|a| {
                    let answer = Answer::new("vci_batch_parse_api", a.action, a.response_content);
                    (answer, a.info)
                })
            }
            CredentialRequestKind::Deferred => {
                let parse = VciDeferredParseRequest {
                    access_token,
                    request_content,
                };
                client.credential_deferred_parse(&parse).await.map(|a| {
                    let answer =
                        Answer::new("vci_deferred_parse_api", a.action, a.response_content);
                    (answer, Vec::from_iter(a.info))
                })
            }
        };
        parsed.map_err(|e| response::authlete_failure(&e))
    }

    /// `/vci/{single,batch,deferred}/issue` with the orders (several in a batch, else one).
    async fn issue(
        &self,
        kind: CredentialRequestKind,
        access_token: Secret,
        mut orders: Vec<CredentialIssuanceOrder>,
    ) -> Result<Answer, Response> {
        let access_token = Some(access_token);
        let client = &self.client;
        let issued = match kind {
            CredentialRequestKind::Single => {
                let issue = VciSingleIssueRequest {
                    access_token,
                    order: orders.pop(),
                    ..Default::default()
                };
                client
                    .credential_single_issue(&issue)
                    .await
                    .map(|a| Answer::new("vci_single_issue_api", a.action, a.response_content))
            }
            CredentialRequestKind::Batch => {
                let issue = VciBatchIssueRequest {
                    access_token,
                    orders,
                };
                client
                    .credential_batch_issue(&issue)
                    .await
                    .map(|a| Answer::new("vci_batch_issue_api", a.action, a.response_content))
            }
            CredentialRequestKind::Deferred => {
                let issue = VciDeferredIssueRequest {
                    order: orders.pop(),
                    ..Default::default()
                };
                client
                    .credential_deferred_issue(&issue)
                    .await
                    .map(|a| Answer::new("vci_deferred_issue_api", a.action, a.response_content))
            }
        };
        issued.map_err(|e| response::authlete_failure(&e))
    }
}

/// An empty `401` with the challenge Authlete gave, or `Bearer error="invalid_token"` when
/// it gave none that can be a header value.
fn unauthorized(challenge: &str) -> Response {
    let challenge = Some(challenge)
        .filter(|c| !c.trim().is_empty() && HeaderValue::from_str(c).is_ok())
        .unwrap_or("Bearer error=\"invalid_token\"");
    response::empty(StatusCode::UNAUTHORIZED).with_www_authenticate(Some(challenge))
}

/// Authlete's answer to a parse or an issue call, whichever the endpoint.
struct Answer {
    /// The call, for the logs.
    operation: &'static str,
    /// The action as on the wire; `(none)` when Authlete gave none.
    action: String,
    /// The `responseContent`: JSON for the wallet, or the challenge of an `UNAUTHORIZED`.
    content: Secret,
}

impl Answer {
    fn new(
        operation: &'static str,
        action: Option<impl Display>,
        content: Option<impl Into<Secret>>,
    ) -> Self {
        Self {
            operation,
            action: action.map_or_else(|| "(none)".to_owned(), |action| action.to_string()),
            content: content.map(Into::into).unwrap_or_default(),
        }
    }

    /// The response to an issue action at the `kind` endpoint. Besides the actions of this
    /// SDK's spec, newer Authlete versions answer with `OK_JWT` and `ACCEPTED_JWT` (an
    /// encrypted credential response), and `BAD_REQUEST`.
    fn issue_response(self, kind: CredentialRequestKind) -> Response {
        let content = self.content.expose_secret().to_owned();
        match self.action.as_str() {
            "OK" => response::json(StatusCode::OK, content),
            "OK_JWT" => response::content(StatusCode::OK, response::JWT, content),
            // Only the credential endpoint defers with a `202`: a batch defers inside its
            // `200`, and the deferred endpoint answers `issuance_pending` itself.
            "ACCEPTED" if kind == CredentialRequestKind::Single => {
                response::json(StatusCode::ACCEPTED, content)
            }
            "ACCEPTED_JWT" => response::content(StatusCode::ACCEPTED, response::JWT, content),
            // The deferred issue call takes no access token that could be invalid.
            "UNAUTHORIZED" if kind == CredentialRequestKind::Deferred => self.unknown(),
            "CALLER_ERROR" => {
                tracing::error!(operation = self.operation, "Authlete answered CALLER_ERROR");
                response::server_error("CALLER_ERROR")
            }
            _ => self.error_response(),
        }
    }

    /// The response to an action that ends the request in an error, with Authlete's content:
    /// `BAD_REQUEST`, `UNAUTHORIZED`, `FORBIDDEN` or `INTERNAL_SERVER_ERROR`; any other is
    /// unknown.
    fn error_response(self) -> Response {
        let content = self.content.expose_secret().to_owned();
        match self.action.as_str() {
            "BAD_REQUEST" => response::json(StatusCode::BAD_REQUEST, content),
            "UNAUTHORIZED" => unauthorized(&content),
            "FORBIDDEN" => response::json(StatusCode::FORBIDDEN, content),
            "INTERNAL_SERVER_ERROR" => response::json(StatusCode::INTERNAL_SERVER_ERROR, content),
            _ => self.unknown(),
        }
    }

    fn unknown(&self) -> Response {
        response::unknown_action(self.operation, &self.action)
    }
}

/// Why there is no order for Authlete.
enum NoOrder {
    /// The application refused.
    Refused(CredentialRefusal),
    /// The application gave claims that are not a JSON object.
    NotAnObject,
}

impl NoOrder {
    fn into_response(self) -> Response {
        match self {
            Self::Refused(refusal) => refusal.into_response(),
            Self::NotAnObject => response::server_error(
                "the credential issuer gave claims that are not a JSON object",
            ),
        }
    }
}

/// The order Authlete takes for `info`, unless the application refused or gave claims that
/// are not a JSON object.
fn issuance_order(
    info: &CredentialRequestInfo,
    order: CredentialOrder,
) -> Result<CredentialIssuanceOrder, NoOrder> {
    let mut out = CredentialIssuanceOrder {
        request_identifier: info.identifier.clone(),
        ..Default::default()
    };
    match order {
        CredentialOrder::Issue(payload) => {
            if !payload.claims.is_object() {
                return Err(NoOrder::NotAnObject);
            }
            out.credential_payload = Some(payload.claims.to_string());
            out.credential_duration = payload
                .duration
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            out.signing_key_id = payload.signing_key_id;
            out.issuance_deferred = Some(false);
        }
        CredentialOrder::Defer => out.issuance_deferred = Some(true),
        CredentialOrder::Refuse(refusal) => return Err(NoOrder::Refused(refusal)),
    }
    Ok(out)
}

/// Handles `POST /credential` (OID4VCI): one credential.
///
/// 1. The request: `POST`, `Content-Type: application/json` with a JSON object, and an
///    access token (`Authorization: Bearer` or `DPoP`); otherwise `405`, `415`, `413`, `400`
///    or `401` (`WWW-Authenticate: Bearer`) before Authlete is asked.
/// 2. The access token, through `/auth/introspection` with the `DPoP` proof, `htm`, `htu`
///    (the public URL when the deployment configures it, see [`crate::flows::Proxy`]) and
///    the client certificate, as
///    [`TokenValidator`](crate::flows::resource::TokenValidator) does it:
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | go on |
///    | `BAD_REQUEST` | `400` with Authlete's `WWW-Authenticate` challenge |
///    | `UNAUTHORIZED` | `401` with Authlete's `WWW-Authenticate` challenge |
///    | `FORBIDDEN` | `403` with Authlete's `WWW-Authenticate` challenge |
///    | `INTERNAL_SERVER_ERROR` | `500` with Authlete's `WWW-Authenticate` challenge |
///    | anything else | `500` with a generic body |
///
/// 3. The credential request, through `/vci/single/parse`:
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | ask the [`CredentialIssuer`] |
///    | `BAD_REQUEST` | `400` with the error JSON |
///    | `UNAUTHORIZED` | `401` with Authlete's `WWW-Authenticate` challenge |
///    | `FORBIDDEN` | `403` with the error JSON |
///    | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
///    | anything else | `500` with a generic body |
///
/// 4. The application's [`CredentialOrder`]: [`Refuse`](CredentialOrder::Refuse) answers
///    `400` with its error; otherwise `/vci/single/issue`:
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | `200` with the credential response JSON |
///    | `OK_JWT` (newer Authlete, encrypted response) | `200` with `Content-Type: application/jwt` |
///    | `ACCEPTED` | `202` with the `transaction_id` JSON (issuance deferred) |
///    | `ACCEPTED_JWT` (newer Authlete, encrypted response) | `202` with `Content-Type: application/jwt` |
///    | `BAD_REQUEST` (newer Authlete) | `400` with the error JSON |
///    | `UNAUTHORIZED` | `401` with Authlete's `WWW-Authenticate` challenge |
///    | `FORBIDDEN` | `403` with the error JSON |
///    | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
///    | `CALLER_ERROR`, anything else | `500` with a generic body |
///
/// Every response after the introspection carries the `DPoP-Nonce` Authlete gave.
#[derive(Debug, Clone)]
pub struct CredentialEndpoint<I> {
    core: Core,
    issuer: I,
}

impl<I: CredentialIssuer> CredentialEndpoint<I> {
    /// A handler calling Authlete with `client` and asking `issuer` what to issue.
    pub fn new(client: Client, settings: FlowSettings, issuer: I) -> Self {
        Self {
            core: Core::new(client, settings),
            issuer,
        }
    }

    /// Handles one credential request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        self.core
            .handle(CredentialRequestKind::Single, &self.issuer, request)
            .await
    }
}

/// Handles `POST /batch_credential` (OID4VCI drafts): several credentials at once.
///
/// The request and the access token are checked as at the [`CredentialEndpoint`] (steps 1
/// and 2 there). Then:
///
/// 3. The batch request, through `/vci/batch/parse`:
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | ask the [`CredentialIssuer`] ([`issue_batch`](CredentialIssuer::issue_batch)) |
///    | `BAD_REQUEST` | `400` with the error JSON |
///    | `UNAUTHORIZED` | `401` with Authlete's `WWW-Authenticate` challenge |
///    | `FORBIDDEN` | `403` with the error JSON |
///    | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
///    | anything else | `500` with a generic body |
///
/// 4. The application's orders, one per request: any [`Refuse`](CredentialOrder::Refuse)
///    answers `400` with its error, and a wrong number of orders `500`; otherwise
///    `/vci/batch/issue` ([`Defer`](CredentialOrder::Defer) gives that credential a
///    `transaction_id` in the batch response):
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | `200` with the batch credential response JSON |
///    | `OK_JWT` (newer Authlete, encrypted response) | `200` with `Content-Type: application/jwt` |
///    | `BAD_REQUEST` (newer Authlete) | `400` with the error JSON |
///    | `UNAUTHORIZED` | `401` with Authlete's `WWW-Authenticate` challenge |
///    | `FORBIDDEN` | `403` with the error JSON |
///    | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
///    | `CALLER_ERROR`, anything else | `500` with a generic body |
///
/// Every response after the introspection carries the `DPoP-Nonce` Authlete gave.
#[derive(Debug, Clone)]
pub struct BatchCredentialEndpoint<I> {
    core: Core,
    issuer: I,
}

impl<I: CredentialIssuer> BatchCredentialEndpoint<I> {
    /// A handler calling Authlete with `client` and asking `issuer` what to issue.
    pub fn new(client: Client, settings: FlowSettings, issuer: I) -> Self {
        Self {
            core: Core::new(client, settings),
            issuer,
        }
    }

    /// Handles one batch credential request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        self.core
            .handle(CredentialRequestKind::Batch, &self.issuer, request)
            .await
    }
}

/// Handles `POST /deferred_credential` (OID4VCI): the wallet brings the `transaction_id`
/// of a deferred issuance.
///
/// The request and the access token are checked as at the [`CredentialEndpoint`] (steps 1
/// and 2 there). Then:
///
/// 3. The deferred request, through `/vci/deferred/parse`:
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | ask the [`CredentialIssuer`] (with [`CredentialRequestKind::Deferred`]) |
///    | `BAD_REQUEST` | `400` with the error JSON (e.g. `invalid_transaction_id`) |
///    | `UNAUTHORIZED` | `401` with Authlete's `WWW-Authenticate` challenge |
///    | `FORBIDDEN` | `403` with the error JSON |
///    | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
///    | anything else | `500` with a generic body |
///
/// 4. The application's [`CredentialOrder`]: [`Defer`](CredentialOrder::Defer) answers
///    `400` with `{"error":"issuance_pending"}` (still not ready), [`Refuse`](CredentialOrder::Refuse)
///    `400` with its error; otherwise `/vci/deferred/issue`:
///
///    | Authlete action | response |
///    |---|---|
///    | `OK` | `200` with the credential response JSON |
///    | `OK_JWT` (newer Authlete, encrypted response) | `200` with `Content-Type: application/jwt` |
///    | `BAD_REQUEST` (newer Authlete) | `400` with the error JSON |
///    | `FORBIDDEN` | `403` with the error JSON |
///    | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
///    | `CALLER_ERROR`, anything else | `500` with a generic body |
///
/// Every response after the introspection carries the `DPoP-Nonce` Authlete gave.
#[derive(Debug, Clone)]
pub struct DeferredCredentialEndpoint<I> {
    core: Core,
    issuer: I,
}

impl<I: CredentialIssuer> DeferredCredentialEndpoint<I> {
    /// A handler calling Authlete with `client` and asking `issuer` what to issue.
    pub fn new(client: Client, settings: FlowSettings, issuer: I) -> Self {
        Self {
            core: Core::new(client, settings),
            issuer,
        }
    }

    /// Handles one deferred credential request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        self.core
            .handle(CredentialRequestKind::Deferred, &self.issuer, request)
            .await
    }
}

impl<I: CredentialIssuer + 'static> crate::flows::Endpoint for CredentialEndpoint<I> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        CredentialEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.core.settings.max_body_bytes
    }
}

impl<I: CredentialIssuer + 'static> crate::flows::Endpoint for BatchCredentialEndpoint<I> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        BatchCredentialEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.core.settings.max_body_bytes
    }
}

impl<I: CredentialIssuer + 'static> crate::flows::Endpoint for DeferredCredentialEndpoint<I> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        DeferredCredentialEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.core.settings.max_body_bytes
    }
}
