//! An embedded stand-in of Authlete, so that the example server runs offline.
//!
//! It plays one Authlete service with one registered client (the demo client), on
//! loopback, built on the typed mocks of `authlete_sys::mock`: each operation the server
//! uses is a typed mock (`MockServerExt`) whose answer is computed by a function below
//! from the request and an in-memory state. So the flows behave plausibly end to end:
//! tickets, authorization codes (single use, PKCE `S256` checked), access and refresh
//! tokens (expiring, revocable, scope-checked), ID tokens signed with `ES256` and
//! published on the JWK Set, CIBA (poll mode) and the device flow.
//!
//! It is not Authlete. It checks only what the demo needs, knows one client, and forgets
//! everything on exit. Result codes and messages are made up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use authlete::types::{
    AuthorizationFailRequest, AuthorizationFailRequestReason as FailReason,
    AuthorizationFailResponse, AuthorizationFailResponseAction, AuthorizationIssueRequest,
    AuthorizationIssueResponse, AuthorizationIssueResponseAction, AuthorizationRequest,
    AuthorizationResponse, AuthorizationResponseAction, BackchannelAuthenticationCompleteRequest,
    BackchannelAuthenticationCompleteRequestResult as CibaResult,
    BackchannelAuthenticationCompleteResponse, BackchannelAuthenticationCompleteResponseAction,
    BackchannelAuthenticationFailRequest, BackchannelAuthenticationFailRequestReason as CibaReason,
    BackchannelAuthenticationFailResponse, BackchannelAuthenticationFailResponseAction,
    BackchannelAuthenticationIssueRequest, BackchannelAuthenticationIssueResponse,
    BackchannelAuthenticationIssueResponseAction, BackchannelAuthenticationRequest,
    BackchannelAuthenticationResponse, BackchannelAuthenticationResponseAction,
    ClientLimitedAuthorization, DeliveryMode, DeviceAuthorizationRequest,
    DeviceAuthorizationResponse, DeviceAuthorizationResponseAction, DeviceCompleteRequest,
    DeviceCompleteRequestResult as DeviceResult, DeviceCompleteResponse,
    DeviceCompleteResponseAction, DeviceVerificationRequest, DeviceVerificationResponse,
    DeviceVerificationResponseAction, IntrospectionRequest, IntrospectionResponse,
    IntrospectionResponseAction, PushedAuthorizationRequest, PushedAuthorizationResponse,
    PushedAuthorizationResponseAction, RevocationRequest, RevocationResponse,
    RevocationResponseAction, Scope, StandardIntrospectionRequest, StandardIntrospectionResponse,
    StandardIntrospectionResponseAction, TokenRequest, TokenResponse, TokenResponseAction,
    UserinfoIssueRequest, UserinfoIssueResponse, UserinfoIssueResponseAction, UserinfoRequest,
    UserinfoResponse, UserinfoResponseAction,
};
use authlete::{Config, Secret};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::common::{DemoClient, now_secs, pkce_challenge, random_token, urlencode};

/// The service the stand-in plays (any ID would do).
pub const SERVICE_ID: &str = "715948317";
/// The numeric ID Authlete would have given the demo client.
const CLIENT_NUMBER: i64 = 1_140_735_077;

const CODE_LIFETIME: i64 = 600;
const ACCESS_TOKEN_LIFETIME: i64 = 3600;
const REFRESH_TOKEN_LIFETIME: i64 = 86_400;
const BACKCHANNEL_LIFETIME: i64 = 600;
const DEVICE_LIFETIME: i64 = 600;
const POLLING_INTERVAL: i32 = 5;

const SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "offline_access",
];

const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The running stand-in. Keep it alive as long as the server runs.
pub struct StandIn {
    server: MockServer,
}

impl StandIn {
    /// Starts the stand-in for a server whose public URL (its issuer) is `issuer`, with
    /// `client` registered; returns it with the configuration to reach it.
    pub async fn start(issuer: &str, client: &DemoClient) -> (StandIn, Config) {
        let server = MockServer::start_async().await;
        let state: Shared = Arc::new(Mutex::new(State::new(issuer, client)));
        register(&server, &state);
        let config = Config::builder()
            .base_url(server.base_url())
            .service_api_key(SERVICE_ID)
            .service_access_token(ACCESS_TOKEN)
            .build()
            .expect("a valid configuration for the stand-in");
        (StandIn { server }, config)
    }

    /// Where it listens.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }
}

type Shared = Arc<Mutex<State>>;

/// The service access token the stand-in accepts.
const ACCESS_TOKEN: &str = "stand-in-service-access-token";

/// Every operation the example server calls, answered from the state. The first mock
/// that matches a request answers it.
fn register(server: &MockServer, state: &Shared) {
    server.mock(|when, then| {
        let bearer = format!("Bearer {ACCESS_TOKEN}");
        when.is_true(move |request| {
            let authorization = request.headers().get("authorization").cloned();
            authorization.is_none_or(|value| value != bearer.as_str())
        });
        then.status(401).json_body(json!({
            "resultCode": "A000003",
            "resultMessage": "[A000003] The service access token is missing or wrong.",
        }));
    });
    server.auth_authorization_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, authorization));
    });
    server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, authorization_issue));
    });
    server.auth_authorization_fail_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, authorization_fail));
    });
    server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, pushed_request));
    });
    server.auth_token_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, token));
    });
    server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, introspection));
    });
    server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, standard_introspection));
    });
    server.auth_revocation_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, revocation));
    });
    server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, userinfo));
    });
    server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, userinfo_issue));
    });
    server.service_configuration_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(get(state, configuration));
    });
    server.service_jwks_get_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(get(state, jwks));
    });
    server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, backchannel));
    });
    server.backchannel_authentication_issue_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, backchannel_issue));
    });
    server.backchannel_authentication_fail_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, backchannel_fail));
    });
    server.backchannel_authentication_complete_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, backchannel_complete));
    });
    server.device_authorization_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, device_authorization));
    });
    server.device_verification_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner()
            .respond_with(post(state, device_verification));
    });
    server.device_complete_api(|when, then| {
        when.service_id(SERVICE_ID);
        then.into_inner().respond_with(post(state, device_complete));
    });
    server.mock(|_, then| {
        then.status(400).json_body(json!({
            "resultCode": "A000000",
            "resultMessage": "[A000000] The stand-in does not serve this request.",
        }));
    });
}

