//! Who is logged in: what the authorization endpoint asks the application when Authlete
//! answers `NO_INTERACTION` (`prompt=none`).

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::Request;

use super::decision::{Approval, AuthorizationDecision};
use crate::types::AuthorizationResponse;

/// A user logged in to the authorization server, as the application's session knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticatedUser {
    /// The user's unique, stable identifier (the `sub` of ID tokens unless
    /// [`Approval::id_token_sub`] says otherwise).
    pub subject: String,
    /// When the user authenticated, in seconds since the Unix epoch. Unknown counts as
    /// too old whenever the request has a `max_age`.
    pub auth_time: Option<i64>,
    /// The Authentication Context Class Reference the authentication satisfied.
    pub acr: Option<String>,
    /// The ID of the user's authentication session (the ID token's `sid`; needed for
    /// OpenID Connect Native SSO).
    pub session_id: Option<String>,
}

impl AuthenticatedUser {
    /// A user known by `subject`, with no authentication time, ACR or session ID.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            auth_time: None,
            acr: None,
            session_id: None,
        }
    }

    /// The same user, authenticated at `auth_time` (seconds since the Unix epoch).
    #[must_use]
    pub fn auth_time(mut self, auth_time: i64) -> Self {
        self.auth_time = Some(auth_time);
        self
    }

    /// The same user, authenticated with `acr`.
    #[must_use]
    pub fn acr(mut self, acr: impl Into<String>) -> Self {
        self.acr = Some(acr.into());
        self
    }

    /// The same user, in the authentication session `session_id`.
    #[must_use]
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }
}

/// The application's login session, which the authorization endpoint consults when
/// Authlete says the request needs no interaction with the user (`prompt=none`).
///
/// ```
/// use authlete::flows::Bytes;
/// use authlete::flows::authorization::{AuthenticatedUser, Session};
///
/// struct Cookies;
///
/// impl Session for Cookies {
///     async fn current_user(&self, request: &http::Request<Bytes>) -> Option<AuthenticatedUser> {
///         let cookie = request.headers().get("cookie")?.to_str().ok()?;
///         // Look the session cookie up in the session store...
///         cookie
///             .contains("session=alice")
///             .then(|| AuthenticatedUser::new("alice").auth_time(1_700_000_000))
///     }
/// }
/// ```
pub trait Session: Send + Sync {
    /// The user logged in for the browser that sent `request` (the authorization request
    /// itself, with its cookies), or `None` when nobody is.
    fn current_user(
        &self,
        request: &Request<Bytes>,
    ) -> impl Future<Output = Option<AuthenticatedUser>> + Send;

    /// What to do once the logged-in user passed the checks of a `NO_INTERACTION` request
    /// (logged in, `max_age`, requested subject, essential ACR).
    ///
    /// `approval` already carries the ticket and the user's subject, authentication time,
    /// ACR and session ID. Add what the application knows: the claims named in
    /// `authorization.claims` (for the ID token; see [`Approval::claims`]), properties,
    /// narrower scopes. Or refuse, e.g. with
    /// [`FailReason::ConsentRequired`](crate::types::AuthorizationFailRequestReason::ConsentRequired)
    /// when the user never consented to this client.
    ///
    /// The default approves unchanged: the requested scopes, no claims.
    fn approve_without_interaction(
        &self,
        approval: Approval,
        authorization: &AuthorizationResponse,
    ) -> impl Future<Output = AuthorizationDecision> + Send {
        let _ = authorization;
        std::future::ready(AuthorizationDecision::Approve(approval))
    }
}

/// The default session: nobody is ever logged in, so every `NO_INTERACTION` request fails
/// with `NOT_LOGGED_IN` (`login_required`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSession;

impl Session for NoSession {
    fn current_user(
        &self,
        _request: &Request<Bytes>,
    ) -> impl Future<Output = Option<AuthenticatedUser>> + Send {
        std::future::ready(None)
    }
}

impl<T: Session> Session for Arc<T> {
    fn current_user(
        &self,
        request: &Request<Bytes>,
    ) -> impl Future<Output = Option<AuthenticatedUser>> + Send {
        T::current_user(self, request)
    }

    fn approve_without_interaction(
        &self,
        approval: Approval,
        authorization: &AuthorizationResponse,
    ) -> impl Future<Output = AuthorizationDecision> + Send {
        T::approve_without_interaction(self, approval, authorization)
    }
}
