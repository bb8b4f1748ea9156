//! The user's decision on the consent page, sent to Authlete's
//! `/auth/authorization/issue` or `/auth/authorization/fail`.

use http::StatusCode;
use serde_json::{Map, Value};

use super::session::AuthenticatedUser;
use crate::flows::{Response, response};
use crate::types::{
    AuthorizationFailRequest, AuthorizationFailRequestReason as FailReason,
    AuthorizationFailResponseAction as FailAction, AuthorizationIssueRequest,
    AuthorizationIssueResponseAction as IssueAction, AuthzDetails, Property,
};
use crate::{Client, Secret};

/// How an authorization request ends: approved (a code or tokens are issued) or failed
/// (the client receives an error).
///
/// ```
/// use authlete::flows::authorization::AuthorizationDecision;
///
/// # fn consent(ticket: String, approved: bool) -> AuthorizationDecision {
/// if approved {
///     AuthorizationDecision::approve(ticket, "alice")
///         .auth_time(1_700_000_000)
///         .acr("urn:mace:incommon:iap:silver")
///         .scopes(["openid", "email"])
///         .claims(serde_json::json!({"email": "alice@example.com"}).as_object().unwrap().clone())
///         .property("tenant", "acme")
///         .into()
/// } else {
///     AuthorizationDecision::deny(ticket).into()
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizationDecision {
    /// Issue what the request asked for, through `/auth/authorization/issue`.
    Approve(Approval),
    /// Answer the client with an error, through `/auth/authorization/fail`.
    Fail(Failure),
}

impl AuthorizationDecision {
    /// The user `subject` approved the request of `ticket`.
    pub fn approve(ticket: impl Into<String>, subject: impl Into<String>) -> Approval {
        Approval::new(ticket, subject)
    }

    /// The user denied the request of `ticket` (`DENIED`: `access_denied`).
    pub fn deny(ticket: impl Into<String>) -> Failure {
        Failure::new(ticket, FailReason::Denied)
    }

    /// The user could not be authenticated (`NOT_AUTHENTICATED`: `access_denied`).
    pub fn not_authenticated(ticket: impl Into<String>) -> Failure {
        Failure::new(ticket, FailReason::NotAuthenticated)
    }

    /// The request of `ticket` fails for `reason`; Authlete picks the matching error.
    pub fn fail(ticket: impl Into<String>, reason: FailReason) -> Failure {
        Failure::new(ticket, reason)
    }

    /// The ticket of the authorization request this decision ends.
    pub fn ticket(&self) -> &str {
        match self {
            AuthorizationDecision::Approve(approval) => &approval.request.ticket,
            AuthorizationDecision::Fail(failure) => &failure.request.ticket,
        }
    }
}

impl From<Approval> for AuthorizationDecision {
    fn from(approval: Approval) -> Self {
        AuthorizationDecision::Approve(approval)
    }
}

impl From<Failure> for AuthorizationDecision {
    fn from(failure: Failure) -> Self {
        AuthorizationDecision::Fail(failure)
    }
}

/// An approved authorization request: the body of `/auth/authorization/issue`, built
/// step by step. The ticket and subject are fixed at creation.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    request: Box<AuthorizationIssueRequest>,
}