/// The answer of a `POST` operation: its JSON body decoded, `handler` run on the state.
fn post<Req, Res>(
    state: &Shared,
    handler: fn(&mut State, Req) -> Res,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static
where
    Req: DeserializeOwned + 'static,
    Res: Serialize + 'static,
{
    let state = state.clone();
    move |request| match serde_json::from_slice::<Req>(request.body_ref()) {
        Ok(body) => {
            let answer = handler(&mut state.lock().unwrap(), body);
            json_response(200, &answer)
        }
        Err(e) => json_response(
            400,
            &json!({
                "resultCode": "A000001",
                "resultMessage": format!("[A000001] The request body is malformed: {e}"),
            }),
        ),
    }
}

/// The answer of a `GET` operation.
fn get<Res: Serialize + 'static>(
    state: &Shared,
    handler: fn(&State) -> Res,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    let state = state.clone();
    move |_| json_response(200, &handler(&state.lock().unwrap()))
}

fn json_response(status: u16, body: &impl Serialize) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("answers serialize"))
        .build()
}

// ---------------------------------------------------------------------------------------
// State

struct State {
    issuer: String,
    client: DemoClient,
    key: SigningKey,
    /// Pushed authorization requests, by `request_uri`.
    pushed: HashMap<String, (HashMap<String, String>, i64)>,
    /// Authorization requests waiting for the user's decision, by ticket.
    tickets: HashMap<String, PendingAuthorization>,
    /// Authorization codes.
    codes: HashMap<String, (Grant, i64)>,
    access_tokens: HashMap<String, TokenRecord>,
    refresh_tokens: HashMap<String, TokenRecord>,
    /// The subjects of the ID tokens issued, for `id_token_hint`.
    id_tokens: HashMap<String, String>,
    /// CIBA requests identified but not issued yet, by ticket.
    backchannel_tickets: HashMap<String, Vec<String>>,
    /// CIBA requests, by `auth_req_id`.
    backchannel: HashMap<String, Deferred>,
    /// Device flow requests, by device code.
    devices: HashMap<String, Deferred>,
}

struct PendingAuthorization {
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    nonce: Option<String>,
    code_challenge: String,
    expires: i64,
}

/// What the user granted, waiting to become tokens.
#[derive(Clone)]
struct Grant {
    subject: String,
    scopes: Vec<String>,
    /// Claims for the ID token (JSON object), as the application gave them.
    claims: Map<String, Value>,
    auth_time: Option<i64>,
    nonce: Option<String>,
    redirect_uri: Option<String>,
    code_challenge: Option<String>,
}

#[derive(Clone)]
struct TokenRecord {
    subject: Option<String>,
    scopes: Vec<String>,
    issued_at: i64,
    expires_at: i64,
    /// For an access token: the refresh token issued with it.
    refresh_token: Option<String>,
    /// For a refresh token: what a refreshed access token carries.
    grant: Option<Grant>,
}

/// A CIBA or device flow request: the user decides elsewhere, the client polls.
struct Deferred {
    /// The CIBA ticket, or the device flow's user code.
    handle: String,
    scopes: Vec<String>,
    status: Status,
    expires: i64,
}

enum Status {
    Pending,
    Granted(Grant),
    Denied,
}

impl State {
    fn new(issuer: &str, client: &DemoClient) -> Self {
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client: client.clone(),
            key: SigningKey::generate(),
            pushed: HashMap::new(),
            tickets: HashMap::new(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            id_tokens: HashMap::new(),
            backchannel_tickets: HashMap::new(),
            backchannel: HashMap::new(),
            devices: HashMap::new(),
        }
    }

    /// Forgets what has expired.
    fn prune(&mut self) {
        let now = now_secs();
        self.pushed.retain(|_, (_, exp)| *exp > now);
        self.tickets.retain(|_, t| t.expires > now);
        self.codes.retain(|_, (_, exp)| *exp > now);
        self.access_tokens.retain(|_, t| t.expires_at > now);
        self.refresh_tokens.retain(|_, t| t.expires_at > now);
        self.backchannel.retain(|_, d| d.expires > now);
        self.devices.retain(|_, d| d.expires > now);
    }

    /// Whether the credentials identify the registered client: its ID (or numeric ID),
    /// and its secret when it has one.
    fn authenticate_client(
        &self,
        id: Option<&str>,
        secret: Option<&str>,
        params: &HashMap<String, String>,
    ) -> bool {
        let id = id.or_else(|| params.get("client_id").map(String::as_str));
        let secret = secret.or_else(|| params.get("client_secret").map(String::as_str));
        let known = id.is_some_and(|id| self.is_client(id));
        known
            && match &self.client.client_secret {
                Some(expected) => secret == Some(expected.as_str()),
                None => true,
            }
    }

    fn is_client(&self, id: &str) -> bool {
        id == self.client.client_id || id == CLIENT_NUMBER.to_string()
    }

    fn client_limited(&self) -> ClientLimitedAuthorization {
        ClientLimitedAuthorization {
            client_id: Some(CLIENT_NUMBER),
            client_id_alias: Some(self.client.client_id.clone()),
            client_id_alias_enabled: Some(true),
            client_name: Some("Demo Client".into()),
            ..Default::default()
        }
    }

