//! The authorization endpoint (RFC 6749 section 3.1, OpenID Connect Core 3.1.2) and the
//! decision that ends it after the user's login and consent.
//!
//! 1. [`AuthorizationEndpoint::handle`] passes the request to Authlete's
//!    `/auth/authorization`. Either the answer is ready to send
//!    ([`AuthorizationOutcome::Response`]: a redirect to the client, an error, or a
//!    `prompt=none` request settled with the application's [`Session`]), or the user must
//!    log in and consent ([`AuthorizationOutcome::Interaction`]): the application renders
//!    its own page from the [`Interaction`], keeping its ticket.
//! 2. When the user has decided, [`AuthorizationEndpoint::decide`] (or
//!    [`AuthorizationDecisionEndpoint::decide`]) sends the [`AuthorizationDecision`] to
//!    Authlete and returns the response for the browser, usually a redirect to the client
//!    with the code.
//!
//! ```no_run
//! use authlete::flows::authorization::{AuthorizationDecision, AuthorizationEndpoint, AuthorizationOutcome, NoSession};
//! use authlete::flows::{Bytes, FlowSettings, Response};
//!
//! # fn render(page: String) -> Response { unimplemented!() }
//! # async fn run(client: authlete::Client, request: http::Request<Bytes>) -> Response {
//! let endpoint = AuthorizationEndpoint::new(client, FlowSettings::default(), NoSession);
//! match endpoint.handle(&request).await {
//!     AuthorizationOutcome::Response(response) => response,
//!     AuthorizationOutcome::Interaction(interaction) => {
//!         // Keep interaction.ticket() (e.g. in the user's session) and show the page.
//!         render(format!(
//!             "{} asks for {:?}",
//!             interaction.client_name().unwrap_or("An application"),
//!             interaction.scope_names(),
//!         ))
//!     }
//! }
//! # }
//! # async fn consent(endpoint: AuthorizationEndpoint, ticket: String) -> Response {
//! // Later, when the consent form is posted:
//! endpoint
//!     .decide(AuthorizationDecision::approve(ticket, "alice").auth_time(1_700_000_000))
//!     .await
//! # }
//! ```

mod decision;
mod login;
mod session;

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, StatusCode};

pub use self::decision::{Approval, AuthorizationDecision, AuthorizationDecisionEndpoint, Failure};
use self::login::positive;
pub use self::login::{LoginRequired, check_login, check_user};
pub use self::session::{AuthenticatedUser, NoSession, Session};
use super::request::{self, BadRequest};
use super::{FlowSettings, Response, response};
use crate::Client;
pub use crate::types::AuthorizationFailRequestReason as FailReason;
use crate::types::{
    AuthorizationRequest, AuthorizationResponse, AuthorizationResponseAction as Action,
    AuthzDetails, ClientLimitedAuthorization, Display, Prompt, Scope,
};

const OPERATION: &str = "auth_authorization_api";

/// Handles `GET` or `POST /authorize` through Authlete's `/auth/authorization`.
///
/// | Authlete action | outcome |
/// |---|---|
/// | `INTERACTION` | [`AuthorizationOutcome::Interaction`]: the application shows its login/consent page, then calls [`decide`](Self::decide) |
/// | `NO_INTERACTION` | the [`Session`] is asked for the user, then `/auth/authorization/issue` or `/auth/authorization/fail` (see below), mapped as in [`AuthorizationDecisionEndpoint`] |
/// | `LOCATION` | `302` with `Location` = `responseContent` (an error sent back to the client) |
/// | `FORM` | `200` `text/html` with `responseContent` (an error, `response_mode=form_post`) |
/// | `BAD_REQUEST` | `400` with the error JSON (the client could not be identified) |
/// | `INTERNAL_SERVER_ERROR`, anything else | `500` |
///
/// With `NO_INTERACTION` (`prompt=none`), the request fails, in this order, with
/// `NOT_LOGGED_IN` when [`Session::current_user`] knows nobody; `EXCEEDS_MAX_AGE` when the
/// request has a `max_age` and the user's authentication time is unknown or older than
/// that; `DIFFERENT_SUBJECT` when the request names a subject (the `sub` claim) other than
/// the user's; `ACR_NOT_SATISFIED` when the `acr` claim is essential and the user's ACR is
/// none of those requested. Otherwise [`Session::approve_without_interaction`] decides
/// (by default: approve).
///
/// A method other than `GET` or `POST` is answered `405`, a form body of another type
/// `415`, a query or body over [`FlowSettings::max_body_bytes`] `413` and broken encoding
/// `400`, all without asking Authlete.
#[derive(Debug, Clone)]
pub struct AuthorizationEndpoint<S = NoSession> {
    client: Client,
    settings: FlowSettings,
    session: S,
}