impl Approval {
    /// The user `subject` approved the request of `ticket`.
    pub fn new(ticket: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            request: Box::new(AuthorizationIssueRequest {
                ticket: ticket.into(),
                subject: subject.into(),
                ..Default::default()
            }),
        }
    }

    /// `user` approved the request of `ticket`: their subject, authentication time, ACR
    /// and session ID.
    pub fn for_user(ticket: impl Into<String>, user: &AuthenticatedUser) -> Self {
        let mut approval = Self::new(ticket, user.subject.clone());
        approval.request.auth_time = user.auth_time;
        approval.request.acr = user.acr.clone();
        approval.request.session_id = user.session_id.clone();
        approval
    }

    /// When the user authenticated, in seconds since the Unix epoch (the ID token's
    /// `auth_time`).
    #[must_use]
    pub fn auth_time(mut self, auth_time: i64) -> Self {
        self.request.auth_time = Some(auth_time);
        self
    }

    /// The Authentication Context Class Reference the authentication satisfied (the ID
    /// token's `acr`).
    #[must_use]
    pub fn acr(mut self, acr: impl Into<String>) -> Self {
        self.request.acr = Some(acr.into());
        self
    }

    /// The user's claims for the ID token, such as `{"email": "alice@example.com"}`
    /// (OpenID Connect Core 5.1 names; `name#ja` style keys for languages). Give the
    /// claims the request asked for (`AuthorizationResponse::claims`) that the user agreed
    /// to release.
    #[must_use]
    pub fn claims(mut self, claims: Map<String, Value>) -> Self {
        self.request.claims = Some(Value::Object(claims).to_string());
        self
    }

    /// The claims the user agreed to release (OpenID Connect for Identity Assurance).
    #[must_use]
    pub fn consented_claims<I, S>(mut self, claims: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.request.consented_claims = claims.into_iter().map(Into::into).collect();
        self
    }

    /// The claim values needed to compute transformed claims
    /// (`AuthorizationResponse::requested_claims_for_tx`).
    #[must_use]
    pub fn claims_for_tx(mut self, claims: Map<String, Value>) -> Self {
        self.request.claims_for_tx = Some(Value::Object(claims).to_string());
        self
    }

    /// The verified claims needed to compute transformed claims, one object per
    /// `verified_claims` element (`AuthorizationResponse::requested_verified_claims_for_tx`).
    #[must_use]
    pub fn verified_claims_for_tx<I>(mut self, claims: I) -> Self
    where
        I: IntoIterator<Item = Map<String, Value>>,
    {
        self.request.verified_claims_for_tx = claims
            .into_iter()
            .map(|c| Value::Object(c).to_string())
            .collect();
        self
    }

    /// The scopes granted: a subset of those requested, when the user unticked some. Not
    /// calling this (or an empty list) grants the requested scopes.
    #[must_use]
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.request.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The authorization details granted (RFC 9396), when the user narrowed them.
    #[must_use]
    pub fn authorization_details(mut self, details: AuthzDetails) -> Self {
        self.request.authorization_details = Some(details);
        self
    }

    /// Properties to attach to the code and the tokens, replacing any given before.
    #[must_use]
    pub fn properties(mut self, properties: impl IntoIterator<Item = Property>) -> Self {
        self.request.properties = properties.into_iter().collect();
        self
    }

    /// One more property, visible to the client (in the token response).
    #[must_use]
    pub fn property(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.push_property(key.into(), value.into(), false)
    }

    /// One more property, hidden from the client (only introspection reveals it).
    #[must_use]
    pub fn hidden_property(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.push_property(key.into(), value.into(), true)
    }

    fn push_property(mut self, key: String, value: String, hidden: bool) -> Self {
        self.request.properties.push(Property {
            key: Some(key),
            value: Some(value),
            hidden: Some(hidden),
        });
        self
    }

    /// The ID token's `sub`, when it must differ from the subject (e.g. pairwise).
    #[must_use]
    pub fn id_token_sub(mut self, sub: impl Into<String>) -> Self {
        self.request.sub = Some(sub.into());
        self
    }

    /// The user's authentication session (the ID token's `sid`; required when the request
    /// asked for OpenID Connect Native SSO).
    #[must_use]
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.request.session_id = Some(session_id.into());
        self
    }

    /// The lifetime of an access token issued here (`response_type` with `token`), in
    /// seconds, instead of the service's.
    #[must_use]
    pub fn access_token_duration(mut self, seconds: i64) -> Self {
        self.request.access_token_duration = Some(seconds);
        self
    }

    /// Extra claims for a JWT access token.
    #[must_use]
    pub fn jwt_at_claims(mut self, claims: Map<String, Value>) -> Self {
        self.request.jwt_at_claims = Some(Value::Object(claims).to_string());
        self
    }

    /// Extra JWS header parameters for the ID token.
    #[must_use]
    pub fn id_token_header_params(mut self, params: Map<String, Value>) -> Self {
        self.request.idt_header_params = Some(Value::Object(params).to_string());
        self
    }

    /// An access token value of the application's own, instead of one Authlete makes.
    #[must_use]
    pub fn access_token(mut self, token: Secret) -> Self {
        self.request.access_token = Some(token);
        self
    }

    /// The ticket of the request approved.
    pub fn ticket(&self) -> &str {
        &self.request.ticket
    }

    /// The subject of the user who approved.
    pub fn subject(&self) -> &str {
        &self.request.subject
    }

    /// The body that will be sent to `/auth/authorization/issue`.
    pub fn request(&self) -> &AuthorizationIssueRequest {
        &self.request
    }

    /// The body, for fields this builder does not cover.
    pub fn into_request(self) -> AuthorizationIssueRequest {
        *self.request
    }
}