    /// Access (and refresh, and for `openid`, ID) tokens for `grant`: Authlete's token
    /// response.
    fn issue_tokens(&mut self, grant: Grant, grant_type: &str) -> TokenResponse {
        let now = now_secs();
        let access_token = random_token();
        let refresh_token = random_token();
        let id_token = grant
            .scopes
            .iter()
            .any(|s| s == "openid")
            .then(|| self.id_token(&grant, now));
        self.refresh_tokens.insert(
            refresh_token.clone(),
            TokenRecord {
                subject: Some(grant.subject.clone()),
                scopes: grant.scopes.clone(),
                issued_at: now,
                expires_at: now + REFRESH_TOKEN_LIFETIME,
                refresh_token: None,
                grant: Some(grant.clone()),
            },
        );
        self.access_tokens.insert(
            access_token.clone(),
            TokenRecord {
                subject: Some(grant.subject.clone()),
                scopes: grant.scopes.clone(),
                issued_at: now,
                expires_at: now + ACCESS_TOKEN_LIFETIME,
                refresh_token: Some(refresh_token.clone()),
                grant: None,
            },
        );
        let mut body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "scope": grant.scopes.join(" "),
            "refresh_token": refresh_token,
        });
        if let Some(id_token) = &id_token {
            body["id_token"] = json!(id_token);
        }
        TokenResponse {
            action: Some(TokenResponseAction::Ok),
            response_content: Some(Secret::new(body.to_string())),
            access_token: Some(Secret::new(access_token)),
            access_token_duration: Some(ACCESS_TOKEN_LIFETIME),
            access_token_expires_at: Some((now + ACCESS_TOKEN_LIFETIME) * 1000),
            refresh_token: Some(Secret::new(refresh_token)),
            id_token: id_token.map(Secret::new),
            subject: Some(grant.subject),
            scopes: grant.scopes,
            client_id: Some(CLIENT_NUMBER),
            client_id_alias: Some(self.client.client_id.clone()),
            grant_type: Some(grant_type.to_owned()),
            result_code: Some("A050001".into()),
            result_message: Some("[A050001] The token request was processed.".into()),
            ..Default::default()
        }
    }

    /// An ID token for `grant`, signed with the service's key.
    fn id_token(&mut self, grant: &Grant, now: i64) -> String {
        let mut claims = grant.claims.clone();
        let standard = json!({
            "iss": self.issuer,
            "sub": grant.subject,
            "aud": [self.client.client_id],
            "exp": now + ACCESS_TOKEN_LIFETIME,
            "iat": now,
        });
        if let Value::Object(standard) = standard {
            claims.extend(standard);
        }
        if let Some(auth_time) = grant.auth_time {
            claims.insert("auth_time".into(), json!(auth_time));
        }
        if let Some(nonce) = &grant.nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        let token = self.key.sign(&Value::Object(claims));
        self.id_tokens.insert(token.clone(), grant.subject.clone());
        token
    }

    /// A valid access token.
    fn access_token(&self, token: &str) -> Option<&TokenRecord> {
        self.access_tokens
            .get(token)
            .filter(|t| t.expires_at > now_secs())
    }
}

// ---------------------------------------------------------------------------------------
// The authorization endpoint and PAR

fn authorization(state: &mut State, request: AuthorizationRequest) -> AuthorizationResponse {
    state.prune();
    let mut params = parse(&request.parameters);
    if let Some(uri) = params.get("request_uri").cloned() {
        match state.pushed.remove(&uri) {
            Some((pushed, _)) if pushed.get("client_id") == params.get("client_id") => {
                params = pushed;
            }
            _ => {
                return authorization_bad_request(
                    "invalid_request_uri",
                    "The request_uri is unknown, expired or for another client.",
                );
            }
        }
    }
    let Some(client_id) = params.get("client_id") else {
        return authorization_bad_request("invalid_request", "The client_id is missing.");
    };
    if !state.is_client(client_id) {
        return authorization_bad_request("invalid_request", "The client is not registered.");
    }
    let redirect_uri = match params.get("redirect_uri") {
        None => state.client.redirect_uri.clone(),
        Some(uri) if *uri == state.client.redirect_uri => uri.clone(),
        Some(_) => {
            return authorization_bad_request(
                "invalid_request",
                "The redirect_uri is not registered for the client.",
            );
        }
    };
    let client_state = params.get("state").cloned();
    let redirect_error = |error: &str, description: &str| AuthorizationResponse {
        action: Some(AuthorizationResponseAction::Location),
        response_content: Some(error_location(
            &redirect_uri,
            error,
            description,
            client_state.as_deref(),
            &state.issuer,
        )),
        ..Default::default()
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return redirect_error(
            "unsupported_response_type",
            "The service supports response_type=code only.",
        );
    }
    let scopes = match scopes(&params) {
        Ok(scopes) => scopes,
        Err(response) => return redirect_error("invalid_scope", &response),
    };
    let Some(code_challenge) = params.get("code_challenge").cloned() else {
        return redirect_error(
            "invalid_request",
            "PKCE is required: code_challenge is missing.",
        );
    };
    if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return redirect_error("invalid_request", "The code_challenge_method must be S256.");
    }
    let prompts: Vec<&str> = params
        .get("prompt")
        .map(|p| p.split(' ').collect())
        .unwrap_or_default();
    let ticket = random_token();
    let claims = claims_of(&scopes);
    state.tickets.insert(
        ticket.clone(),
        PendingAuthorization {
            redirect_uri,
            state: client_state.clone(),
            scopes: scopes.clone(),
            nonce: params.get("nonce").cloned(),
            code_challenge,
            expires: now_secs() + CODE_LIFETIME,
        },
    );
    AuthorizationResponse {
        action: Some(if prompts.contains(&"none") {
            AuthorizationResponseAction::NoInteraction
        } else {
            AuthorizationResponseAction::Interaction
        }),
        ticket: Some(ticket),
        client: Some(state.client_limited()),
        scopes: scope_details(&scopes),
        claims,
        login_hint: params.get("login_hint").cloned(),
        max_age: params.get("max_age").and_then(|m| m.parse().ok()),
        result_code: Some("A004001".into()),
        result_message: Some("[A004001] The authorization request is valid.".into()),
        ..Default::default()
    }
}

fn authorization_bad_request(error: &str, description: &str) -> AuthorizationResponse {
    AuthorizationResponse {
        action: Some(AuthorizationResponseAction::BadRequest),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    }
}

