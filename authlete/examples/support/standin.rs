//! Authlete, or a stand-in for it: what lets every example run on a fresh machine, offline.
//!
//! Examples include this file with `#[path = "support/standin.rs"] mod standin;` and call
//! [`connect`]. Authlete counts as configured when `Config::load()` succeeds: an
//! `authlete.ini` in the current directory, or `AUTHLETE_BASE_URL` with a service access
//! token (V3) or an API key and secret (V2) in the environment. Then the examples call
//! Authlete. With no configuration at all, [`connect`] says so in one line on stderr and
//! starts the stand-in; a configuration that is there but incomplete is an error.
//!
//! The stand-in is an httpmock `MockServer` in this process, on loopback, with a typed mock
//! (`authlete_sys::mock::MockServerExt`) for each operation the examples call. It plays one
//! service ([`SERVICE_ID`]) with one confidential client ([`CLIENT_ID`], [`CLIENT_SECRET`],
//! [`REDIRECT_URI`]) and keeps the state of the flows in memory, so that it answers as
//! Authlete does: a ticket, then a redirect with a fresh code and the client's `state`, then
//! tokens for that code, once; `authorization_pending` until the user has decided (CIBA in
//! poll mode, device flow); clients created, updated, listed a page at a time and deleted.
//! Tickets, codes and tokens are random strings (no JWTs, no ID tokens) and nothing expires.
//! Calls without its access token get a `401`, calls it does not know a `400`.

#![allow(dead_code)] // each example uses part of this module

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use authlete::types::{self, ClientType, DeliveryMode, GrantType};
use authlete::{Client, Config, ConfigError, Error, Secret};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The service the stand-in plays (its service ID; the API key in API generation 2).
pub const SERVICE_ID: &str = "715948317";
/// The client application registered in the stand-in's service.
pub const CLIENT_ID: &str = "57297408867";
/// Its client secret.
pub const CLIENT_SECRET: &str = "stand-in-client-secret";
/// Its only redirect URI.
pub const REDIRECT_URI: &str = "https://client.example.org/cb";

/// The service access token the stand-in accepts.
const ACCESS_TOKEN: &str = "stand-in-service-access-token";
/// The verification page of the device flow.
const VERIFICATION_URI: &str = "https://server.example.com/device";
/// Seconds between two polls of the token endpoint (Authlete's default is 5).
const INTERVAL: i32 = 1;
/// Lifetime of CIBA requests and device codes, seconds.
const REQUEST_LIFETIME: i32 = 600;
/// Lifetime of access tokens, seconds.
const TOKEN_LIFETIME: i64 = 86_400;

/// The client application an example plays, as registered in the Authlete service.
#[derive(Debug, Clone)]
pub struct App {
    /// Its client ID.
    pub client_id: String,
    /// Its secret, for a confidential client (sent as with HTTP Basic).
    pub client_secret: Option<String>,
    /// Its redirect URI, needed when it has several.
    pub redirect_uri: Option<String>,
}

/// The Authlete the examples talk to.
pub struct Connection {
    /// The client for Authlete or for the stand-in.
    pub client: Client,
    /// The stand-in, when Authlete is not configured; it stops when dropped.
    standin: Option<StandIn>,
}

/// A client for the configured Authlete or, when nothing is configured, for a stand-in
/// started here (said in one line on stderr).
pub async fn connect() -> Result<Connection, Error> {
    match Config::load() {
        Ok(config) => Ok(Connection {
            client: Client::new(config)?,
            standin: None,
        }),
        Err(ConfigError::NotFound { .. }) => {
            let standin = StandIn::start().await;
            eprintln!(
                "No Authlete configuration (AUTHLETE_BASE_URL and credentials, or ./authlete.ini): \
                 using a stand-in for Authlete at {}",
                standin.base_url()
            );
            Ok(Connection {
                client: standin.client()?,
                standin: Some(standin),
            })
        }
        Err(error) => Err(error.into()),
    }
}

impl Connection {
    /// Whether the examples talk to the stand-in.
    pub fn is_standin(&self) -> bool {
        self.standin.is_some()
    }

