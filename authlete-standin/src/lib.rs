//! A stand-in for the Authlete Web API, for development and tests without an Authlete
//! account.
//!
//! [`StandIn::start`] starts it in this process on a loopback port; [`StandIn::config`] and
//! [`StandIn::client`] call it as an Authlete service. It plays the [`Service`] it is given:
//! its issuer, its client applications and a few of its settings.
//!
//! The stand-in is an httpmock `MockServer` in this process, on loopback, with a typed mock
//! (`authlete_sys::mock::MockServerExt`) for each operation it serves. Functions answer them
//! from an in-memory state:
//!
//! - `oauth.rs`: authorization (with PAR and `prompt=none`) and its issue and fail, the
//!   token endpoint, introspection, revocation, UserInfo, discovery and the JWK Set;
//! - `deferred.rs`: CIBA in poll mode and the device flow, where the user decides elsewhere
//!   while the client polls;
//! - `dpop.rs`: DPoP proofs (`ES256`), which bind access tokens to the client's key;
//! - `management.rs`: services and clients created, read, listed a page at a time, updated
//!   and deleted, client secrets; what users granted clients (`management/grants.rs`) and
//!   token operations (`management/tokens.rs`);
//! - `state.rs`: what they share (clients, grants, tokens, the signing key);
//! - `wire.rs`: the request a handler reads and the answer it gives.
//!
//! So the flows behave as with Authlete, end to end: a ticket, then a redirect with a fresh
//! code and the client's `state`; tokens for that code, once, with the PKCE verifier when
//! the request had a challenge; refresh tokens; ID tokens signed with `ES256` (for the
//! `openid` scope) that verify with the JWK Set; `authorization_pending` until the user has
//! decided; tokens that expire and can be revoked. It is not Authlete: it forgets everything
//! on exit, and makes up its result codes. Calls without its access token get a `401`, calls
//! it does not know a `400`.

mod deferred;
mod dpop;
mod management;
mod oauth;
mod state;
mod wire;

use std::sync::{Arc, Mutex, PoisonError};

use authlete::types::{self, ClientType, GrantType};
use authlete::{Client, Config, Error};
use authlete_sys::mock::MockServerExt as _;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde::Serialize;
use serde::de::DeserializeOwned;

use self::management::{grants, tokens};
use self::state::State;
use self::wire::{Answer, Request};

/// The service the stand-in plays (its service ID; the API key in API generation 2).
pub const SERVICE_ID: &str = "715948317";
/// The client application registered in the examples' service ([`Service::default`]).
pub const CLIENT_ID: &str = "57297408867";
/// Its client secret.
pub const CLIENT_SECRET: &str = "stand-in-client-secret";
/// Its only redirect URI.
pub const REDIRECT_URI: &str = "https://client.example.org/cb";

/// The service access token the stand-in accepts.
const ACCESS_TOKEN: &str = "stand-in-service-access-token";

/// The Authlete service the stand-in plays.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its issuer identifier: the `iss` of ID tokens and authorization responses, and the
    /// base of the endpoint URLs in its discovery document.
    pub issuer: String,
    /// The client applications registered in it. A client is named by its numeric
    /// `client_id`, or by its `client_id_alias` when it has one.
    pub clients: Vec<types::Client>,
    /// Whether authorization requests must use PKCE (Authlete's `pkceRequired`). A request
    /// that uses it must use `S256`, and its code needs the verifier either way.
    pub pkce_required: bool,
    /// The seconds CIBA and device flow clients wait between two polls.
    pub polling_interval: i32,
}

impl Default for Service {
    /// The service of the command-line examples: the client application [`CLIENT_ID`] and a
    /// client for batch jobs; no PKCE required (the quick start follows Authlete's Python
    /// SDK, which sends none); clients poll every second, so that the examples end quickly.
    fn default() -> Self {
        let example_app = types::Client {
            client_id: CLIENT_ID.parse().ok(),
            client_name: Some("Example app".into()),
            client_secret: Some(CLIENT_SECRET.into()),
            client_type: Some(ClientType::Confidential),
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::Ciba,
                GrantType::DeviceCode,
            ],
            redirect_uris: vec![REDIRECT_URI.into()],
            bc_delivery_mode: Some("POLL".into()),
            ..Default::default()
        };
        let batch_job = types::Client {
            client_id: Some(1_174_987_209),
            client_name: Some("Nightly batch".into()),
            client_secret: Some(state::random_token().into()),
            client_type: Some(ClientType::Confidential),
            grant_types: vec![GrantType::ClientCredentials],
            ..Default::default()
        };
        Service {
            issuer: "https://server.example.com".into(),
            clients: vec![example_app, batch_job],
            pkce_required: false,
            polling_interval: 1,
        }
    }
}

