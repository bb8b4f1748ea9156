//! Client-Initiated Backchannel Authentication (OpenID Connect CIBA Core 1.0).
//!
//! Two halves:
//!
//! 1. [`BackchannelAuthenticationEndpoint`] handles `POST /bc-authorize`: Authlete parses
//!    the request and authenticates the client (`/backchannel/authentication`); the
//!    application identifies the user from the hint and checks the user code and binding
//!    message through [`CibaUsers`]; then the handler either refuses the request
//!    (`/backchannel/authentication/fail`) or issues an `auth_req_id`
//!    (`/backchannel/authentication/issue`), answers the client, and asks the application
//!    to [start talking to the user's authentication device](CibaUsers::start_authentication).
//! 2. When the user has decided on that device, the application calls
//!    [`CibaCompletion::complete`] with the ticket and the decision
//!    (`/backchannel/authentication/complete`). In ping and push modes the completion
//!    delivers the notification to the client's notification endpoint itself, and reports
//!    how that went as a [`CompletionOutcome`].
//!
//! ```no_run
//! use authlete::flows::FlowSettings;
//! use authlete::flows::ciba::{
//!     BackchannelAuthenticationEndpoint, CibaAuthentication, CibaCompletion, CibaUsers,
//!     CompletionOutcome, HintType, completion_request,
//! };
//! use authlete::types::BackchannelAuthenticationCompleteRequestResult as Decision;
//!
//! struct Users {
//!     completion: CibaCompletion,
//! }
//!
//! impl CibaUsers for Users {
//!     type User = String;
//!
//!     async fn find_user(&self, hint_type: &HintType, hint: &str, sub: Option<&str>) -> Option<String> {
//!         match hint_type {
//!             HintType::LoginHint => Some(hint.to_owned()), // look the user up by e-mail, ...
//!             HintType::IdTokenHint => sub.map(str::to_owned),
//!             _ => None,
//!         }
//!     }
//!
//!     async fn start_authentication(&self, authentication: CibaAuthentication<String>) {
//!         let completion = self.completion.clone();
//!         tokio::spawn(async move {
//!             // Push a notification to the user's phone, wait for the answer, then:
//!             let request = completion_request(
//!                 authentication.ticket,
//!                 Decision::Authorized,
//!                 authentication.user,
//!             );
//!             match completion.complete(&request).await {
//!                 CompletionOutcome::NoAction | CompletionOutcome::Notified { .. } => {}
//!                 other => eprintln!("CIBA completion: {other:?}"),
//!             }
//!         });
//!     }
//! }
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! let users = Users { completion: CibaCompletion::new(client.clone()) };
//! let endpoint = BackchannelAuthenticationEndpoint::new(client, FlowSettings::default(), users);
//! let response = endpoint.handle(&request).await;
//! # let _ = response;
//! # }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};

use super::request::{self, BadRequest, ClientAuthentication};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{
    BackchannelAuthenticationCompleteRequest, BackchannelAuthenticationCompleteRequestResult,
    BackchannelAuthenticationCompleteResponseAction as CompleteAction,
    BackchannelAuthenticationFailRequest, BackchannelAuthenticationFailRequestReason as Reason,
    BackchannelAuthenticationFailResponseAction as FailAction,
    BackchannelAuthenticationIssueRequest,
    BackchannelAuthenticationIssueResponseAction as IssueAction, BackchannelAuthenticationRequest,
    BackchannelAuthenticationResponse, BackchannelAuthenticationResponseAction as Action,
    DeliveryMode,
};
use crate::{Client, Error, Secret};

/// The realm of the `Basic` challenge of every `401`.
const REALM: &str = "backchannel";

/// Binding messages longer than this are refused by the default
/// [`CibaUsers::check_binding_message`].
pub const MAX_BINDING_MESSAGE_CHARS: usize = 100;