impl<S: Session> AuthorizationEndpoint<S> {
    /// A handler calling Authlete with `client`, asking `session` who is logged in when a
    /// request needs no interaction ([`NoSession`] to refuse them all).
    pub fn new(client: Client, settings: FlowSettings, session: S) -> Self {
        Self {
            client,
            settings,
            session,
        }
    }

    /// The application's session.
    pub fn session(&self) -> &S {
        &self.session
    }

    /// The settings the handler was built with.
    pub fn settings(&self) -> &FlowSettings {
        &self.settings
    }

    /// Handles one authorization request.
    pub async fn handle(&self, request: &Request<Bytes>) -> AuthorizationOutcome {
        let parameters = match request::query_or_form_parameters(request, &self.settings) {
            Ok(parameters) => parameters,
            Err(e) => return AuthorizationOutcome::Response(BadRequest::into_response(e)),
        };
        let body = AuthorizationRequest {
            parameters,
            ..Default::default()
        };
        let answer = match self.client.authorization(&body).await {
            Ok(answer) => answer,
            Err(e) => return AuthorizationOutcome::Response(response::authlete_failure(&e)),
        };
        let response = match answer.action {
            Some(Action::Interaction) => {
                return match answer.ticket.clone() {
                    Some(ticket) => AuthorizationOutcome::Interaction(Interaction {
                        ticket,
                        response: Box::new(answer),
                    }),
                    None => AuthorizationOutcome::Response(response::server_error(
                        "INTERACTION without a ticket",
                    )),
                };
            }
            Some(Action::NoInteraction) => self.no_interaction(request, &answer).await,
            Some(Action::Location) => {
                response::redirect(answer.response_content.as_deref().unwrap_or_default())
            }
            Some(Action::Form) => {
                response::html(StatusCode::OK, answer.response_content.unwrap_or_default())
            }
            Some(Action::BadRequest) => response::json(
                StatusCode::BAD_REQUEST,
                answer.response_content.unwrap_or_default(),
            ),
            Some(Action::InternalServerError) => response::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                answer.response_content.unwrap_or_default(),
            ),
            Some(other) => response::unknown_action(OPERATION, other.as_str()),
            None => response::unknown_action(OPERATION, "(none)"),
        };
        AuthorizationOutcome::Response(response)
    }

    /// Ends an authorization request as the user decided (see
    /// [`AuthorizationDecisionEndpoint`] for the responses).
    pub async fn decide(&self, decision: impl Into<AuthorizationDecision>) -> Response {
        decision::decide(&self.client, decision.into()).await
    }

    async fn no_interaction(
        &self,
        request: &Request<Bytes>,
        answer: &AuthorizationResponse,
    ) -> Response {
        let Some(ticket) = answer.ticket.clone() else {
            return response::server_error("NO_INTERACTION without a ticket");
        };
        let user = self.session.current_user(request).await;
        let decision = match check_no_interaction(answer, user.as_ref(), now()) {
            Err(reason) => Failure::new(ticket, reason).into(),
            Ok(user) => {
                self.session
                    .approve_without_interaction(Approval::for_user(ticket, user), answer)
                    .await
            }
        };
        decision::decide(&self.client, decision).await
    }
}

/// Seconds since the Unix epoch.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The checks OpenID Connect asks of a request that allows no interaction: someone is
/// logged in, and [`check_login`] passes.
fn check_no_interaction<'a>(
    answer: &AuthorizationResponse,
    user: Option<&'a AuthenticatedUser>,
    now: i64,
) -> Result<&'a AuthenticatedUser, FailReason> {
    let user = user.ok_or(FailReason::NotLoggedIn)?;
    check_login(answer, user, now).map_err(LoginRequired::fail_reason)?;
    Ok(user)
}

/// What [`AuthorizationEndpoint::handle`] produced.
#[derive(Debug)]
#[must_use]
pub enum AuthorizationOutcome {
    /// The user must log in and/or consent: render the page from this, then call
    /// [`AuthorizationEndpoint::decide`] with its ticket.
    Interaction(Interaction),
    /// Send this response as it is.
    Response(Response),
}

impl AuthorizationOutcome {
    /// The response, rendering the page with `render` when the user must interact.
    ///
    /// `render` may borrow the request given to [`AuthorizationEndpoint::handle`], to read
    /// the session cookie or `Accept-Language` for the page, as the axum adapter's renderer
    /// gets the request's head.
    pub fn into_response_with(self, render: impl FnOnce(Interaction) -> Response) -> Response {
        match self {
            AuthorizationOutcome::Interaction(interaction) => render(interaction),
            AuthorizationOutcome::Response(response) => response,
        }
    }
}