fn authorization_issue(
    state: &mut State,
    request: AuthorizationIssueRequest,
) -> AuthorizationIssueResponse {
    state.prune();
    let Some(pending) = state.tickets.remove(&request.ticket) else {
        return AuthorizationIssueResponse {
            action: Some(AuthorizationIssueResponseAction::BadRequest),
            response_content: Some(Secret::new(oauth_error(
                "invalid_request",
                "The ticket is unknown or expired.",
            ))),
            ..Default::default()
        };
    };
    let scopes = if request.scopes.is_empty() {
        pending.scopes.clone()
    } else {
        request
            .scopes
            .into_iter()
            .filter(|s| pending.scopes.contains(s))
            .collect()
    };
    let code = random_token();
    let grant = Grant {
        subject: request.subject,
        scopes,
        claims: request
            .claims
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default(),
        auth_time: request.auth_time,
        nonce: pending.nonce,
        redirect_uri: Some(pending.redirect_uri.clone()),
        code_challenge: Some(pending.code_challenge),
    };
    state
        .codes
        .insert(code.clone(), (grant, now_secs() + CODE_LIFETIME));
    let mut query = vec![("code", code.as_str())];
    if let Some(client_state) = &pending.state {
        query.push(("state", client_state));
    }
    query.push(("iss", &state.issuer));
    AuthorizationIssueResponse {
        action: Some(AuthorizationIssueResponseAction::Location),
        response_content: Some(Secret::new(with_query(&pending.redirect_uri, &query))),
        authorization_code: Some(Secret::new(code.clone())),
        result_code: Some("A040001".into()),
        result_message: Some("[A040001] The authorization request was processed.".into()),
        ..Default::default()
    }
}

fn authorization_fail(
    state: &mut State,
    request: AuthorizationFailRequest,
) -> AuthorizationFailResponse {
    let Some(pending) = state.tickets.remove(&request.ticket) else {
        return AuthorizationFailResponse {
            action: Some(AuthorizationFailResponseAction::BadRequest),
            response_content: Some(oauth_error(
                "invalid_request",
                "The ticket is unknown or expired.",
            )),
            ..Default::default()
        };
    };
    let (error, description) = match request.reason {
        FailReason::NotLoggedIn | FailReason::ExceedsMaxAge | FailReason::DifferentSubject => {
            ("login_required", "The end-user must log in.")
        }
        FailReason::AcrNotSatisfied => ("login_required", "The required ACR is not satisfied."),
        FailReason::ConsentRequired => ("consent_required", "The end-user must consent."),
        FailReason::InteractionRequired => ("interaction_required", "The end-user must interact."),
        FailReason::NotAuthenticated => ("access_denied", "The end-user was not authenticated."),
        FailReason::ServerError => ("server_error", "The server failed."),
        _ => ("access_denied", "The end-user denied the request."),
    };
    let description = request.description.as_deref().unwrap_or(description);
    AuthorizationFailResponse {
        action: Some(AuthorizationFailResponseAction::Location),
        response_content: Some(error_location(
            &pending.redirect_uri,
            error,
            description,
            pending.state.as_deref(),
            &state.issuer,
        )),
        ..Default::default()
    }
}

