//! The device authorization grant (RFC 8628).
//!
//! 1. [`DeviceAuthorizationEndpoint`] handles `POST /device_authorization`: the device asks
//!    for a device code and a user code (`/device/authorization`).
//! 2. The user opens the verification page on another device and types the user code. The
//!    application's page asks [`DeviceFlow::verify`] what the code is about
//!    (`/device/verification`) and renders the [`VerificationOutcome`]: the client and the
//!    scopes to approve, or why the code cannot be used.
//! 3. Once the user has logged in and decided, the page reports it with
//!    [`DeviceFlow::complete`] (`/device/complete`) and renders the [`CompletionOutcome`];
//!    the device then gets its tokens from the token endpoint.
//!
//! The verification page is the application's own (an HTML form, with its login and CSRF
//! protection, and a limit on how many codes a visitor may try), so steps 2 and 3 return
//! typed outcomes rather than HTTP responses.
//!
//! ```no_run
//! use authlete::flows::device::{CompletionOutcome, DeviceFlow, VerificationOutcome, completion_request};
//! use authlete::types::DeviceCompleteRequestResult as Decision;
//!
//! # async fn run(client: authlete::Client) {
//! let flow = DeviceFlow::new(client);
//! match flow.verify("WDJB-MJHT").await {
//!     VerificationOutcome::Valid { user_code, details } => {
//!         // Show details.client_name and details.scopes; on approval:
//!         let mut request = completion_request(user_code, Decision::Authorized, "john");
//!         request.auth_time = Some(1_700_000_000);
//!         match flow.complete(&request).await {
//!             CompletionOutcome::Success => { /* "You may return to your device." */ }
//!             _ => { /* "The code expired or is unknown; start again on your device." */ }
//!         }
//!         # let _ = details;
//!     }
//!     VerificationOutcome::Expired | VerificationOutcome::NotFound => { /* ask again */ }
//!     _ => { /* "Try again later." */ }
//! }
//! # }
//! ```

use bytes::Bytes;
use http::{Request, StatusCode};

use super::request::{self, BadRequest, ClientAuthentication};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{
    DeviceAuthorizationRequest, DeviceAuthorizationResponseAction as Action, DeviceCompleteRequest,
    DeviceCompleteRequestResult, DeviceCompleteResponseAction as CompleteAction,
    DeviceVerificationRequest, DeviceVerificationResponse,
    DeviceVerificationResponseAction as VerificationAction,
};
use crate::{Client, Error};

/// The realm of the `Basic` challenge of every `401`.
const REALM: &str = "device_authorization";

/// User codes longer than this are answered [`VerificationOutcome::NotFound`] without
/// asking Authlete.
pub const MAX_USER_CODE_CHARS: usize = 128;

/// Handles `POST` to the device authorization endpoint (RFC 8628 section 3.1) through
/// Authlete's `/device/authorization`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the JSON carrying `device_code`, `user_code`, `verification_uri`, ... |
/// | `BAD_REQUEST` | `400` with the error JSON |
/// | `UNAUTHORIZED` | `401` with the error JSON and `WWW-Authenticate: Basic realm="device_authorization"` ([`request::challenge`]) |
/// | `INTERNAL_SERVER_ERROR` | `500` with the error JSON |
/// | anything else | generic `500` |
///
/// The client's credentials are read by
/// [`ClientAuthentication::read`](super::request::ClientAuthentication::read) (HTTP Basic,
/// the form, attestation headers, the client certificate), which refuses malformed or
/// conflicting ones before Authlete is asked; so are repeated parameters.
#[derive(Debug, Clone)]
pub struct DeviceAuthorizationEndpoint {
    client: Client,
    settings: FlowSettings,
}