/// Full control: any `/auth/authorization/issue` body.
impl From<AuthorizationIssueRequest> for Approval {
    fn from(request: AuthorizationIssueRequest) -> Self {
        Self {
            request: Box::new(request),
        }
    }
}

/// A failed authorization request: the body of `/auth/authorization/fail`.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    request: AuthorizationFailRequest,
}

impl Failure {
    /// The request of `ticket` fails for `reason`.
    pub fn new(ticket: impl Into<String>, reason: FailReason) -> Self {
        Self {
            request: AuthorizationFailRequest {
                ticket: ticket.into(),
                reason,
                description: None,
            },
        }
    }

    /// The `error_description` to send the client, instead of Authlete's.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.request.description = Some(description.into());
        self
    }

    /// Why the request fails.
    pub fn reason(&self) -> &FailReason {
        &self.request.reason
    }

    /// The ticket of the request that fails.
    pub fn ticket(&self) -> &str {
        &self.request.ticket
    }

    /// The body that will be sent to `/auth/authorization/fail`.
    pub fn request(&self) -> &AuthorizationFailRequest {
        &self.request
    }
}

/// Sends decisions to Authlete and turns its answer into the response for the browser.
///
/// | Authlete action (issue or fail) | response |
/// |---|---|
/// | `LOCATION` | `302` with `Location` = `responseContent` (the redirect to the client) |
/// | `FORM` | `200` `text/html` with `responseContent` (`response_mode=form_post`) |
/// | `BAD_REQUEST` | `400` with the error JSON (e.g. an expired ticket) |
/// | `INTERNAL_SERVER_ERROR`, anything else | `500` |
#[derive(Debug, Clone)]
pub struct AuthorizationDecisionEndpoint {
    client: Client,
}

impl AuthorizationDecisionEndpoint {
    /// A handler calling Authlete with `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Ends the authorization request as `decision` says.
    pub async fn decide(&self, decision: impl Into<AuthorizationDecision>) -> Response {
        decide(&self.client, decision.into()).await
    }
}

pub(super) async fn decide(client: &Client, decision: AuthorizationDecision) -> Response {
    match decision {
        AuthorizationDecision::Approve(approval) => issue(client, &approval.request).await,
        AuthorizationDecision::Fail(failure) => fail(client, &failure.request).await,
    }
}

async fn issue(client: &Client, body: &AuthorizationIssueRequest) -> Response {
    let answer = match client.authorization_issue(body).await {
        Ok(answer) => answer,
        Err(e) => return response::authlete_failure(&e),
    };
    let content = answer
        .response_content
        .as_ref()
        .map_or("", Secret::expose_secret);
    match answer.action {
        Some(IssueAction::Location) => response::redirect(content),
        Some(IssueAction::Form) => response::html(StatusCode::OK, content.to_owned()),
        Some(IssueAction::BadRequest) => {
            response::json(StatusCode::BAD_REQUEST, content.to_owned())
        }
        Some(IssueAction::InternalServerError) => {
            response::json(StatusCode::INTERNAL_SERVER_ERROR, content.to_owned())
        }
        Some(other) => response::unknown_action("auth_authorization_issue_api", other.as_str()),
        None => response::unknown_action("auth_authorization_issue_api", "(none)"),
    }
}

async fn fail(client: &Client, body: &AuthorizationFailRequest) -> Response {
    let answer = match client.authorization_fail(body).await {
        Ok(answer) => answer,
        Err(e) => return response::authlete_failure(&e),
    };
    let content = answer.response_content.unwrap_or_default();
    match answer.action {
        Some(FailAction::Location) => response::redirect(&content),
        Some(FailAction::Form) => response::html(StatusCode::OK, content),
        Some(FailAction::BadRequest) => response::json(StatusCode::BAD_REQUEST, content),
        Some(FailAction::InternalServerError) => {
            response::json(StatusCode::INTERNAL_SERVER_ERROR, content)
        }
        Some(other) => response::unknown_action("auth_authorization_fail_api", other.as_str()),
        None => response::unknown_action("auth_authorization_fail_api", "(none)"),
    }
}