/// What the login/consent page needs: who asks (the client), for what (scopes, claims,
/// authorization details), and how (prompts, `max_age`, hints, ACRs, locales). The whole
/// answer of Authlete is in [`authorization_response`](Self::authorization_response).
#[derive(Debug, Clone)]
pub struct Interaction {
    ticket: String,
    response: Box<AuthorizationResponse>,
}

impl Interaction {
    /// The ticket that identifies the request in [`AuthorizationDecision`]. Keep it on the
    /// server side (such as in the user's session), bound to the user's browser.
    pub fn ticket(&self) -> &str {
        &self.ticket
    }

    /// The client that asks, with what a consent page shows of it.
    pub fn client(&self) -> Option<&ClientLimitedAuthorization> {
        self.response.client.as_ref()
    }

    /// The client's name.
    pub fn client_name(&self) -> Option<&str> {
        self.client()?.client_name.as_deref()
    }

    /// The client's logo.
    pub fn client_logo_uri(&self) -> Option<&str> {
        self.client()?.logo_uri.as_deref()
    }

    /// The client's policy page.
    pub fn client_policy_uri(&self) -> Option<&str> {
        self.client()?.policy_uri.as_deref()
    }

    /// The client's terms of service.
    pub fn client_tos_uri(&self) -> Option<&str> {
        self.client()?.tos_uri.as_deref()
    }

    /// The scopes requested, with their descriptions.
    pub fn scopes(&self) -> &[Scope] {
        &self.response.scopes
    }

    /// The names of the scopes requested.
    pub fn scope_names(&self) -> Vec<&str> {
        self.response
            .scopes
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect()
    }

    /// The claims requested for the ID token (from the `claims` parameter and the
    /// `profile`, `email`, `address` and `phone` scopes).
    pub fn claims(&self) -> &[String] {
        &self.response.claims
    }

    /// The claims requested from the userinfo endpoint.
    pub fn claims_at_user_info(&self) -> &[String] {
        &self.response.claims_at_user_info
    }

    /// The `id_token` member of the `claims` parameter, as JSON.
    pub fn id_token_claims(&self) -> Option<&str> {
        self.response.id_token_claims.as_deref()
    }

    /// The `userinfo` member of the `claims` parameter, as JSON.
    pub fn user_info_claims(&self) -> Option<&str> {
        self.response.user_info_claims.as_deref()
    }

    /// The preferred languages of claim values (`claims_locales`).
    pub fn claims_locales(&self) -> &[String] {
        &self.response.claims_locales
    }

    /// The `prompt` values (e.g. `login` to authenticate the user again, `consent` to ask
    /// again).
    pub fn prompts(&self) -> &[Prompt] {
        &self.response.prompts
    }

    /// The maximum age of the user's authentication in seconds (`max_age`, or the client's
    /// default), if any: an older login must be repeated.
    pub fn max_age(&self) -> Option<u32> {
        positive(self.response.max_age)
    }

    /// The `login_hint`, to prefill the login form.
    pub fn login_hint(&self) -> Option<&str> {
        self.response.login_hint.as_deref()
    }

    /// The subject the request requires (the `sub` claim of the `claims` parameter).
    pub fn requested_subject(&self) -> Option<&str> {
        self.response.subject.as_deref()
    }

    /// The Authentication Context Class References requested, one of which should be
    /// satisfied.
    pub fn acrs(&self) -> &[String] {
        &self.response.acrs
    }

    /// Whether one of [`acrs`](Self::acrs) must be satisfied.
    pub fn acr_essential(&self) -> bool {
        self.response.acr_essential.unwrap_or(false)
    }

    /// The languages for the page (`ui_locales`), those the service supports.
    pub fn ui_locales(&self) -> &[String] {
        &self.response.ui_locales
    }

    /// How the page should be displayed (`display`).
    pub fn display(&self) -> Option<&Display> {
        self.response.display.as_ref()
    }

    /// Why the client asks for the user's data (`purpose`, OpenID Connect for Identity
    /// Assurance).
    pub fn purpose(&self) -> Option<&str> {
        self.response.purpose.as_deref()
    }

    /// The authorization details requested (RFC 9396).
    pub fn authorization_details(&self) -> Option<&AuthzDetails> {
        self.response.authorization_details.as_ref()
    }

    /// Whether OpenID Connect Native SSO is requested: then give
    /// [`Approval::session_id`].
    pub fn native_sso_requested(&self) -> bool {
        self.response.native_sso_requested.unwrap_or(false)
    }