/// How the client identified the user in a backchannel authentication request
/// (CIBA Core section 7.1: exactly one of the three hints).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HintType {
    /// `login_hint`: a value identifying the user, such as an e-mail address or phone
    /// number.
    LoginHint,
    /// `login_hint_token`: a token (often a JWT) about the user, issued by someone the
    /// server trusts. Check its expiry in [`CibaUsers::login_hint_token_expired`].
    LoginHintToken,
    /// `id_token_hint`: an ID token the server issued before; Authlete has verified it and
    /// gives its `sub` claim.
    IdTokenHint,
    /// A hint type this version does not know, as Authlete named it.
    Other(String),
}

impl HintType {
    /// The hint type Authlete names `value` (`LOGIN_HINT` or `login_hint`, ...).
    pub fn parse(value: &str) -> Self {
        match value.to_ascii_uppercase().as_str() {
            "LOGIN_HINT" => HintType::LoginHint,
            "LOGIN_HINT_TOKEN" => HintType::LoginHintToken,
            "ID_TOKEN_HINT" => HintType::IdTokenHint,
            _ => HintType::Other(value.to_owned()),
        }
    }

    /// The request parameter of this hint type (`login_hint`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            HintType::LoginHint => "login_hint",
            HintType::LoginHintToken => "login_hint_token",
            HintType::IdTokenHint => "id_token_hint",
            HintType::Other(value) => value,
        }
    }
}

/// What the application decides in a backchannel authentication request: who the user is,
/// whether the request is acceptable for them, and how to reach their authentication
/// device.
///
/// The checks run in this order, and the first that fails refuses the request through
/// `/backchannel/authentication/fail` with the reason in brackets:
///
/// 1. [`find_user`](Self::find_user) (`UNKNOWN_USER_ID`; also when Authlete gave no hint);
/// 2. for a `login_hint_token`, [`login_hint_token_expired`](Self::login_hint_token_expired)
///    (`EXPIRED_LOGIN_HINT_TOKEN`);
/// 3. when Authlete says a user code is required (`userCodeRequired`: the client's
///    `bcUserCodeRequired` and the service's `backchannelUserCodeParameterSupported`), its
///    presence (`MISSING_USER_CODE`) and [`check_user_code`](Self::check_user_code)
///    (`INVALID_USER_CODE`);
/// 4. when the request has a (non-empty) binding message,
///    [`check_binding_message`](Self::check_binding_message) (`INVALID_BINDING_MESSAGE`).
///
/// Then the handler issues the `auth_req_id` and calls
/// [`start_authentication`](Self::start_authentication) before answering the client.
///
/// Implement the methods as `async fn`; the futures must be `Send`, so that the handler
/// can run on a multi-threaded runtime.
pub trait CibaUsers: Send + Sync {
    /// The application's user, as [`find_user`](Self::find_user) found them.
    type User: Send + Sync;

    /// The user the hint designates, or `None` if there is no such user. `sub` is the
    /// `sub` claim of the `id_token_hint`, which Authlete verified: for
    /// [`HintType::IdTokenHint`] it is the value to look up. A `login_hint_token` is given
    /// as received: verify it before trusting what it says.
    fn find_user(
        &self,
        hint_type: &HintType,
        hint: &str,
        sub: Option<&str>,
    ) -> impl Future<Output = Option<Self::User>> + Send;

    /// Whether the `login_hint_token` has expired. The default says it has not: override
    /// it when you accept login hint tokens (or refuse expired ones in
    /// [`find_user`](Self::find_user), which then answers `UNKNOWN_USER_ID`).
    fn login_hint_token_expired(
        &self,
        login_hint_token: &str,
    ) -> impl Future<Output = bool> + Send {
        let _ = login_hint_token;
        async { false }
    }

    /// Whether `user_code` is the user's (a secret such as a PIN, known to the user and
    /// verifiable by the server). Called only when Authlete says a user code is required
    /// and one was given. The default refuses every code: override it if any client
    /// requires user codes.
    fn check_user_code(
        &self,
        user: &Self::User,
        user_code: &str,
    ) -> impl Future<Output = bool> + Send {
        let _ = (user, user_code);
        async { false }
    }