/// The stand-in for Authlete: a loopback HTTP server in this process.
pub struct StandIn {
    server: MockServer,
    operations: Vec<&'static str>,
}

impl StandIn {
    /// Starts a stand-in that plays `service`.
    pub async fn start(service: Service) -> StandIn {
        let server = MockServer::start_async().await;
        let operations = register(&server, &Arc::new(Mutex::new(State::new(service))));
        StandIn { server, operations }
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The configuration to call it with (API generation 3).
    pub fn config(&self) -> Config {
        Config::builder()
            .base_url(self.base_url())
            .service_api_key(SERVICE_ID)
            .service_access_token(ACCESS_TOKEN)
            .build()
            .expect("the stand-in's configuration is valid")
    }

    /// The operations it answers, named by their operation IDs in Authlete's OpenAPI
    /// description (`openapi/authlete.yaml`), such as `auth_token_api`; it answers any other
    /// with a `400`.
    pub fn operations(&self) -> &[&'static str] {
        &self.operations
    }

    /// A client for it.
    pub fn client(&self) -> Result<Client, Error> {
        Client::new(self.config())
    }
}

type Shared = Arc<Mutex<State>>;

/// The mocks, one per operation; the first that matches a request answers it.
fn register(server: &MockServer, state: &Shared) -> Vec<&'static str> {
    let mut operations = Vec::new();
    server.mock(|when, then| {
        let bearer = format!("Bearer {ACCESS_TOKEN}");
        when.is_true(move |request| {
            let authorization = request.headers().get("authorization").cloned();
            authorization.is_none_or(|value| value != bearer.as_str())
        });
        then.status(401)
            .header("content-type", "application/json")
            .json_body_obj(&api_result(
                "A001201",
                "The service access token is missing or wrong.",
            ));
    });
    // Each operation's typed mock, for the stand-in's service, answered by its function.
    macro_rules! serve {
        ($($operation:ident => $responder:expr,)*) => {$(
            server.$operation(|when, then| {
                when.service_id(SERVICE_ID);
                then.into_inner().respond_with($responder);
            });
            operations.push(stringify!($operation));
        )*};
    }
    serve! {
        auth_authorization_api => typed(state, oauth::authorization),
        auth_authorization_issue_api => typed(state, oauth::authorization_issue),
        auth_authorization_fail_api => typed(state, oauth::authorization_fail),
        pushed_auth_req_api => typed(state, oauth::pushed_request),
        auth_token_api => typed(state, oauth::token),
        auth_introspection_api => typed(state, oauth::introspection),
        auth_introspection_standard_api => typed(state, oauth::standard_introspection),
        auth_revocation_api => typed(state, oauth::revocation),
        auth_userinfo_api => typed(state, oauth::userinfo),
        auth_userinfo_issue_api => typed(state, oauth::userinfo_issue),
        service_configuration_api => raw(state, oauth::configuration),
        service_jwks_get_api => raw(state, oauth::jwks),
        backchannel_authentication_api => typed(state, deferred::backchannel),
        backchannel_authentication_issue_api => typed(state, deferred::backchannel_issue),
        backchannel_authentication_fail_api => typed(state, deferred::backchannel_fail),
        backchannel_authentication_complete_api => typed(state, deferred::backchannel_complete),
        device_authorization_api => typed(state, deferred::device_authorization),
        device_verification_api => typed(state, deferred::device_verification),
        device_complete_api => typed(state, deferred::device_complete),
        client_create_api => raw(state, management::client_create),
        client_update_api => raw(state, management::client_update),
        // Before client_get_api, whose path pattern also matches `client/get/list`.
        client_get_list_api => raw(state, management::client_list),
        client_get_api => raw(state, management::client_get),
        client_delete_api => raw(state, management::client_delete),
        client_secret_refresh_api => raw(state, management::client_secret_refresh),
        client_secret_update_api => raw(state, management::client_secret_update),
        client_authorization_get_list_api => raw(state, grants::authorization_list),
        client_authorization_get_list_api_post => raw(state, grants::authorization_list),
        client_authorization_get_list_by_subject_api => raw(state, grants::authorization_list),
        client_authorization_update_api => raw(state, grants::authorization_update),
        client_authorization_delete_api => raw(state, grants::authorization_delete),
        client_authorization_delete_api_post => raw(state, grants::authorization_delete),
        client_authorization_delete_by_subject_api => raw(state, grants::authorization_delete),
        client_granted_scopes_get_api => raw(state, grants::granted_scopes_get),
        client_granted_scopes_get_api_post => raw(state, grants::granted_scopes_get),
        client_granted_scopes_get_by_subject_api => raw(state, grants::granted_scopes_get),
        client_granted_scopes_delete_api => raw(state, grants::granted_scopes_delete),
        client_granted_scopes_delete_api_post => raw(state, grants::granted_scopes_delete),
        client_granted_scopes_delete_by_subject_api => raw(state, grants::granted_scopes_delete),
        auth_token_get_list_api => raw(state, tokens::list),
        auth_token_create_api => raw(state, tokens::create),
        auth_token_update_api => raw(state, tokens::update),
        auth_token_delete_api => raw(state, tokens::delete),
        auth_token_revoke_api => raw(state, tokens::revoke),
    }
    // Services are managed across the account, not within one service.
    macro_rules! serve_account {
        ($($operation:ident => $responder:expr,)*) => {$(
            server.$operation(|_, then| {
                then.into_inner().respond_with($responder);
            });
            operations.push(stringify!($operation));
        )*};
    }
    serve_account! {
        service_get_list_api => raw(state, management::service_list),
        service_get_api => raw(state, management::service_get),
        service_create_api => raw(state, management::service_create),
        service_update_api => raw(state, management::service_update),
        service_delete_api => raw(state, management::service_delete),
    }
    server.mock(|_, then| {
        then.status(400)
            .header("content-type", "application/json")
            .json_body_obj(&api_result(
                "A000000",
                "The stand-in does not know this request.",
            ));
    });
    operations
}