    /// Authlete's whole answer.
    pub fn authorization_response(&self) -> &AuthorizationResponse {
        &self.response
    }

    /// Authlete's whole answer, owned.
    pub fn into_authorization_response(self) -> AuthorizationResponse {
        *self.response
    }

    /// Whether `user`, logged in to the browser's session earlier, may approve this request
    /// without logging in again, now ([`check_login`]: no `prompt=login`, a login within
    /// `max_age`, the requested subject, an essential ACR). On `Err`, show the login form.
    ///
    /// ```
    /// use authlete::flows::authorization::{AuthenticatedUser, Interaction};
    ///
    /// fn may_skip_login(interaction: &Interaction, session: Option<&AuthenticatedUser>) -> bool {
    ///     session.is_some_and(|user| interaction.check_session(user).is_ok())
    /// }
    /// ```
    pub fn check_session(&self, user: &AuthenticatedUser) -> Result<(), LoginRequired> {
        check_login(&self.response, user, now())
    }

    /// Whether `user`, who has just logged in on the login page, may approve this request
    /// ([`check_user`]: the requested subject, an essential ACR).
    pub fn check_user(&self, user: &AuthenticatedUser) -> Result<(), LoginRequired> {
        check_user(&self.response, user)
    }

    /// The user `subject` approves this request.
    pub fn approve(&self, subject: impl Into<String>) -> Approval {
        Approval::new(self.ticket.clone(), subject)
    }

    /// The user denies this request.
    pub fn deny(&self) -> Failure {
        AuthorizationDecision::deny(self.ticket.clone())
    }

    /// This request fails for `reason`.
    pub fn fail(&self, reason: FailReason) -> Failure {
        Failure::new(self.ticket.clone(), reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(
        max_age: i32,
        subject: Option<&str>,
        acrs: &[&str],
        essential: bool,
    ) -> AuthorizationResponse {
        AuthorizationResponse {
            max_age: Some(max_age),
            subject: subject.map(str::to_owned),
            acrs: acrs.iter().map(|s| (*s).to_owned()).collect(),
            acr_essential: Some(essential),
            ..Default::default()
        }
    }

    #[test]
    fn no_interaction_checks_in_order() {
        let now = 10_000;
        let alice = AuthenticatedUser::new("alice")
            .auth_time(now - 100)
            .acr("gold");
        let plain = answer(0, None, &[], false);
        assert_eq!(
            check_no_interaction(&plain, None, now),
            Err(FailReason::NotLoggedIn)
        );
        assert_eq!(check_no_interaction(&plain, Some(&alice), now), Ok(&alice));
        // max_age: exactly at the limit is fine, one second over is not, unknown is too old.
        assert!(check_no_interaction(&answer(100, None, &[], false), Some(&alice), now).is_ok());
        assert_eq!(
            check_no_interaction(&answer(99, None, &[], false), Some(&alice), now),
            Err(FailReason::ExceedsMaxAge)
        );
        let unknown_time = AuthenticatedUser::new("alice");
        assert_eq!(
            check_no_interaction(&answer(99, None, &[], false), Some(&unknown_time), now),
            Err(FailReason::ExceedsMaxAge)
        );
        assert!(check_no_interaction(&plain, Some(&unknown_time), now).is_ok());
        assert_eq!(
            check_no_interaction(&answer(0, Some("bob"), &[], false), Some(&alice), now),
            Err(FailReason::DifferentSubject)
        );
        assert!(
            check_no_interaction(&answer(0, Some("alice"), &[], false), Some(&alice), now).is_ok()
        );
        assert_eq!(
            check_no_interaction(&answer(0, None, &["silver"], true), Some(&alice), now),
            Err(FailReason::AcrNotSatisfied)
        );
        assert!(
            check_no_interaction(
                &answer(0, None, &["silver", "gold"], true),
                Some(&alice),
                now
            )
            .is_ok()
        );
        // A voluntary ACR does not fail the request.
        assert!(
            check_no_interaction(&answer(0, None, &["silver"], false), Some(&alice), now).is_ok()
        );
        assert_eq!(
            check_no_interaction(
                &answer(0, None, &["silver"], true),
                Some(&unknown_time),
                now
            ),
            Err(FailReason::AcrNotSatisfied)
        );
    }

    #[test]
    fn negative_or_zero_max_age_is_none() {
        assert_eq!(positive(Some(0)), None);
        assert_eq!(positive(Some(-5)), None);
        assert_eq!(positive(None), None);
        assert_eq!(positive(Some(60)), Some(60));
    }
}