    /// The client application to play: the stand-in's, or with Authlete the one named by
    /// `{prefix}_CLIENT_ID`, `{prefix}_CLIENT_SECRET` (for a confidential client) and
    /// `{prefix}_REDIRECT_URI` (optional).
    pub fn app(&self, prefix: &str) -> Result<App, String> {
        if self.is_standin() {
            return Ok(App {
                client_id: CLIENT_ID.into(),
                client_secret: Some(CLIENT_SECRET.into()),
                redirect_uri: Some(REDIRECT_URI.into()),
            });
        }
        let var = |name: &str| {
            let value = std::env::var(format!("{prefix}_{name}")).ok();
            value.filter(|value| !value.trim().is_empty())
        };
        let client_id = var("CLIENT_ID").ok_or_else(|| {
            format!(
                "Authlete is configured: set {prefix}_CLIENT_ID to a client of your service \
                 (and {prefix}_CLIENT_SECRET if it is confidential)"
            )
        })?;
        Ok(App {
            client_id,
            client_secret: var("CLIENT_SECRET"),
            redirect_uri: var("REDIRECT_URI"),
        })
    }
}

/// The stand-in for Authlete: a loopback HTTP server in this process.
pub struct StandIn {
    server: MockServer,
}

impl StandIn {
    /// Starts the stand-in.
    pub async fn start() -> StandIn {
        let server = MockServer::start_async().await;
        register(&server, &Arc::new(Mutex::new(State::new())));
        StandIn { server }
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

    /// A client for it.
    pub fn client(&self) -> Result<Client, Error> {
        Client::new(self.config())
    }
}

type Shared = Arc<Mutex<State>>;

/// The mocks, one per operation; the first that matches a request answers it.
fn register(server: &MockServer, state: &Shared) {
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
                "The access token is missing or wrong.",
            ));
    });
    // Each operation's typed mock, for the stand-in's service, answered by its handler.
    macro_rules! serve {
        ($($operation:ident => $handler:expr,)*) => {$(
            server.$operation(|when, then| {
                when.service_id(SERVICE_ID);
                then.into_inner().respond_with($handler);
            });
        )*};
    }
    serve! {
        auth_authorization_api => typed(state, State::authorization),
        auth_authorization_issue_api => typed(state, State::issue),
        auth_token_api => typed(state, State::token),
        backchannel_authentication_api => typed(state, State::backchannel),
        backchannel_authentication_issue_api => typed(state, State::backchannel_issue),
        backchannel_authentication_complete_api => typed(state, State::backchannel_complete),
        device_authorization_api => typed(state, State::device_authorization),
        device_verification_api => typed(state, State::device_verification),
        device_complete_api => typed(state, State::device_complete),
        client_create_api => typed(state, State::client_create),
        client_update_api => raw(state, State::client_update),
        client_get_list_api => raw(state, State::client_list),
        client_delete_api => raw(state, State::client_delete),
    }
    server.service_get_list_api(|_, then| {
        then.into_inner()
            .respond_with(raw(state, State::service_list));
    });
    server.mock(|_, then| {
        then.status(400)
            .header("content-type", "application/json")
            .json_body_obj(&api_result(
                "A000000",
                "The stand-in does not know this request.",
            ));
    });
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
    move |request| match serde_json::from_slice::<Req>(request.body_ref()) {
        Ok(body) => json(200, &handle(&mut state.lock().unwrap(), body)),
        Err(error) => json(400, &api_result("A000001", &error.to_string())),
    }
}

/// A responder: `handle` on the raw request (query parameters, path, body).
fn raw(
    state: &Shared,
    handle: fn(&mut State, &HttpMockRequest) -> HttpMockResponse,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    let state = state.clone();
    move |request| handle(&mut state.lock().unwrap(), request)
}

fn json<T: Serialize>(status: u16, value: &T) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(value).expect("the stand-in's answers serialize"))
        .build()
}

fn api_result(code: &str, message: &str) -> types::ApiResult {
    types::ApiResult {
        result_code: Some(code.into()),
        result_message: Some(format!("[{code}] {message}")),
    }
}

/// The body of an OAuth error response.
fn oauth_error(error: &str, description: &str) -> String {
    serde_json::json!({ "error": error, "error_description": description }).to_string()
}