impl DeviceAuthorizationEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        Self { client, settings }
    }

    /// Handles one device authorization request.
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
        let body = DeviceAuthorizationRequest {
            parameters: parameters.into(),
            client_id: auth.client_id,
            client_secret: auth.client_secret,
            client_certificate: auth.client_certificate,
            client_certificate_path: auth.client_certificate_chain,
            oauth_client_attestation: auth.attestation,
            oauth_client_attestation_pop: auth.attestation_pop,
            ..Default::default()
        };
        let answer = self
            .client
            .device_authorization(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let content = answer
            .response_content
            .as_ref()
            .map(|c| c.expose_secret().to_owned())
            .unwrap_or_default();
        let response = match answer.action {
            Some(Action::Ok) => response::json(StatusCode::OK, content),
            Some(Action::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
            Some(Action::Unauthorized) => {
                request::unauthorized(response::json(StatusCode::UNAUTHORIZED, content), REALM)
            }
            Some(Action::InternalServerError) => {
                response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
            }
            Some(other) => response::unknown_action("device_authorization_api", other.as_str()),
            None => response::unknown_action("device_authorization_api", "(none)"),
        };
        Ok(response.with_attestation_challenge(answer.attestation_challenge.as_deref()))
    }
}

/// The verification and completion steps of the device flow, for the application's
/// verification page.
///
/// [`verify`](Self::verify), `/device/verification`:
///
/// | Authlete action | outcome |
/// |---|---|
/// | `VALID` | [`VerificationOutcome::Valid`] with what to show the user |
/// | `EXPIRED` | [`VerificationOutcome::Expired`] |
/// | `NOT_EXIST` | [`VerificationOutcome::NotFound`] |
/// | `SERVER_ERROR` (`INTERNAL_SERVER_ERROR` in Authlete's published spec), anything else | [`VerificationOutcome::ServerError`] (details in the log) |
/// | the call to Authlete failed | [`VerificationOutcome::Failed`] |
///
/// [`complete`](Self::complete), `/device/complete`:
///
/// | Authlete action | outcome |
/// |---|---|
/// | `SUCCESS` | [`CompletionOutcome::Success`] |
/// | `INVALID_REQUEST` | [`CompletionOutcome::InvalidRequest`] |
/// | `USER_CODE_EXPIRED` | [`CompletionOutcome::UserCodeExpired`] |
/// | `USER_CODE_NOT_EXIST` | [`CompletionOutcome::UserCodeNotFound`] |
/// | `SERVER_ERROR`, anything else | [`CompletionOutcome::ServerError`] (details in the log) |
/// | the call to Authlete failed | [`CompletionOutcome::Failed`] |
#[derive(Debug, Clone)]
pub struct DeviceFlow {
    client: Client,
}

impl DeviceFlow {
    /// The device flow steps calling Authlete with `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// What the user code the user typed on the verification page is about. Surrounding
    /// whitespace is removed; an empty code, one longer than [`MAX_USER_CODE_CHARS`] or one
    /// with control characters is [`VerificationOutcome::NotFound`] without asking
    /// Authlete.
    pub async fn verify(&self, user_code: &str) -> VerificationOutcome {
        let user_code = user_code.trim();
        if user_code.is_empty()
            || user_code.chars().count() > MAX_USER_CODE_CHARS
            || user_code.chars().any(char::is_control)
        {
            return VerificationOutcome::NotFound;
        }
        let body = DeviceVerificationRequest {
            user_code: user_code.to_owned(),
        };
        let mut answer = match self.client.device_verification(&body).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::error!(error = %error, "the call to Authlete failed");
                return VerificationOutcome::Failed(error);
            }
        };
        match answer.action.take() {
            Some(VerificationAction::Valid) => VerificationOutcome::Valid {
                user_code: user_code.to_owned(),
                details: Box::new(answer),
            },
            Some(VerificationAction::Expired) => VerificationOutcome::Expired,
            Some(VerificationAction::NotExist) => VerificationOutcome::NotFound,
            // Authlete's libraries know this failure as SERVER_ERROR; the published spec
            // says INTERNAL_SERVER_ERROR. Both mean Authlete failed.
            Some(
                action
                @ (VerificationAction::ServerError | VerificationAction::InternalServerError),
            ) => {
                server_error(
                    "device_verification_api",
                    action.as_str(),
                    &answer.result_code,
                    &answer.result_message,
                );
                VerificationOutcome::ServerError
            }
            Some(other) => {
                server_error(
                    "device_verification_api",
                    other.as_str(),
                    &answer.result_code,
                    &answer.result_message,
                );
                VerificationOutcome::ServerError
            }
            None => {
                server_error(
                    "device_verification_api",
                    "(none)",
                    &answer.result_code,
                    &answer.result_message,
                );
                VerificationOutcome::ServerError
            }
        }
    }

    /// Reports the user's decision. Build `request` with [`completion_request`].
    pub async fn complete(&self, request: &DeviceCompleteRequest) -> CompletionOutcome {
        let answer = match self.client.device_complete(request).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::error!(error = %error, "the call to Authlete failed");
                return CompletionOutcome::Failed(error);
            }
        };
        match answer.action {
            Some(CompleteAction::Success) => CompletionOutcome::Success,
            Some(CompleteAction::InvalidRequest) => CompletionOutcome::InvalidRequest,
            Some(CompleteAction::UserCodeExpired) => CompletionOutcome::UserCodeExpired,
            Some(CompleteAction::UserCodeNotExist) => CompletionOutcome::UserCodeNotFound,
            Some(CompleteAction::ServerError) => {
                server_error(
                    "device_complete_api",
                    "SERVER_ERROR",
                    &answer.result_code,
                    &answer.result_message,
                );
                CompletionOutcome::ServerError
            }
            Some(other) => {
                server_error(
                    "device_complete_api",
                    other.as_str(),
                    &answer.result_code,
                    &answer.result_message,
                );
                CompletionOutcome::ServerError
            }
            None => {
                server_error(
                    "device_complete_api",
                    "(none)",
                    &answer.result_code,
                    &answer.result_message,
                );
                CompletionOutcome::ServerError
            }
        }
    }
}