fn pushed_request(
    state: &mut State,
    request: PushedAuthorizationRequest,
) -> PushedAuthorizationResponse {
    state.prune();
    let params = parse(request.parameters.expose_secret());
    let secret = request.client_secret.as_ref().map(Secret::expose_secret);
    if !state.authenticate_client(request.client_id.as_deref(), secret, &params) {
        return PushedAuthorizationResponse {
            action: Some(PushedAuthorizationResponseAction::Unauthorized),
            response_content: Some(oauth_error(
                "invalid_client",
                "Client authentication failed.",
            )),
            ..Default::default()
        };
    }
    if params.contains_key("request_uri") {
        return PushedAuthorizationResponse {
            action: Some(PushedAuthorizationResponseAction::BadRequest),
            response_content: Some(oauth_error(
                "invalid_request",
                "A pushed request cannot contain request_uri.",
            )),
            ..Default::default()
        };
    }
    let mut params = params;
    params.remove("client_secret");
    params.insert("client_id".into(), state.client.client_id.clone());
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", random_token());
    state
        .pushed
        .insert(request_uri.clone(), (params, now_secs() + 60));
    PushedAuthorizationResponse {
        action: Some(PushedAuthorizationResponseAction::Created),
        response_content: Some(json!({"request_uri": request_uri, "expires_in": 60}).to_string()),
        request_uri: Some(request_uri),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// The token endpoint

fn token(state: &mut State, request: TokenRequest) -> TokenResponse {
    state.prune();
    let params = parse(request.parameters.expose_secret());
    let secret = request.client_secret.as_ref().map(Secret::expose_secret);
    if !state.authenticate_client(request.client_id.as_deref(), secret, &params) {
        return token_error(
            TokenResponseAction::InvalidClient,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    match param("grant_type") {
        "authorization_code" => {
            let Some((grant, _)) = state.codes.remove(param("code")) else {
                return invalid_grant("The authorization code is unknown, used or expired.");
            };
            if grant.redirect_uri.as_deref() != Some(param("redirect_uri")) {
                return invalid_grant("The redirect_uri differs from the authorization request's.");
            }
            let verifier = param("code_verifier");
            if verifier.is_empty()
                || grant.code_challenge.as_deref() != Some(&pkce_challenge(verifier))
            {
                return invalid_grant("The code_verifier does not match the code_challenge.");
            }
            state.issue_tokens(grant, "AUTHORIZATION_CODE")
        }
        "refresh_token" => {
            let Some(grant) = state
                .refresh_tokens
                .get(param("refresh_token"))
                .and_then(|r| r.grant.clone())
            else {
                return invalid_grant("The refresh token is unknown or expired.");
            };
            state.refresh_tokens.remove(param("refresh_token"));
            state.issue_tokens(grant, "REFRESH_TOKEN")
        }
        CIBA_GRANT => {
            let id = param("auth_req_id").to_owned();
            deferred_tokens(state, Flow::Backchannel, &id, "CIBA")
        }
        DEVICE_GRANT => {
            let code = param("device_code").to_owned();
            deferred_tokens(state, Flow::Device, &code, "DEVICE_CODE")
        }
        "" => token_error(
            TokenResponseAction::BadRequest,
            "invalid_request",
            "The grant_type is missing.",
        ),
        _ => token_error(
            TokenResponseAction::BadRequest,
            "unsupported_grant_type",
            "The stand-in supports authorization_code, refresh_token, CIBA and device_code.",
        ),
    }
}

#[derive(Clone, Copy)]
enum Flow {
    Backchannel,
    Device,
}

/// The token request of a client polling for a CIBA or device flow decision.
fn deferred_tokens(state: &mut State, flow: Flow, id: &str, grant_type: &str) -> TokenResponse {
    let requests = match flow {
        Flow::Backchannel => &mut state.backchannel,
        Flow::Device => &mut state.devices,
    };
    let Some(request) = requests.get(id) else {
        return token_error(
            TokenResponseAction::BadRequest,
            "expired_token",
            "The request is unknown or expired.",
        );
    };
    match &request.status {
        Status::Pending => token_error(
            TokenResponseAction::BadRequest,
            "authorization_pending",
            "The end-user has not decided yet.",
        ),
        Status::Denied => {
            requests.remove(id);
            token_error(
                TokenResponseAction::BadRequest,
                "access_denied",
                "The end-user denied the request.",
            )
        }
        Status::Granted(grant) => {
            let grant = grant.clone();
            requests.remove(id);
            state.issue_tokens(grant, grant_type)
        }
    }
}

fn invalid_grant(description: &str) -> TokenResponse {
    token_error(
        TokenResponseAction::BadRequest,
        "invalid_grant",
        description,
    )
}

fn token_error(action: TokenResponseAction, error: &str, description: &str) -> TokenResponse {
    TokenResponse {
        action: Some(action),
        response_content: Some(Secret::new(oauth_error(error, description))),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Introspection, revocation, UserInfo

fn introspection(state: &mut State, request: IntrospectionRequest) -> IntrospectionResponse {
    let refuse = |action, challenge: String| IntrospectionResponse {
        action: Some(action),
        response_content: Some(challenge),
        ..Default::default()
    };
    let Some(record) = state.access_token(request.token.expose_secret()) else {
        return refuse(
            IntrospectionResponseAction::Unauthorized,
            r#"Bearer error="invalid_token",error_description="The access token is unknown or expired.""#.into(),
        );
    };
    let missing: Vec<&str> = request
        .scopes
        .iter()
        .filter(|s| !record.scopes.contains(s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return refuse(
            IntrospectionResponseAction::Forbidden,
            format!(
                r#"Bearer error="insufficient_scope",error_description="The access token does not cover the required scopes.",scope="{}""#,
                request.scopes.join(" ")
            ),
        );
    }
    if request
        .subject
        .as_ref()
        .is_some_and(|s| record.subject.as_ref() != Some(s))
    {
        return refuse(
            IntrospectionResponseAction::Forbidden,
            r#"Bearer error="invalid_token",error_description="The access token is for another subject.""#.into(),
        );
    }
    IntrospectionResponse {
        action: Some(IntrospectionResponseAction::Ok),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        client_id: Some(CLIENT_NUMBER),
        client_id_alias: Some(state.client.client_id.clone()),
        expires_at: Some(record.expires_at * 1000),
        existent: Some(true),
        usable: Some(true),
        sufficient: Some(true),
        refreshable: Some(record.refresh_token.is_some()),
        result_code: Some("A056001".into()),
        result_message: Some("[A056001] The access token is valid.".into()),
        ..Default::default()
    }
}

fn standard_introspection(
    state: &mut State,
    request: StandardIntrospectionRequest,
) -> StandardIntrospectionResponse {
    let params = parse(request.parameters.expose_secret());
    let Some(token) = params.get("token") else {
        return StandardIntrospectionResponse {
            action: Some(StandardIntrospectionResponseAction::BadRequest),
            response_content: Some(oauth_error("invalid_request", "The token is missing.")),
            ..Default::default()
        };
    };
    let now = now_secs();
    let found = state
        .access_tokens
        .get(token)
        .map(|r| (r, "Bearer"))
        .or_else(|| {
            state
                .refresh_tokens
                .get(token)
                .map(|r| (r, "refresh_token"))
        })
        .filter(|(r, _)| r.expires_at > now);
    let body = match found {
        None => json!({"active": false}),
        Some((record, token_type)) => json!({
            "active": true,
            "token_type": token_type,
            "scope": record.scopes.join(" "),
            "client_id": state.client.client_id,
            "sub": record.subject,
            "exp": record.expires_at,
            "iat": record.issued_at,
            "iss": state.issuer,
        }),
    };
    StandardIntrospectionResponse {
        action: Some(StandardIntrospectionResponseAction::Ok),
        response_content: Some(body.to_string()),
        ..Default::default()
    }
}

fn revocation(state: &mut State, request: RevocationRequest) -> RevocationResponse {
    let params = parse(request.parameters.expose_secret());
    let secret = request.client_secret.as_ref().map(Secret::expose_secret);
    if !state.authenticate_client(request.client_id.as_deref(), secret, &params) {
        return RevocationResponse {
            action: Some(RevocationResponseAction::InvalidClient),
            response_content: Some(oauth_error(
                "invalid_client",
                "Client authentication failed.",
            )),
            ..Default::default()
        };
    }
    let Some(token) = params.get("token") else {
        return RevocationResponse {
            action: Some(RevocationResponseAction::BadRequest),
            response_content: Some(oauth_error("invalid_request", "The token is missing.")),
            ..Default::default()
        };
    };
    // Revoking a refresh token revokes the access tokens issued with it (RFC 7009 2.1).
    state.access_tokens.remove(token);
    if state.refresh_tokens.remove(token).is_some() {
        state
            .access_tokens
            .retain(|_, t| t.refresh_token.as_ref() != Some(token));
    }
    RevocationResponse {
        action: Some(RevocationResponseAction::Ok),
        ..Default::default()
    }
}

fn userinfo(state: &mut State, request: UserinfoRequest) -> UserinfoResponse {
    let Some(record) = state.access_token(request.token.expose_secret()) else {
        return UserinfoResponse {
            action: Some(UserinfoResponseAction::Unauthorized),
            response_content: Some(
                r#"Bearer error="invalid_token",error_description="The access token is unknown or expired.""#.into(),
            ),
            ..Default::default()
        };
    };
    if !record.scopes.iter().any(|s| s == "openid") {
        return UserinfoResponse {
            action: Some(UserinfoResponseAction::Forbidden),
            response_content: Some(
                r#"Bearer error="insufficient_scope",error_description="The access token lacks the openid scope.",scope="openid""#.into(),
            ),
            ..Default::default()
        };
    }
    UserinfoResponse {
        action: Some(UserinfoResponseAction::Ok),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        claims: claims_of(&record.scopes),
        client_id: Some(CLIENT_NUMBER),
        client_id_alias: Some(state.client.client_id.clone()),
        token: Some(request.token),
        ..Default::default()
    }
}

fn userinfo_issue(state: &mut State, request: UserinfoIssueRequest) -> UserinfoIssueResponse {
    let Some(record) = state.access_token(request.token.expose_secret()) else {
        return UserinfoIssueResponse {
            action: Some(UserinfoIssueResponseAction::Unauthorized),
            response_content: Some(
                r#"Bearer error="invalid_token",error_description="The access token is unknown or expired.""#.into(),
            ),
            ..Default::default()
        };
    };
    let mut body = Map::new();
    body.insert(
        "sub".into(),
        json!(request.sub.clone().or_else(|| record.subject.clone())),
    );
    if let Some(Value::Object(claims)) = request
        .claims
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
    {
        body.extend(claims);
    }
    UserinfoIssueResponse {
        action: Some(UserinfoIssueResponseAction::Json),
        response_content: Some(Value::Object(body).to_string()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Discovery and JWK Set

fn configuration(state: &State) -> Value {
    let base = &state.issuer;
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "introspection_endpoint": format!("{base}/introspect"),
        "revocation_endpoint": format!("{base}/revoke"),
        "pushed_authorization_request_endpoint": format!("{base}/par"),
        "backchannel_authentication_endpoint": format!("{base}/bc-authorize"),
        "device_authorization_endpoint": format!("{base}/device_authorization"),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", CIBA_GRANT, DEVICE_GRANT],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "given_name", "family_name", "preferred_username",
            "email", "email_verified", "phone_number", "phone_number_verified"],
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_user_code_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": true,
    })
}

fn jwks(state: &State) -> Value {
    json!({"keys": [state.key.public_jwk]})
}

// ---------------------------------------------------------------------------------------
// CIBA (poll mode)

fn backchannel(
    state: &mut State,
    request: BackchannelAuthenticationRequest,
) -> BackchannelAuthenticationResponse {
    state.prune();
    let params = parse(request.parameters.expose_secret());
    let secret = request.client_secret.as_ref().map(Secret::expose_secret);
    let refuse = |action, error: &str, description: &str| BackchannelAuthenticationResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    };
    if !state.authenticate_client(request.client_id.as_deref(), secret, &params) {
        return refuse(
            BackchannelAuthenticationResponseAction::Unauthorized,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    let scopes = match scopes(&params) {
        Ok(scopes) if scopes.iter().any(|s| s == "openid") => scopes,
        Ok(_) => {
            return refuse(
                BackchannelAuthenticationResponseAction::BadRequest,
                "invalid_scope",
                "A backchannel authentication request must include the openid scope.",
            );
        }
        Err(description) => {
            return refuse(
                BackchannelAuthenticationResponseAction::BadRequest,
                "invalid_scope",
                &description,
            );
        }
    };
    let hints: Vec<(&str, &String)> = ["login_hint", "login_hint_token", "id_token_hint"]
        .into_iter()
        .filter_map(|name| params.get(name).map(|value| (name, value)))
        .collect();
    let [(hint_name, hint)] = hints[..] else {
        return refuse(
            BackchannelAuthenticationResponseAction::BadRequest,
            "invalid_request",
            "Exactly one of login_hint, login_hint_token and id_token_hint is required.",
        );
    };
    let sub = if hint_name == "id_token_hint" {
        match state.id_tokens.get(hint) {
            Some(sub) => Some(sub.clone()),
            None => {
                return refuse(
                    BackchannelAuthenticationResponseAction::BadRequest,
                    "invalid_request",
                    "The id_token_hint is not an ID token of this service.",
                );
            }
        }
    } else {
        None
    };
    let ticket = random_token();
    state
        .backchannel_tickets
        .insert(ticket.clone(), scopes.clone());
    BackchannelAuthenticationResponse {
        action: Some(BackchannelAuthenticationResponseAction::UserIdentification),
        ticket: Some(ticket),
        hint_type: Some(hint_name.to_ascii_uppercase()),
        hint: Some(hint.clone()),
        sub,
        client_id: Some(CLIENT_NUMBER),
        client_id_alias: Some(state.client.client_id.clone()),
        client_name: Some("Demo Client".into()),
        scopes: scope_details(&scopes),
        claim_names: claims_of(&scopes),
        binding_message: params.get("binding_message").cloned(),
        user_code: params.get("user_code").cloned(),
        user_code_required: Some(false),
        delivery_mode: Some(DeliveryMode::Poll),
        requested_expiry: params.get("requested_expiry").and_then(|e| e.parse().ok()),
        ..Default::default()
    }
}

fn backchannel_issue(
    state: &mut State,
    request: BackchannelAuthenticationIssueRequest,
) -> BackchannelAuthenticationIssueResponse {
    let Some(scopes) = state.backchannel_tickets.remove(&request.ticket) else {
        return BackchannelAuthenticationIssueResponse {
            action: Some(BackchannelAuthenticationIssueResponseAction::InvalidTicket),
            ..Default::default()
        };
    };
    let auth_req_id = random_token();
    state.backchannel.insert(
        auth_req_id.clone(),
        Deferred {
            handle: request.ticket,
            scopes,
            status: Status::Pending,
            expires: now_secs() + BACKCHANNEL_LIFETIME,
        },
    );
    BackchannelAuthenticationIssueResponse {
        action: Some(BackchannelAuthenticationIssueResponseAction::Ok),
        response_content: Some(
            json!({
                "auth_req_id": auth_req_id,
                "expires_in": BACKCHANNEL_LIFETIME,
                "interval": POLLING_INTERVAL,
            })
            .to_string(),
        ),
        auth_req_id: Some(auth_req_id),
        expires_in: Some(BACKCHANNEL_LIFETIME as i32),
        interval: Some(POLLING_INTERVAL),
        ..Default::default()
    }
}

fn backchannel_fail(
    state: &mut State,
    request: BackchannelAuthenticationFailRequest,
) -> BackchannelAuthenticationFailResponse {
    state.backchannel_tickets.remove(&request.ticket);
    let (action, error) = match request.reason {
        CibaReason::UnknownUserId => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "unknown_user_id",
        ),
        CibaReason::ExpiredLoginHintToken => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "expired_login_hint_token",
        ),
        CibaReason::MissingUserCode => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "missing_user_code",
        ),
        CibaReason::InvalidUserCode => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "invalid_user_code",
        ),
        CibaReason::InvalidBindingMessage => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "invalid_binding_message",
        ),
        CibaReason::InvalidTarget => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "invalid_target",
        ),
        CibaReason::UnauthorizedClient => (
            BackchannelAuthenticationFailResponseAction::BadRequest,
            "unauthorized_client",
        ),
        CibaReason::AccessDenied => (
            BackchannelAuthenticationFailResponseAction::Forbidden,
            "access_denied",
        ),
        _ => (
            BackchannelAuthenticationFailResponseAction::InternalServerError,
            "server_error",
        ),
    };
    let description = request
        .error_description
        .unwrap_or_else(|| "The backchannel authentication request was refused.".into());
    BackchannelAuthenticationFailResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, &description)),
        ..Default::default()
    }
}