/// What the stand-in remembers.
struct State {
    /// The service's clients, oldest first.
    clients: Vec<types::Client>,
    /// Authorization requests waiting for the user's consent.
    authorizations: Vec<Authorization>,
    /// Authorization codes issued and not used yet: the request, the user, the code.
    codes: Vec<(Authorization, String, String)>,
    /// CIBA requests and device codes waiting for the user's decision.
    waiting: Vec<Waiting>,
}

struct Authorization {
    ticket: String,
    client_id: i64,
    redirect_uri: String,
    /// Whether the request named its redirect URI (then the token request must too).
    redirect_uri_given: bool,
    state: Option<String>,
    scopes: Vec<String>,
}

/// A CIBA request or a device code.
struct Waiting {
    client_id: i64,
    scopes: Vec<String>,
    /// What the server reports the decision with: the CIBA ticket, or the user code.
    key: String,
    /// What the client polls with: the `auth_req_id` (once issued), or the device code.
    grant: Option<String>,
    decision: Decision,
}

enum Decision {
    Pending,
    Authorized { subject: String },
    Denied,
}

impl State {
    fn new() -> Self {
        let now = now_millis();
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
            created_at: Some(now),
            ..Default::default()
        };
        let batch_job = types::Client {
            client_id: Some(1_174_987_209),
            client_name: Some("Nightly batch".into()),
            client_secret: Some(random_string().into()),
            client_type: Some(ClientType::Confidential),
            grant_types: vec![GrantType::ClientCredentials],
            created_at: Some(now),
            ..Default::default()
        };
        State {
            clients: vec![example_app, batch_job],
            authorizations: Vec::new(),
            codes: Vec::new(),
            waiting: Vec::new(),
        }
    }

    fn client(&self, client_id: Option<&str>) -> Option<&types::Client> {
        let client_id = client_id?.parse().ok()?;
        self.clients.iter().find(|c| c.client_id == Some(client_id))
    }

    /// The ID of the client that sent a request, with HTTP Basic or in the form; a
    /// confidential client must give its secret.
    fn authenticate(&self, id: Option<&str>, secret: Option<&Secret>, form: &Form) -> Option<i64> {
        let client = self.client(id.or(form.get("client_id")))?;
        let secret = secret
            .map(Secret::expose_secret)
            .or(form.get("client_secret"));
        let expected = client.client_secret.as_ref().map(Secret::expose_secret);
        let confidential = client.client_type == Some(ClientType::Confidential);
        (!confidential || secret == expected).then_some(client.client_id?)
    }

    fn client_name(&self, client_id: i64) -> Option<String> {
        let client = self
            .clients
            .iter()
            .find(|c| c.client_id == Some(client_id))?;
        client.client_name.clone()
    }

    // The authorization code flow.

    fn authorization(
        &mut self,
        request: types::AuthorizationRequest,
    ) -> types::AuthorizationResponse {
        use types::AuthorizationResponseAction as Action;
        let form = Form::parse(&request.parameters);
        let bad_request = |description| types::AuthorizationResponse {
            action: Some(Action::BadRequest),
            response_content: Some(oauth_error("invalid_request", description)),
            ..Default::default()
        };
        let Some(client) = self.client(form.get("client_id")) else {
            return bad_request("Unknown client.");
        };
        let redirect_uri = match form.get("redirect_uri") {
            Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri.to_owned(),
            None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
            _ => return bad_request("The redirect_uri is missing or not registered."),
        };
        if form.get("response_type") != Some("code") {
            return bad_request("The stand-in supports response_type=code only.");
        }
        let authorization = Authorization {
            ticket: random_string(),
            client_id: client.client_id.unwrap_or_default(),
            redirect_uri,
            redirect_uri_given: form.get("redirect_uri").is_some(),
            state: form.get("state").map(str::to_owned),
            scopes: form.scopes(),
        };
        let response = types::AuthorizationResponse {
            action: Some(Action::Interaction),
            ticket: Some(authorization.ticket.clone()),
            client: Some(types::ClientLimitedAuthorization {
                client_id: client.client_id,
                client_name: client.client_name.clone(),
                ..Default::default()
            }),
            scopes: scope_list(&authorization.scopes),
            ..Default::default()
        };
        self.authorizations.push(authorization);
        response
    }

    fn issue(
        &mut self,
        request: types::AuthorizationIssueRequest,
    ) -> types::AuthorizationIssueResponse {
        use types::AuthorizationIssueResponseAction as Action;
        let Some(at) = self
            .authorizations
            .iter()
            .position(|a| a.ticket == request.ticket)
        else {
            let content = oauth_error("invalid_request", "The ticket is unknown or used.");
            return types::AuthorizationIssueResponse {
                action: Some(Action::BadRequest),
                response_content: Some(content.into()),
                ..Default::default()
            };
        };
        let authorization = self.authorizations.remove(at);
        let code = random_string();
        let mut location = url::Url::parse(&authorization.redirect_uri).expect("a registered URI");
        location.query_pairs_mut().append_pair("code", &code);
        if let Some(state) = &authorization.state {
            location.query_pairs_mut().append_pair("state", state);
        }
        self.codes
            .push((authorization, request.subject, code.clone()));
        types::AuthorizationIssueResponse {
            action: Some(Action::Location),
            response_content: Some(location.to_string().into()),
            authorization_code: Some(code.into()),
            ..Default::default()
        }
    }

    fn token(&mut self, request: types::TokenRequest) -> types::TokenResponse {
        use types::TokenResponseAction as Action;
        let form = Form::parse(request.parameters.expose_secret());
        let Some(client_id) = self.authenticate(
            request.client_id.as_deref(),
            request.client_secret.as_ref(),
            &form,
        ) else {
            return token_error(
                Action::InvalidClient,
                "invalid_client",
                "Client authentication failed.",
            );
        };
        let invalid_grant =
            |description| token_error(Action::BadRequest, "invalid_grant", description);
        let polled_with = match form.get("grant_type") {
            Some("authorization_code") => {
                let code = form.get("code");
                let Some(at) = self
                    .codes
                    .iter()
                    .position(|(_, _, c)| Some(c.as_str()) == code)
                else {
                    return invalid_grant("The authorization code is unknown or used.");
                };
                let (grant, subject, _) = self.codes.remove(at);
                let redirect_uri = form.get("redirect_uri");
                if grant.client_id != client_id
                    || (grant.redirect_uri_given && redirect_uri != Some(&grant.redirect_uri))
                {
                    return invalid_grant("The code was issued to another client or redirect URI.");
                }
                return issue_tokens(client_id, &subject, &grant.scopes);
            }
            Some("urn:openid:params:grant-type:ciba") => form.get("auth_req_id"),
            Some("urn:ietf:params:oauth:grant-type:device_code") => form.get("device_code"),
            _ => {
                let description = "The stand-in supports the code, CIBA and device code grants.";
                return token_error(Action::BadRequest, "unsupported_grant_type", description);
            }
        };
        let Some(at) = self.waiting.iter().position(|w| {
            w.client_id == client_id && w.grant.is_some() && w.grant.as_deref() == polled_with
        }) else {
            return invalid_grant("The auth_req_id or device code is unknown or used.");
        };
        let pending = "The end-user has not decided yet.";
        match &self.waiting[at].decision {
            Decision::Pending => token_error(Action::BadRequest, "authorization_pending", pending),
            Decision::Authorized { subject } => {
                let response = issue_tokens(client_id, subject, &self.waiting[at].scopes);
                self.waiting.remove(at);
                response
            }
            Decision::Denied => {
                self.waiting.remove(at);
                token_error(Action::BadRequest, "access_denied", "The end-user refused.")
            }
        }
    }

    // CIBA, poll mode.

    fn backchannel(
        &mut self,
        request: types::BackchannelAuthenticationRequest,
    ) -> types::BackchannelAuthenticationResponse {
        use types::BackchannelAuthenticationResponseAction as Action;
        let form = Form::parse(request.parameters.expose_secret());
        let refuse = |action, error, description| types::BackchannelAuthenticationResponse {
            action: Some(action),
            response_content: Some(oauth_error(error, description)),
            ..Default::default()
        };
        let id = request.client_id.as_deref();
        let Some(client_id) = self.authenticate(id, request.client_secret.as_ref(), &form) else {
            return refuse(
                Action::Unauthorized,
                "invalid_client",
                "Client authentication failed.",
            );
        };
        let scopes = form.scopes();
        if !scopes.iter().any(|s| s == "openid") {
            return refuse(
                Action::BadRequest,
                "invalid_scope",
                "The scope must include openid.",
            );
        }
        let Some(hint) = form.get("login_hint") else {
            return refuse(
                Action::BadRequest,
                "invalid_request",
                "The stand-in needs a login_hint.",
            );
        };
        let ticket = random_string();
        let response = types::BackchannelAuthenticationResponse {
            action: Some(Action::UserIdentification),
            ticket: Some(ticket.clone()),
            client_id: Some(client_id),
            client_name: self.client_name(client_id),
            delivery_mode: Some(DeliveryMode::Poll),
            hint_type: Some("LOGIN_HINT".into()),
            hint: Some(hint.to_owned()),
            binding_message: form.get("binding_message").map(str::to_owned),
            scopes: scope_list(&scopes),
            ..Default::default()
        };
        self.waiting.push(Waiting {
            client_id,
            scopes,
            key: ticket,
            grant: None,
            decision: Decision::Pending,
        });
        response
    }

    fn backchannel_issue(
        &mut self,
        request: types::BackchannelAuthenticationIssueRequest,
    ) -> types::BackchannelAuthenticationIssueResponse {
        use types::BackchannelAuthenticationIssueResponseAction as Action;
        let found = self
            .waiting
            .iter_mut()
            .find(|w| w.key == request.ticket && w.grant.is_none());
        let Some(waiting) = found else {
            return types::BackchannelAuthenticationIssueResponse {
                action: Some(Action::InvalidTicket),
                ..Default::default()
            };
        };
        let auth_req_id = random_string();
        waiting.grant = Some(auth_req_id.clone());
        let content = serde_json::json!({
            "auth_req_id": auth_req_id,
            "expires_in": REQUEST_LIFETIME,
            "interval": INTERVAL,
        });
        types::BackchannelAuthenticationIssueResponse {
            action: Some(Action::Ok),
            auth_req_id: Some(auth_req_id),
            expires_in: Some(REQUEST_LIFETIME),
            interval: Some(INTERVAL),
            response_content: Some(content.to_string()),
            ..Default::default()
        }
    }

    fn backchannel_complete(
        &mut self,
        request: types::BackchannelAuthenticationCompleteRequest,
    ) -> types::BackchannelAuthenticationCompleteResponse {
        use types::BackchannelAuthenticationCompleteRequestResult as Outcome;
        use types::BackchannelAuthenticationCompleteResponseAction as Action;
        let authorized = request.result == Outcome::Authorized;
        let Some(waiting) = self.decide(&request.ticket, authorized, request.subject) else {
            return types::BackchannelAuthenticationCompleteResponse {
                action: Some(Action::ServerError),
                result_message: Some("The ticket is unknown or used.".into()),
                ..Default::default()
            };
        };
        types::BackchannelAuthenticationCompleteResponse {
            // Poll mode: the client collects the result at the token endpoint.
            action: Some(Action::NoAction),
            auth_req_id: waiting.grant.clone(),
            client_id: Some(waiting.client_id),
            delivery_mode: Some(DeliveryMode::Poll),
            ..Default::default()
        }
    }

    /// Records the user's decision on the waiting request `key`.
    fn decide(&mut self, key: &str, authorized: bool, subject: String) -> Option<&Waiting> {
        let waiting = self.waiting.iter_mut().find(|w| {
            w.key == key && w.grant.is_some() && matches!(w.decision, Decision::Pending)
        })?;
        waiting.decision = match authorized {
            true => Decision::Authorized { subject },
            false => Decision::Denied,
        };
        Some(waiting)
    }

    // The device flow.

    fn device_authorization(
        &mut self,
        request: types::DeviceAuthorizationRequest,
    ) -> types::DeviceAuthorizationResponse {
        use types::DeviceAuthorizationResponseAction as Action;
        let form = Form::parse(request.parameters.expose_secret());
        let id = request.client_id.as_deref();
        let Some(client_id) = self.authenticate(id, request.client_secret.as_ref(), &form) else {
            let content = oauth_error("invalid_client", "Client authentication failed.");
            return types::DeviceAuthorizationResponse {
                action: Some(Action::Unauthorized),
                response_content: Some(content.into()),
                ..Default::default()
            };
        };
        let (device_code, user_code) = (random_string(), random_user_code());
        let verification_uri_complete = format!("{VERIFICATION_URI}?user_code={user_code}");
        let content = serde_json::json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": VERIFICATION_URI,
            "verification_uri_complete": verification_uri_complete,
            "expires_in": REQUEST_LIFETIME,
            "interval": INTERVAL,
        });
        self.waiting.push(Waiting {
            client_id,
            scopes: form.scopes(),
            key: user_code.clone(),
            grant: Some(device_code.clone()),
            decision: Decision::Pending,
        });
        types::DeviceAuthorizationResponse {
            action: Some(Action::Ok),
            response_content: Some(content.to_string().into()),
            client_id: Some(client_id),
            client_name: self.client_name(client_id),
            device_code: Some(device_code.into()),
            user_code: Some(user_code),
            verification_uri: Some(VERIFICATION_URI.into()),
            verification_uri_complete: Some(verification_uri_complete),
            expires_in: Some(REQUEST_LIFETIME),
            interval: Some(INTERVAL),
            ..Default::default()
        }
    }

    fn device_verification(
        &mut self,
        request: types::DeviceVerificationRequest,
    ) -> types::DeviceVerificationResponse {
        use types::DeviceVerificationResponseAction as Action;
        let found = self
            .waiting
            .iter()
            .find(|w| w.key == request.user_code && matches!(w.decision, Decision::Pending));
        let Some(Waiting {
            client_id, scopes, ..
        }) = found
        else {
            return types::DeviceVerificationResponse {
                action: Some(Action::NotExist),
                ..Default::default()
            };
        };
        types::DeviceVerificationResponse {
            action: Some(Action::Valid),
            client_id: Some(*client_id),
            client_name: self.client_name(*client_id),
            scopes: scope_list(scopes),
            expires_at: Some(now_millis() + i64::from(REQUEST_LIFETIME) * 1000),
            ..Default::default()
        }
    }

    fn device_complete(
        &mut self,
        request: types::DeviceCompleteRequest,
    ) -> types::DeviceCompleteResponse {
        use types::DeviceCompleteResponseAction as Action;
        let authorized = request.result == types::DeviceCompleteRequestResult::Authorized;
        let action = match self.decide(&request.user_code, authorized, request.subject) {
            Some(_) => Action::Success,
            None => Action::UserCodeNotExist,
        };
        types::DeviceCompleteResponse {
            action: Some(action),
            ..Default::default()
        }
    }

    // Service and client management.

    fn service_list(&mut self, request: &HttpMockRequest) -> HttpMockResponse {
        let service = types::Service {
            api_key: SERVICE_ID.parse().ok(),
            service_name: Some("Stand-in service".into()),
            issuer: Some("https://server.example.com".into()),
            ..Default::default()
        };
        let (start, end) = page(request);
        json(
            200,
            &types::ServiceGetListResponse {
                start: Some(start as i32),
                end: Some(end as i32),
                total_count: Some(1),
                services: [service]
                    .into_iter()
                    .skip(start)
                    .take(end - start)
                    .collect(),
            },
        )
    }

    fn client_create(&mut self, mut client: types::Client) -> types::Client {
        let last = self.clients.iter().filter_map(|c| c.client_id).max();
        client.client_id = Some(last.unwrap_or_default() + 1_000);
        client.client_secret = Some(random_string().into());
        client.created_at = Some(now_millis());
        self.clients.push(client.clone());
        client
    }

    fn client_update(&mut self, request: &HttpMockRequest) -> HttpMockResponse {
        let Ok(mut client) = serde_json::from_slice::<types::Client>(request.body_ref()) else {
            return json(400, &api_result("A000001", "The client does not decode."));
        };
        let id = path_id(request);
        let Some(stored) = self.clients.iter_mut().find(|c| c.client_id == id) else {
            return json(404, &api_result("A000002", "No such client."));
        };
        client.client_id = stored.client_id;
        client.client_secret = client.client_secret.or(stored.client_secret.take());
        client.created_at = stored.created_at;
        client.modified_at = Some(now_millis());
        *stored = client.clone();
        json(200, &client)
    }

    fn client_list(&mut self, request: &HttpMockRequest) -> HttpMockResponse {
        let developer = query(request, "developer");
        let (start, end) = page(request);
        let listed: Vec<_> = self
            .clients
            .iter()
            .filter(|c| developer.is_none() || c.developer == developer)
            .collect();
        json(
            200,
            &types::ClientGetListResponse {
                start: Some(start as i32),
                end: Some(end as i32),
                total_count: Some(listed.len() as i32),
                clients: listed
                    .into_iter()
                    .skip(start)
                    .take(end - start)
                    .cloned()
                    .collect(),
            },
        )
    }

    fn client_delete(&mut self, request: &HttpMockRequest) -> HttpMockResponse {
        let id = path_id(request);
        let Some(at) = self.clients.iter().position(|c| c.client_id == id) else {
            return json(404, &api_result("A000002", "No such client."));
        };
        self.clients.remove(at);
        HttpMockResponse::builder().status(204).build()
    }
}