fn server_error(
    operation: &'static str,
    action: &str,
    result_code: &Option<String>,
    result_message: &Option<String>,
) {
    tracing::error!(
        operation,
        action,
        result_code = result_code.as_deref(),
        result_message = result_message.as_deref(),
        "Authlete could not process the device flow step"
    );
}

/// A request for [`DeviceFlow::complete`] with only the required fields; set the others
/// (`auth_time`, `acr`, `claims`, `scopes`, `properties`, `error_description`, ...) on the
/// result.
///
/// `subject` is the user's subject also when the result is `ACCESS_DENIED` or
/// `TRANSACTION_FAILED`.
pub fn completion_request(
    user_code: impl Into<String>,
    result: DeviceCompleteRequestResult,
    subject: impl Into<String>,
) -> DeviceCompleteRequest {
    DeviceCompleteRequest {
        user_code: user_code.into(),
        result,
        subject: subject.into(),
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

/// What [`DeviceFlow::verify`] found out about a user code, for the verification page.
#[derive(Debug)]
#[non_exhaustive]
pub enum VerificationOutcome {
    /// `VALID`: ask the user to log in and approve.
    Valid {
        /// The user code, for [`completion_request`].
        user_code: String,
        /// What to show: `client_name`, `scopes`, `claim_names`, `acrs`,
        /// `authorization_details`, `resources`, `expires_at` (milliseconds since the Unix
        /// epoch), `grant_id`, ...
        details: Box<DeviceVerificationResponse>,
    },
    /// `EXPIRED`: the user must start again on the device.
    Expired,
    /// `NOT_EXIST`: no such user code (perhaps a typo), or the code was malformed.
    NotFound,
    /// `INTERNAL_SERVER_ERROR`, or an action this version does not know (details in the
    /// log).
    ServerError,
    /// The call to Authlete failed.
    Failed(Error),
}

/// What [`DeviceFlow::complete`] did, for the verification page.
#[derive(Debug)]
#[non_exhaustive]
pub enum CompletionOutcome {
    /// `SUCCESS`: the decision is recorded; the device gets its tokens (or the refusal)
    /// at the token endpoint.
    Success,
    /// `INVALID_REQUEST`: the completion request was invalid.
    InvalidRequest,
    /// `USER_CODE_EXPIRED`: too late; the user must start again on the device.
    UserCodeExpired,
    /// `USER_CODE_NOT_EXIST`: no such user code (or it was already used).
    UserCodeNotFound,
    /// `SERVER_ERROR`, or an action this version does not know (details in the log).
    ServerError,
    /// The call to Authlete failed.
    Failed(Error),
}

impl crate::flows::Endpoint for DeviceAuthorizationEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        DeviceAuthorizationEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}