fn backchannel_complete(
    state: &mut State,
    request: BackchannelAuthenticationCompleteRequest,
) -> BackchannelAuthenticationCompleteResponse {
    let found = state
        .backchannel
        .iter_mut()
        .find(|(_, d)| d.handle == request.ticket && matches!(d.status, Status::Pending));
    let Some((auth_req_id, deferred)) = found else {
        return BackchannelAuthenticationCompleteResponse {
            action: Some(BackchannelAuthenticationCompleteResponseAction::ServerError),
            result_code: Some("A000002".into()),
            result_message: Some("[A000002] The ticket is unknown, used or expired.".into()),
            ..Default::default()
        };
    };
    deferred.status = match request.result {
        CibaResult::Authorized => Status::Granted(completed_grant(
            &deferred.scopes,
            request.subject,
            &request.scopes,
            request.claims.as_deref(),
            request.auth_time,
        )),
        _ => Status::Denied,
    };
    BackchannelAuthenticationCompleteResponse {
        action: Some(BackchannelAuthenticationCompleteResponseAction::NoAction),
        auth_req_id: Some(auth_req_id.clone()),
        client_id: Some(CLIENT_NUMBER),
        client_name: Some("Demo Client".into()),
        delivery_mode: Some(DeliveryMode::Poll),
        ..Default::default()
    }
}