    /// Whether the binding message can be shown on the authentication device. The default
    /// accepts messages of at most [`MAX_BINDING_MESSAGE_CHARS`] characters without
    /// control characters.
    fn check_binding_message(&self, binding_message: &str) -> impl Future<Output = bool> + Send {
        let valid = binding_message.chars().count() <= MAX_BINDING_MESSAGE_CHARS
            && !binding_message.chars().any(char::is_control);
        async move { valid }
    }

    /// Starts asking the user, on their authentication device, to authenticate and
    /// approve the request. Called once the `auth_req_id` has been issued and before the
    /// client gets it: start the conversation in the background (for example with
    /// `tokio::spawn`) and return at once. When the user has decided, or the conversation
    /// failed, report it with [`CibaCompletion::complete`] using
    /// [`CibaAuthentication::ticket`] (with `TRANSACTION_FAILED` when it failed).
    fn start_authentication(
        &self,
        authentication: CibaAuthentication<Self::User>,
    ) -> impl Future<Output = ()> + Send;
}

/// An accepted backchannel authentication request, handed to
/// [`CibaUsers::start_authentication`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CibaAuthentication<U> {
    /// The ticket to pass to [`CibaCompletion::complete`] (see [`completion_request`]).
    pub ticket: String,
    /// The `auth_req_id` the client received.
    pub auth_req_id: String,
    /// The lifetime of the `auth_req_id`, in seconds: the user must decide before then.
    pub expires_in: Option<i32>,
    /// The user [`CibaUsers::find_user`] found.
    pub user: U,
    /// Authlete's analysis of the request, for the device: `binding_message`, `scopes`,
    /// `claim_names`, `acrs`, `client_name`, `delivery_mode`, `authorization_details`,
    /// `request_context`, `requested_expiry`, ...
    pub request: Box<BackchannelAuthenticationResponse>,
}

/// Handles `POST` to the backchannel authentication endpoint (CIBA Core section 7).
///
/// `/backchannel/authentication`:
///
/// | Authlete action | response |
/// |---|---|
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `UNAUTHORIZED` | `401` with the error JSON and `WWW-Authenticate: Basic realm="backchannel"` ([`request::challenge`]) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | `USER_IDENTIFICATION` | the [`CibaUsers`] checks, then `/fail` or `/issue` below |
/// | anything else | generic `500` |
///
/// `/backchannel/authentication/fail` (a check failed):
///
/// | Authlete action | response |
/// |---|---|
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `FORBIDDEN` | `403` with the error JSON |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | generic `500` |
///
/// `/backchannel/authentication/issue` (every check passed):
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | [`CibaUsers::start_authentication`], then `200` with the JSON carrying `auth_req_id` |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | `INVALID_TICKET` | generic `500` |
/// | anything else | generic `500` |
///
/// The client's credentials are read by
/// [`ClientAuthentication::read`](super::request::ClientAuthentication::read) (HTTP Basic,
/// the form, attestation headers, the client certificate), which refuses malformed or
/// conflicting ones before Authlete is asked; so are repeated parameters.
#[derive(Debug, Clone)]
pub struct BackchannelAuthenticationEndpoint<U> {
    client: Client,
    settings: FlowSettings,
    users: U,
}

impl<U: CibaUsers> BackchannelAuthenticationEndpoint<U> {
    /// A handler calling Authlete with `client` and asking `users`.
    pub fn new(client: Client, settings: FlowSettings, users: U) -> Self {
        Self {
            client,
            settings,
            users,
        }
    }

    /// The application's [`CibaUsers`].
    pub fn users(&self) -> &U {
        &self.users
    }

