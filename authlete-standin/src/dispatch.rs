//! The operations the stand-in serves, each with the function that answers it. To serve
//! one more, add a line to [`handlers`]: `typed` for a function of the decoded request
//! body, `raw` for one that reads the path, the query or the headers.

use std::collections::HashMap;

use authlete::routes::{self, Route};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::management::{grants, tokens};
use crate::state::State;
use crate::wire::{Answer, Request};
use crate::{api_result, deferred, management, oauth, resource, token};

/// How the stand-in answers one operation.
pub(crate) type Handler = Box<dyn Fn(&mut State, &Request) -> Answer + Send + Sync>;

/// The handler of each operation served, by operation id.
pub(crate) fn handlers() -> HashMap<&'static str, Handler> {
    let served: Vec<(&Route, Handler)> = vec![
        (&routes::AUTH_AUTHORIZATION_API, typed(oauth::authorization)),
        (
            &routes::AUTH_AUTHORIZATION_ISSUE_API,
            typed(oauth::authorization_issue),
        ),
        (
            &routes::AUTH_AUTHORIZATION_FAIL_API,
            typed(oauth::authorization_fail),
        ),
        (
            &routes::GET_AUTHORIZATION_TICKET_INFO,
            typed(oauth::ticket_info),
        ),
        (
            &routes::UPDATE_AUTHORIZATION_TICKET,
            typed(oauth::ticket_update),
        ),
        (&routes::PUSHED_AUTH_REQ_API, typed(oauth::pushed_request)),
        (&routes::AUTH_TOKEN_API, typed(token::token)),
        (&routes::AUTH_TOKEN_ISSUE_API, typed(token::token_issue)),
        (&routes::AUTH_TOKEN_FAIL_API, typed(token::token_fail)),
        (
            &routes::AUTH_INTROSPECTION_API,
            typed(resource::introspection),
        ),
        (
            &routes::AUTH_INTROSPECTION_STANDARD_API,
            typed(resource::standard_introspection),
        ),
        (&routes::AUTH_REVOCATION_API, typed(resource::revocation)),
        (&routes::AUTH_USERINFO_API, typed(resource::userinfo)),
        (
            &routes::AUTH_USERINFO_ISSUE_API,
            typed(resource::userinfo_issue),
        ),
        (
            &routes::SERVICE_CONFIGURATION_API,
            raw(oauth::configuration),
        ),
        (&routes::SERVICE_JWKS_GET_API, raw(oauth::jwks)),
        (
            &routes::BACKCHANNEL_AUTHENTICATION_API,
            typed(deferred::backchannel),
        ),
        (
            &routes::BACKCHANNEL_AUTHENTICATION_ISSUE_API,
            typed(deferred::backchannel_issue),
        ),
        (
            &routes::BACKCHANNEL_AUTHENTICATION_FAIL_API,
            typed(deferred::backchannel_fail),
        ),
        (
            &routes::BACKCHANNEL_AUTHENTICATION_COMPLETE_API,
            typed(deferred::backchannel_complete),
        ),
        (
            &routes::DEVICE_AUTHORIZATION_API,
            typed(deferred::device_authorization),
        ),
        (
            &routes::DEVICE_VERIFICATION_API,
            typed(deferred::device_verification),
        ),
        (
            &routes::DEVICE_COMPLETE_API,
            typed(deferred::device_complete),
        ),
        // Management: services, clients, what users granted clients, tokens.
        (&routes::SERVICE_GET_API, raw(management::service_get)),
        (&routes::SERVICE_GET_LIST_API, raw(management::service_list)),
        (&routes::SERVICE_CREATE_API, raw(management::service_create)),
        (&routes::SERVICE_UPDATE_API, raw(management::service_update)),
        (&routes::SERVICE_DELETE_API, raw(management::service_delete)),
        (&routes::CLIENT_GET_API, raw(management::client_get)),
        (&routes::CLIENT_GET_LIST_API, raw(management::client_list)),
        (&routes::CLIENT_CREATE_API, raw(management::client_create)),
        (&routes::CLIENT_UPDATE_API, raw(management::client_update)),
        (&routes::CLIENT_DELETE_API, raw(management::client_delete)),
        (
            &routes::CLIENT_SECRET_REFRESH_API,
            raw(management::client_secret_refresh),
        ),
        (
            &routes::CLIENT_SECRET_UPDATE_API,
            raw(management::client_secret_update),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_GET_LIST_API,
            raw(grants::authorization_list),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_GET_LIST_API_POST,
            raw(grants::authorization_list),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_GET_LIST_BY_SUBJECT_API,
            raw(grants::authorization_list),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_UPDATE_API,
            raw(grants::authorization_update),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_DELETE_API,
            raw(grants::authorization_delete),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_DELETE_API_POST,
            raw(grants::authorization_delete),
        ),
        (
            &routes::CLIENT_AUTHORIZATION_DELETE_BY_SUBJECT_API,
            raw(grants::authorization_delete),
        ),
        (
            &routes::CLIENT_GRANTED_SCOPES_GET_API,
            raw(grants::granted_scopes_get),
        ),
        (
            &routes::CLIENT_GRANTED_SCOPES_GET_API_POST,
            raw(grants::granted_scopes_get),
        ),
        (
            &routes::CLIENT_GRANTED_SCOPES_GET_BY_SUBJECT_API,
            raw(grants::granted_scopes_get),
        ),
        (
            &routes::CLIENT_GRANTED_SCOPES_DELETE_API,
            raw(grants::granted_scopes_delete),
        ),
        (
            &routes::CLIENT_GRANTED_SCOPES_DELETE_API_POST,
            raw(grants::granted_scopes_delete),
        ),
        (
            &routes::CLIENT_GRANTED_SCOPES_DELETE_BY_SUBJECT_API,
            raw(grants::granted_scopes_delete),
        ),
        (&routes::AUTH_TOKEN_GET_LIST_API, raw(tokens::list)),
        (&routes::AUTH_TOKEN_CREATE_API, raw(tokens::create)),
        (&routes::AUTH_TOKEN_UPDATE_API, raw(tokens::update)),
        (&routes::AUTH_TOKEN_DELETE_API, raw(tokens::delete)),
        (&routes::AUTH_TOKEN_REVOKE_API, raw(tokens::revoke)),
    ];
    (served.into_iter())
        .map(|(route, handler)| (route.operation, handler))
        .collect()
}

/// `handle` on the request body decoded as `Req`; its answer as JSON. A body that does not
/// decode gets Authlete's `400` with an `ApiResult`.
fn typed<Req, Res>(handle: fn(&mut State, Req) -> Res) -> Handler
where
    Req: DeserializeOwned + 'static,
    Res: Serialize + 'static,
{
    Box::new(
        move |state, request| match serde_json::from_slice::<Req>(&request.body) {
            Ok(body) => Answer::json(200, &handle(state, body)),
            Err(error) => Answer::json(
                400,
                &api_result(
                    "A000001",
                    &format!("The request body is not valid JSON for this API: {error}"),
                ),
            ),
        },
    )
}

/// `handle` on the whole request (path, query parameters, headers, body).
fn raw(handle: fn(&mut State, &Request) -> Answer) -> Handler {
    Box::new(handle)
}