/// What a CIBA or device flow completion grants.
fn completed_grant(
    requested: &[String],
    subject: String,
    granted: &[String],
    claims: Option<&str>,
    auth_time: Option<i64>,
) -> Grant {
    let scopes = if granted.is_empty() {
        requested.to_vec()
    } else {
        granted
            .iter()
            .filter(|s| requested.contains(s))
            .cloned()
            .collect()
    };
    Grant {
        subject,
        scopes,
        claims: claims
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default(),
        auth_time,
        nonce: None,
        redirect_uri: None,
        code_challenge: None,
    }
}

// ---------------------------------------------------------------------------------------
// The device flow

fn device_authorization(
    state: &mut State,
    request: DeviceAuthorizationRequest,
) -> DeviceAuthorizationResponse {
    state.prune();
    let params = parse(request.parameters.expose_secret());
    let secret = request.client_secret.as_ref().map(Secret::expose_secret);
    let refuse = |action, error: &str, description: &str| DeviceAuthorizationResponse {
        action: Some(action),
        response_content: Some(Secret::new(oauth_error(error, description))),
        ..Default::default()
    };
    if !state.authenticate_client(request.client_id.as_deref(), secret, &params) {
        return refuse(
            DeviceAuthorizationResponseAction::Unauthorized,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    let scopes = match scopes(&params) {
        Ok(scopes) => scopes,
        Err(description) => {
            return refuse(
                DeviceAuthorizationResponseAction::BadRequest,
                "invalid_scope",
                &description,
            );
        }
    };
    let device_code = random_token();
    let user_code = user_code();
    let verification_uri = format!("{}/device", state.issuer);
    let complete = format!("{verification_uri}?user_code={}", urlencode(&user_code));
    let body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": complete,
        "expires_in": DEVICE_LIFETIME,
        "interval": POLLING_INTERVAL,
    });
    state.devices.insert(
        device_code.clone(),
        Deferred {
            handle: user_code.clone(),
            scopes: scopes.clone(),
            status: Status::Pending,
            expires: now_secs() + DEVICE_LIFETIME,
        },
    );
    DeviceAuthorizationResponse {
        action: Some(DeviceAuthorizationResponseAction::Ok),
        response_content: Some(Secret::new(body.to_string())),
        device_code: Some(Secret::new(device_code)),
        user_code: Some(user_code),
        verification_uri: Some(verification_uri),
        verification_uri_complete: Some(complete),
        expires_in: Some(DEVICE_LIFETIME as i32),
        interval: Some(POLLING_INTERVAL),
        client_id: Some(CLIENT_NUMBER),
        client_name: Some("Demo Client".into()),
        scopes: scope_details(&scopes),
        ..Default::default()
    }
}

/// The pending device flow request of a user code as typed (any case, with or without
/// the dash).
fn device_by_user_code<'a>(state: &'a mut State, typed: &str) -> Option<&'a mut Deferred> {
    let wanted: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    state
        .devices
        .values_mut()
        .find(|d| d.handle.replace('-', "") == wanted && matches!(d.status, Status::Pending))
}