    /// Handles one backchannel authentication request.
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
        let body = BackchannelAuthenticationRequest {
            parameters: parameters.into(),
            client_id: auth.client_id,
            client_secret: auth.client_secret,
            client_certificate: auth.client_certificate,
            client_certificate_path: auth.client_certificate_chain,
            oauth_client_attestation: auth.attestation,
            oauth_client_attestation_pop: auth.attestation_pop,
            ..Default::default()
        };
        let mut answer = self
            .client
            .backchannel_authentication(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let action = answer.action.take();
        let content = answer.response_content.take().unwrap_or_default();
        let challenge = answer.attestation_challenge.take();
        let response = match action {
            Some(Action::UserIdentification) => self.identify_user(answer).await,
            Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
            Some(Action::Unauthorized) => {
                request::unauthorized(response::json(StatusCode::UNAUTHORIZED, content), REALM)
            }
            Some(Action::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => {
                response::unknown_action("backchannel_authentication_api", other.as_str())
            }
            None => response::unknown_action("backchannel_authentication_api", "(none)"),
        };
        Ok(response.with_attestation_challenge(challenge.as_deref()))
    }

    /// `USER_IDENTIFICATION`: the checks of [`CibaUsers`], then `/fail` or `/issue`.
    async fn identify_user(&self, answer: BackchannelAuthenticationResponse) -> Response {
        let Some(ticket) = answer.ticket.clone() else {
            return response::server_error("USER_IDENTIFICATION without a ticket");
        };
        let hint_type = answer.hint_type.as_deref().map(HintType::parse);
        let user = match (&hint_type, answer.hint.as_deref()) {
            (Some(hint_type), Some(hint)) => {
                self.users
                    .find_user(hint_type, hint, answer.sub.as_deref())
                    .await
            }
            _ => None,
        };
        let Some(user) = user else {
            return self.fail(ticket, Reason::UnknownUserId).await;
        };
        if hint_type == Some(HintType::LoginHintToken)
            && let Some(token) = answer.hint.as_deref()
            && self.users.login_hint_token_expired(token).await
        {
            return self.fail(ticket, Reason::ExpiredLoginHintToken).await;
        }
        if answer.user_code_required == Some(true) {
            match answer.user_code.as_deref().filter(|code| !code.is_empty()) {
                None => return self.fail(ticket, Reason::MissingUserCode).await,
                Some(code) => {
                    if !self.users.check_user_code(&user, code).await {
                        return self.fail(ticket, Reason::InvalidUserCode).await;
                    }
                }
            }
        }
        if let Some(message) = answer.binding_message.as_deref().filter(|m| !m.is_empty())
            && !self.users.check_binding_message(message).await
        {
            return self.fail(ticket, Reason::InvalidBindingMessage).await;
        }
        self.issue(ticket, user, answer).await
    }

    async fn fail(&self, ticket: String, reason: Reason) -> Response {
        tracing::debug!(
            reason = reason.as_str(),
            "refusing a backchannel authentication request"
        );
        let body = BackchannelAuthenticationFailRequest {
            ticket,
            reason,
            error_description: None,
            error_uri: None,
        };
        let answer = match self.client.backchannel_authentication_fail(&body).await {
            Ok(answer) => answer,
            Err(e) => return response::authlete_failure(&e),
        };
        let content = answer.response_content.unwrap_or_default();
        match answer.action {
            Some(FailAction::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
            Some(FailAction::Forbidden) => response::json(StatusCode::FORBIDDEN, content),
            Some(FailAction::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => {
                response::unknown_action("backchannel_authentication_fail_api", other.as_str())
            }
            None => response::unknown_action("backchannel_authentication_fail_api", "(none)"),
        }
    }

    async fn issue(
        &self,
        ticket: String,
        user: U::User,
        request: BackchannelAuthenticationResponse,
    ) -> Response {
        let body = BackchannelAuthenticationIssueRequest {
            ticket: ticket.clone(),
        };
        let answer = match self.client.backchannel_authentication_issue(&body).await {
            Ok(answer) => answer,
            Err(e) => return response::authlete_failure(&e),
        };
        let content = answer.response_content.unwrap_or_default();
        match answer.action {
            Some(IssueAction::Ok) => {
                let Some(auth_req_id) = answer.auth_req_id else {
                    return response::server_error("backchannel issue OK without an authReqId");
                };
                self.users
                    .start_authentication(CibaAuthentication {
                        ticket,
                        auth_req_id,
                        expires_in: answer.expires_in,
                        user,
                        request: Box::new(request),
                    })
                    .await;
                response::json(StatusCode::OK, content)
            }
            Some(IssueAction::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(IssueAction::InvalidTicket) => response::server_error(
                "Authlete answered INVALID_TICKET to backchannel_authentication_issue_api",
            ),
            Some(other) => {
                response::unknown_action("backchannel_authentication_issue_api", other.as_str())
            }
            None => response::unknown_action("backchannel_authentication_issue_api", "(none)"),
        }
    }
}

/// A request for [`CibaCompletion::complete`] with only the required fields; set the
/// others (`auth_time`, `acr`, `claims`, `scopes`, `properties`, `error_description`, ...)
/// on the result.
///
/// `subject` is the user's subject also when the result is `ACCESS_DENIED` or
/// `TRANSACTION_FAILED`.
pub fn completion_request(
    ticket: impl Into<String>,
    result: BackchannelAuthenticationCompleteRequestResult,
    subject: impl Into<String>,
) -> BackchannelAuthenticationCompleteRequest {
    BackchannelAuthenticationCompleteRequest {
        ticket: ticket.into(),
        result,
        subject: subject.into(),
        access_token: None,
        access_token_duration: None,
        acr: None,
        auth_time: None,
        claims: None,
        consented_claims: Vec::new(),
        error_description: None,
        error_uri: None,
        id_token_aud_type: None,
        idt_header_params: None,
        jwt_at_claims: None,
        properties: Vec::new(),
        refresh_token_duration: None,
        scopes: Vec::new(),
        sub: None,
    }
}

/// How long the client's notification endpoint may take to answer, by default.
pub const DEFAULT_NOTIFICATION_TIMEOUT: Duration = Duration::from_secs(10);

/// Completes a CIBA request once the user has decided on their authentication device
/// (`/backchannel/authentication/complete`), and delivers the notification of the ping and
/// push modes.
///
/// There is no HTTP request to answer here (the application calls this from wherever it
/// learns the user's decision), so the result is a [`CompletionOutcome`] rather than a
/// response:
///
/// | Authlete action | outcome |
/// |---|---|
/// | `NO_ACTION` (poll mode) | [`CompletionOutcome::NoAction`]: the client gets the result at the token endpoint |
/// | `NOTIFICATION` (ping and push modes) | `POST` of `responseContent` to `clientNotificationEndpoint` with `Authorization: Bearer <clientNotificationToken>`: [`CompletionOutcome::Notified`] when it answers `2xx`, else [`CompletionOutcome::NotificationFailed`] |
/// | `SERVER_ERROR`, anything else | [`CompletionOutcome::ServerError`] (details in the log) |
/// | the call to Authlete failed | [`CompletionOutcome::Failed`] |
///
/// The notification is sent with the handler's own HTTP client, which follows no
/// redirects (a `3xx` is a failed delivery), with a timeout
/// ([`DEFAULT_NOTIFICATION_TIMEOUT`] unless changed). The notification token is never
/// logged.
#[derive(Debug, Clone)]
pub struct CibaCompletion {
    client: Client,
    /// The client for the notifications, or why it could not be built (reported by every
    /// delivery as [`NotificationError::HttpClient`]).
    http: Result<reqwest::Client, Arc<reqwest::Error>>,
    timeout: Duration,
}

impl CibaCompletion {
    /// A completion calling Authlete with `client`, with its own HTTP client for the
    /// notifications (from [`crate::http_client_builder`], following no redirects).
    ///
    /// Should that client fail to build (reqwest could not set up its TLS backend, for
    /// example), the completion is still made and still reports decisions to Authlete,
    /// but no notification is sent: each one ends as
    /// [`CompletionOutcome::NotificationFailed`] with [`NotificationError::HttpClient`],
    /// whose [`source`](std::error::Error::source) is reqwest's error. No default client
    /// without our settings is put in its place. Give a client of your own with
    /// [`with_http_client`](Self::with_http_client) to deliver anyway.
    pub fn new(client: Client) -> Self {
        Self::with_http_client_builder(client, crate::http_client_builder())
    }

    /// [`new`](Self::new) with the notification client made from `builder`, so that the
    /// tests can make its build fail.
    fn with_http_client_builder(client: Client, builder: reqwest::ClientBuilder) -> Self {
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Arc::new);
        Self {
            client,
            http,
            timeout: DEFAULT_NOTIFICATION_TIMEOUT,
        }
    }

    /// The same completion delivering notifications with `http` (its redirect policy and
    /// TLS settings apply; the timeout still does). It replaces the completion's own
    /// client, also one that could not be built.
    #[must_use]
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Ok(http);
        self
    }

    /// The same completion waiting at most `timeout` for the notification endpoint.
    #[must_use]
    pub fn with_notification_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reports the user's decision to Authlete and, in ping and push modes, notifies the
    /// client. Build `request` with [`completion_request`].
    pub async fn complete(
        &self,
        request: &BackchannelAuthenticationCompleteRequest,
    ) -> CompletionOutcome {
        let answer = match self
            .client
            .backchannel_authentication_complete(request)
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                tracing::error!(error = %error, "the call to Authlete failed");
                return CompletionOutcome::Failed(error);
            }
        };
        match answer.action {
            Some(CompleteAction::NoAction) => CompletionOutcome::NoAction,
            Some(CompleteAction::Notification) => {
                let notification = Notification {
                    endpoint: answer.client_notification_endpoint.unwrap_or_default(),
                    token: answer.client_notification_token.unwrap_or_default(),
                    body: answer.response_content.unwrap_or_default(),
                    delivery_mode: answer.delivery_mode,
                    auth_req_id: answer.auth_req_id,
                };
                match self.deliver(&notification).await {
                    Ok(status) => CompletionOutcome::Notified { status },
                    Err(error) => CompletionOutcome::NotificationFailed {
                        notification,
                        error,
                    },
                }
            }
            Some(CompleteAction::ServerError) => {
                tracing::error!(
                    result_code = answer.result_code.as_deref(),
                    result_message = answer.result_message.as_deref(),
                    "Authlete answered SERVER_ERROR to backchannel_authentication_complete_api"
                );
                CompletionOutcome::ServerError
            }
            Some(other) => {
                tracing::error!(
                    operation = "backchannel_authentication_complete_api",
                    action = other.as_str(),
                    "Authlete answered with an action this SDK does not know"
                );
                CompletionOutcome::ServerError
            }
            None => {
                tracing::error!(
                    operation = "backchannel_authentication_complete_api",
                    "Authlete answered without an action"
                );
                CompletionOutcome::ServerError
            }
        }
    }