fn issue_tokens(client_id: i64, subject: &str, scopes: &[String]) -> types::TokenResponse {
    /// The token response, with its members in Authlete's order.
    #[derive(Serialize)]
    struct Body<'a> {
        access_token: &'a str,
        refresh_token: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
        token_type: &'static str,
        expires_in: i64,
    }
    let (access_token, refresh_token) = (random_string(), random_string());
    let body = Body {
        access_token: &access_token,
        refresh_token: &refresh_token,
        scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME,
    };
    types::TokenResponse {
        action: Some(types::TokenResponseAction::Ok),
        response_content: Some(serde_json::to_string(&body).expect("serializes").into()),
        access_token: Some(access_token.into()),
        access_token_duration: Some(TOKEN_LIFETIME),
        refresh_token: Some(refresh_token.into()),
        client_id: Some(client_id),
        subject: Some(subject.into()),
        scopes: scopes.to_vec(),
        ..Default::default()
    }
}

fn token_error(
    action: types::TokenResponseAction,
    error: &str,
    description: &str,
) -> types::TokenResponse {
    types::TokenResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description).into()),
        ..Default::default()
    }
}

fn scope_list(names: &[String]) -> Vec<types::Scope> {
    let scope = |name: &String| types::Scope {
        name: Some(name.clone()),
        ..Default::default()
    };
    names.iter().map(scope).collect()
}