fn device_verification(
    state: &mut State,
    request: DeviceVerificationRequest,
) -> DeviceVerificationResponse {
    let client = state.client.client_id.clone();
    let Some(device) = device_by_user_code(state, &request.user_code) else {
        return DeviceVerificationResponse {
            action: Some(DeviceVerificationResponseAction::NotExist),
            ..Default::default()
        };
    };
    if device.expires <= now_secs() {
        return DeviceVerificationResponse {
            action: Some(DeviceVerificationResponseAction::Expired),
            ..Default::default()
        };
    }
    DeviceVerificationResponse {
        action: Some(DeviceVerificationResponseAction::Valid),
        client_id: Some(CLIENT_NUMBER),
        client_id_alias: Some(client),
        client_name: Some("Demo Client".into()),
        scopes: scope_details(&device.scopes),
        claim_names: claims_of(&device.scopes),
        expires_at: Some(device.expires * 1000),
        ..Default::default()
    }
}

fn device_complete(state: &mut State, request: DeviceCompleteRequest) -> DeviceCompleteResponse {
    let Some(device) = device_by_user_code(state, &request.user_code) else {
        return DeviceCompleteResponse {
            action: Some(DeviceCompleteResponseAction::UserCodeNotExist),
            ..Default::default()
        };
    };
    if device.expires <= now_secs() {
        return DeviceCompleteResponse {
            action: Some(DeviceCompleteResponseAction::UserCodeExpired),
            ..Default::default()
        };
    }
    device.status = match request.result {
        DeviceResult::Authorized => Status::Granted(completed_grant(
            &device.scopes,
            request.subject,
            &request.scopes,
            request.claims.as_deref(),
            request.auth_time,
        )),
        _ => Status::Denied,
    };
    DeviceCompleteResponse {
        action: Some(DeviceCompleteResponseAction::Success),
        ..Default::default()
    }
}

/// A user code such as `WDJB-MJHT`: consonants only, so that it spells no words.
fn user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator");
    let letters: String = bytes
        .iter()
        .map(|b| char::from(LETTERS[usize::from(*b) % LETTERS.len()]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

// ---------------------------------------------------------------------------------------
// Helpers

/// Form parameters (the first value of each).
fn parse(parameters: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (key, value) in form_urlencoded::parse(parameters.as_bytes()) {
        map.entry(key.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    map
}

/// The requested scopes, or why they are refused.
fn scopes(params: &HashMap<String, String>) -> Result<Vec<String>, String> {
    let scopes: Vec<String> = params
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    match scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        Some(unknown) => Err(format!("The scope {unknown} is not supported.")),
        None => Ok(scopes),
    }
}

fn scope_details(scopes: &[String]) -> Vec<Scope> {
    scopes
        .iter()
        .map(|name| Scope {
            name: Some(name.clone()),
            description: Some(
                match name.as_str() {
                    "openid" => "Sign you in with your account",
                    "profile" => "Your name and user name",
                    "email" => "Your e-mail address",
                    "phone" => "Your phone number",
                    "address" => "Your postal address",
                    "offline_access" => "Access while you are away",
                    _ => "",
                }
                .into(),
            ),
            ..Default::default()
        })
        .collect()
}

/// The claims the scopes stand for (OpenID Connect Core 5.4); none without `openid`.
fn claims_of(scopes: &[String]) -> Vec<String> {
    if !scopes.iter().any(|s| s == "openid") {
        return Vec::new();
    }
    let mut claims = Vec::new();
    for scope in scopes {
        let names: &[&str] = match scope.as_str() {
            "profile" => &[
                "name",
                "family_name",
                "given_name",
                "middle_name",
                "nickname",
                "preferred_username",
                "profile",
                "picture",
                "website",
                "gender",
                "birthdate",
                "zoneinfo",
                "locale",
                "updated_at",
            ],
            "email" => &["email", "email_verified"],
            "phone" => &["phone_number", "phone_number_verified"],
            "address" => &["address"],
            _ => &[],
        };
        claims.extend(names.iter().map(|n| (*n).to_owned()));
    }
    claims
}

fn oauth_error(error: &str, description: &str) -> String {
    json!({"error": error, "error_description": description}).to_string()
}

/// `uri` with `pairs` added to its query.
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut separator = if uri.contains('?') { '&' } else { '?' };
    for (key, value) in pairs {
        out.push(separator);
        out.push_str(key);
        out.push('=');
        out.push_str(&urlencode(value));
        separator = '&';
    }
    out
}

/// The redirect that reports `error` to the client.
fn error_location(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
    issuer: &str,
) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer));
    with_query(redirect_uri, &pairs)
}

/// The service's ID token signing key: a P-256 key made at start-up.
struct SigningKey {
    key: EncodingKey,
    public_jwk: Value,
    kid: String,
}

impl SigningKey {
    fn generate() -> Self {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        use p256::pkcs8::EncodePrivateKey as _;

        let secret = loop {
            let mut d = [0u8; 32];
            getrandom::getrandom(&mut d).expect("the operating system's random number generator");
            if let Ok(secret) = p256::SecretKey::from_slice(&d) {
                break secret;
            }
        };
        let point = secret.public_key().to_encoded_point(false);
        let (x, y) = point.as_bytes()[1..].split_at(32);
        let der = secret.to_pkcs8_der().expect("a P-256 key encodes");
        let kid = random_token()[..12].to_owned();
        Self {
            key: EncodingKey::from_ec_der(der.as_bytes()),
            public_jwk: json!({
                "kty": "EC",
                "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
                "use": "sig",
                "alg": "ES256",
                "kid": kid,
            }),
            kid,
        }
    }

    /// A JWS (compact serialization) of `claims`, signed with `ES256`.
    fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        // The RustCrypto provider, named: the process-wide default needs to be chosen.
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        let signer = (provider.signer_factory)(&Algorithm::ES256, &self.key)
            .expect("an ES256 signer for a P-256 key");
        let signature = signer.try_sign(input.as_bytes()).expect("signing succeeds");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}