    /// Delivers `notification` (again, for example after
    /// [`CompletionOutcome::NotificationFailed`]): `POST` of its body as JSON with
    /// `Authorization: Bearer` and its token. `Ok` with the status of a `2xx` answer.
    pub async fn deliver(
        &self,
        notification: &Notification,
    ) -> Result<StatusCode, NotificationError> {
        let result = self.try_deliver(notification).await;
        match &result {
            Ok(status) => tracing::debug!(
                status = status.as_u16(),
                auth_req_id = notification.auth_req_id.as_deref(),
                "CIBA notification delivered"
            ),
            Err(error) => tracing::warn!(
                error = %error,
                auth_req_id = notification.auth_req_id.as_deref(),
                "CIBA notification not delivered"
            ),
        }
        result
    }

    async fn try_deliver(
        &self,
        notification: &Notification,
    ) -> Result<StatusCode, NotificationError> {
        let http = self
            .http
            .as_ref()
            .map_err(|error| NotificationError::HttpClient(Arc::clone(error)))?;
        if notification.endpoint.is_empty() {
            return Err(NotificationError::MissingEndpoint);
        }
        let url = reqwest::Url::parse(&notification.endpoint)
            .ok()
            .filter(|url| matches!(url.scheme(), "https" | "http"))
            .ok_or(NotificationError::InvalidEndpoint)?;
        let token = notification.token.expose_secret();
        if token.is_empty() {
            return Err(NotificationError::MissingToken);
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| NotificationError::InvalidToken)?;
        authorization.set_sensitive(true);
        let sent = http
            .post(url)
            .header(header::AUTHORIZATION, authorization)
            .header(header::CONTENT_TYPE, "application/json")
            .body(notification.body.expose_secret().to_owned())
            .timeout(self.timeout)
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => Ok(answer.status()),
            Ok(answer) => Err(NotificationError::Status(answer.status())),
            Err(e) if e.is_timeout() => Err(NotificationError::Timeout(self.timeout)),
            Err(e) => Err(NotificationError::Transport(e.without_url())),
        }
    }
}