/// The parameters of a form-encoded request.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(text: &str) -> Self {
        Form(
            form_urlencoded::parse(text.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first value of the parameter `name`.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    fn scopes(&self) -> Vec<String> {
        let scope = self.get("scope").unwrap_or_default();
        scope.split_whitespace().map(str::to_owned).collect()
    }
}

fn query(request: &HttpMockRequest, name: &str) -> Option<String> {
    let params = request.query_params();
    params
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, value)| value)
}

/// The range `start..end` a list request asks for (by default `0..5`, as Authlete).
fn page(request: &HttpMockRequest) -> (usize, usize) {
    let number = |name, default| {
        query(request, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let start = number("start", 0);
    (start, number("end", start + 5).max(start))
}

/// The numeric ID that ends the request path.
fn path_id(request: &HttpMockRequest) -> Option<i64> {
    request.uri().path().rsplit('/').next()?.parse().ok()
}

/// 32 random bytes, base64url, like Authlete's tickets, codes and tokens.
fn random_string() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A user code as RFC 8628 suggests: eight consonants, `BDFH-JKLM`.
fn random_user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator");
    let letters: Vec<char> = bytes
        .iter()
        .map(|b| char::from(LETTERS[usize::from(*b) % LETTERS.len()]))
        .collect();
    format!(
        "{}-{}",
        String::from_iter(&letters[..4]),
        String::from_iter(&letters[4..])
    )
}

fn now_millis() -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
