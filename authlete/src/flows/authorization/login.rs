//! The login checks of OpenID Connect Core section 3.1.2.1 that every authorization server
//! repeats: may a user already logged in approve a request, or must they log in again?

use super::FailReason;
use super::session::AuthenticatedUser;
use crate::types::{AuthorizationResponse, Prompt};

/// Why a user may not approve an authorization request as they are logged in: they must
/// log in again (or, for a request that allows no interaction, the request fails with
/// [`fail_reason`](Self::fail_reason)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginRequired {
    /// The request asks for a new login (`prompt=login`).
    Prompted,
    /// The login is older than the request's `max_age`, or its time is unknown.
    ExceedsMaxAge,
    /// The request names another user (the `sub` claim of its `claims` parameter, or the
    /// `sub` of its `id_token_hint`).
    DifferentSubject,
    /// The request makes an ACR essential and the login satisfied none of those it lists.
    AcrNotSatisfied,
}

impl LoginRequired {
    /// The reason to give `/auth/authorization/fail` when the user cannot log in again
    /// (`prompt=none`).
    pub fn fail_reason(self) -> FailReason {
        match self {
            // `prompt=login` cannot come with `prompt=none`; a new login is what is missing.
            LoginRequired::Prompted => FailReason::NotLoggedIn,
            LoginRequired::ExceedsMaxAge => FailReason::ExceedsMaxAge,
            LoginRequired::DifferentSubject => FailReason::DifferentSubject,
            LoginRequired::AcrNotSatisfied => FailReason::AcrNotSatisfied,
        }
    }
}

/// Whether `user`, logged in earlier (as the browser's session knows them), may approve the
/// request Authlete described in `request` at time `now` (seconds since the Unix epoch)
/// without logging in again. The checks, in this order:
///
/// 1. no `prompt=login` ([`LoginRequired::Prompted`]);
/// 2. with a `max_age` (the request's or the client's default), a login time known and at
///    most that old ([`LoginRequired::ExceedsMaxAge`]);
/// 3. the subject the request names, if any, is the user's
///    ([`LoginRequired::DifferentSubject`]);
/// 4. an essential ACR is satisfied ([`LoginRequired::AcrNotSatisfied`]).
///
/// For a user who has just logged in on the login page, use [`check_user`] instead: a new
/// login answers `prompt=login` and `max_age`.
///
/// ```
/// use authlete::flows::authorization::{AuthenticatedUser, LoginRequired, check_login};
/// use authlete::types::{AuthorizationResponse, Prompt};
///
/// let request = AuthorizationResponse { max_age: Some(600), ..Default::default() };
/// let alice = AuthenticatedUser::new("alice").auth_time(1_000);
/// assert_eq!(check_login(&request, &alice, 1_500), Ok(()));
/// assert_eq!(check_login(&request, &alice, 1_601), Err(LoginRequired::ExceedsMaxAge));
///
/// let again = AuthorizationResponse { prompts: vec![Prompt::Login], ..Default::default() };
/// assert_eq!(check_login(&again, &alice, 1_500), Err(LoginRequired::Prompted));
/// ```
pub fn check_login(
    request: &AuthorizationResponse,
    user: &AuthenticatedUser,
    now: i64,
) -> Result<(), LoginRequired> {
    if request.prompts.contains(&Prompt::Login) {
        return Err(LoginRequired::Prompted);
    }
    if let Some(max_age) = positive(request.max_age) {
        let fresh = user
            .auth_time
            .is_some_and(|t| t.saturating_add(i64::from(max_age)) >= now);
        if !fresh {
            return Err(LoginRequired::ExceedsMaxAge);
        }
    }
    check_user(request, user)
}

/// Whether `user` may approve the request at all, however recently they logged in: the
/// subject the request names, if any, is theirs ([`LoginRequired::DifferentSubject`]), and
/// an essential ACR is satisfied ([`LoginRequired::AcrNotSatisfied`]).
pub fn check_user(
    request: &AuthorizationResponse,
    user: &AuthenticatedUser,
) -> Result<(), LoginRequired> {
    if let Some(subject) = request.subject.as_deref().filter(|s| !s.is_empty())
        && subject != user.subject
    {
        return Err(LoginRequired::DifferentSubject);
    }
    if request.acr_essential == Some(true)
        && !request.acrs.is_empty()
        && !user
            .acr
            .as_ref()
            .is_some_and(|acr| request.acrs.contains(acr))
    {
        return Err(LoginRequired::AcrNotSatisfied);
    }
    Ok(())
}

/// Authlete sends `0` for "no max_age".
pub(super) fn positive(max_age: Option<i32>) -> Option<u32> {
    max_age
        .and_then(|m| u32::try_from(m).ok())
        .filter(|&m| m > 0)
}