/// A CIBA notification to a client (CIBA Core sections 10.2 and 10.3).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Notification {
    /// The client's notification endpoint.
    pub endpoint: String,
    /// The `client_notification_token` of the request, sent as a bearer token.
    pub token: Secret,
    /// The JSON body: `auth_req_id` (ping), or the tokens or the error (push).
    pub body: Secret,
    /// The client's delivery mode.
    pub delivery_mode: Option<DeliveryMode>,
    /// The `auth_req_id` it is about.
    pub auth_req_id: Option<String>,
}

/// Why a notification was not delivered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationError {
    /// Authlete gave no client notification endpoint.
    #[error("no client notification endpoint")]
    MissingEndpoint,
    /// The endpoint is not an `http` or `https` URL.
    #[error("the client notification endpoint is not a valid http(s) URL")]
    InvalidEndpoint,
    /// Authlete gave no client notification token.
    #[error("no client notification token")]
    MissingToken,
    /// The client notification token cannot be put in a header.
    #[error("the client notification token is not a valid header value")]
    InvalidToken,
    /// The endpoint did not answer in time.
    #[error("the client notification endpoint did not answer within {0:?}")]
    Timeout(Duration),
    /// The endpoint could not be reached.
    #[error("the client notification endpoint could not be reached")]
    Transport(#[source] reqwest::Error),
    /// The endpoint answered with a status other than `2xx`.
    #[error("the client notification endpoint answered {0}")]
    Status(StatusCode),
    /// Nothing was sent: the HTTP client for the notifications could not be built when
    /// the [`CibaCompletion`] was made (see [`CibaCompletion::new`]). The field is
    /// reqwest's (builder) error, shared by every delivery of the completion since it
    /// cannot be cloned; it is also the [`source`](std::error::Error::source).
    #[error("the HTTP client for CIBA notifications could not be built")]
    HttpClient(#[source] Arc<reqwest::Error>),
}

/// What [`CibaCompletion::complete`] did.
#[derive(Debug)]
#[non_exhaustive]
pub enum CompletionOutcome {
    /// `NO_ACTION`: poll mode; the client fetches the result at the token endpoint.
    NoAction,
    /// `NOTIFICATION`: the client's notification endpoint accepted the notification.
    Notified {
        /// Its `2xx` status (`204` as CIBA Core recommends, or `200`).
        status: StatusCode,
    },
    /// `NOTIFICATION`: the notification could not be delivered. Try again later with
    /// [`CibaCompletion::deliver`] if you like; in ping mode the client may still poll.
    NotificationFailed {
        /// The notification, to deliver again.
        notification: Notification,
        /// Why it failed.
        error: NotificationError,
    },
    /// `SERVER_ERROR`, or an action this version does not know: Authlete could not
    /// complete the request (details in the log).
    ServerError,
    /// The call to Authlete failed.
    Failed(Error),
}

impl CompletionOutcome {
    /// Whether the request was completed and, where needed, the client notified.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            CompletionOutcome::NoAction | CompletionOutcome::Notified { .. }
        )
    }
}