/// A responder: `handle` on the request body decoded as `Req`; its answer as JSON.
fn typed<Req, Res>(
    state: &Shared,
    handle: fn(&mut State, Req) -> Res,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static
where
    Req: DeserializeOwned + 'static,
    Res: Serialize + 'static,
{
    let state = state.clone();
    move |request| {
        let answer = match serde_json::from_slice::<Req>(request.body_ref()) {
            Ok(body) => json(200, &handle(&mut lock(&state), body)),
            Err(error) => json(400, &api_result("A000001", &error.to_string())),
        };
        to_mock(answer)
    }
}

/// A responder: `handle` on the raw request (query parameters, path, body).
fn raw(
    state: &Shared,
    handle: fn(&mut State, &Request) -> Answer,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    let state = state.clone();
    move |request| to_mock(handle(&mut lock(&state), &from_mock(request)))
}

/// The stand-in's view of a request httpmock received.
fn from_mock(request: &HttpMockRequest) -> Request {
    Request {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        query: request.query_params(),
        headers: (request.headers_vec().iter())
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect(),
        body: request.body_ref().to_vec(),
    }
}

/// An answer, as httpmock sends it.
fn to_mock(answer: Answer) -> HttpMockResponse {
    let mut builder = HttpMockResponse::builder().status(answer.status);
    for (name, value) in answer.headers {
        builder = builder.header(name, value);
    }
    builder.body(answer.body).build()
}

/// The state, even after a panic elsewhere: each answer leaves it consistent.
fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn json<T: Serialize>(status: u16, value: &T) -> Answer {
    Answer::json(status, value)
}

/// The body of Authlete's errors.
fn api_result(code: &str, message: &str) -> types::ApiResult {
    types::ApiResult {
        result_code: Some(code.into()),
        result_message: Some(format!("[{code}] {message}")),
    }
}