impl<U: CibaUsers + 'static> crate::flows::Endpoint for BackchannelAuthenticationEndpoint<U> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        BackchannelAuthenticationEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_types_parse_both_spellings() {
        assert_eq!(HintType::parse("LOGIN_HINT"), HintType::LoginHint);
        assert_eq!(
            HintType::parse("login_hint_token"),
            HintType::LoginHintToken
        );
        assert_eq!(HintType::parse("ID_TOKEN_HINT"), HintType::IdTokenHint);
        assert_eq!(
            HintType::parse("SOMETHING"),
            HintType::Other("SOMETHING".into())
        );
        assert_eq!(HintType::IdTokenHint.as_str(), "id_token_hint");
    }

    #[test]
    fn notification_errors_never_show_the_token() {
        let notification = Notification {
            endpoint: "https://client.example/cb".into(),
            token: Secret::new("tok-123"),
            body: Secret::new("{}"),
            delivery_mode: None,
            auth_req_id: None,
        };
        assert!(!format!("{notification:?}").contains("tok-123"));
    }

    mod without_a_notification_client {
        use std::error::Error as _;

        use authlete_sys::mock::MockServerExt as _;
        use httpmock::MockServer;
        use serde_json::json;

        use super::*;
        use crate::flows::test_support::{SERVICE, client, failing_http_client_builder};
        use crate::types::BackchannelAuthenticationCompleteRequestResult as Decision;

        #[tokio::test]
        async fn the_decision_is_reported_and_the_notification_fails_with_the_build_error() {
            let authlete = MockServer::start_async().await;
            let client_side = MockServer::start_async().await;
            let endpoint = client_side.url("/ciba/notify");
            let completed = authlete.backchannel_authentication_complete_api(|when, then| {
                when.service_id(SERVICE).into_inner();
                then.into_inner().status(200).json_body(json!({
                    "action": "NOTIFICATION",
                    "deliveryMode": "PING",
                    "authReqId": "req-1",
                    "clientNotificationEndpoint": endpoint,
                    "clientNotificationToken": "notif-token-8d2",
                    "responseContent": r#"{"auth_req_id":"req-1"}"#,
                }));
            });
            // Raw on purpose: the client's notification endpoint, not an Authlete operation.
            let notified = client_side
                .mock_async(|when, then| {
                    when.method("POST").path("/ciba/notify");
                    then.status(204);
                })
                .await;

            let completion = CibaCompletion::with_http_client_builder(
                client(&authlete.base_url()),
                failing_http_client_builder(),
            );
            let decision = completion_request("t-1", Decision::Authorized, "alice");
            let outcome = completion.complete(&decision).await;

            completed.assert_async().await;
            assert_eq!(notified.calls_async().await, 0, "nothing may be sent");
            let CompletionOutcome::NotificationFailed {
                notification,
                error,
            } = outcome
            else {
                panic!("expected NotificationFailed, got {outcome:?}");
            };
            assert_eq!(
                error.to_string(),
                "the HTTP client for CIBA notifications could not be built"
            );
            let NotificationError::HttpClient(cause) = &error else {
                panic!("expected HttpClient, got {error:?}");
            };
            assert!(cause.is_builder(), "{cause:?}");
            let source = error.source().expect("reqwest's error as the source");
            assert_eq!(source.to_string(), cause.to_string());
            assert_eq!(notification.endpoint, endpoint);

            // A client of the caller's own delivers the kept notification.
            let completion =
                completion.with_http_client(crate::http_client_builder().build().unwrap());
            let status = completion.deliver(&notification).await.unwrap();
            assert_eq!(status, StatusCode::NO_CONTENT);
            assert_eq!(notified.calls_async().await, 1);
        }
    }
}
