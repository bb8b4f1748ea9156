//! The application: the endpoint flows mounted with `authlete::axum::AuthorizationServer`,
//! and the server's own pages (login and consent, the device flow's verification page, the
//! CIBA approval page, the demo client) and its protected API.

use std::sync::Arc;

use authlete::Client;
use authlete::Secret;
use authlete::axum::{AuthorizationServer, RequireToken, Token, into_axum};
use authlete::flows::authorization::{AuthenticatedUser, AuthorizationEndpoint, Interaction};
use authlete::flows::ciba::{self, BackchannelAuthenticationEndpoint, CibaCompletion};
use authlete::flows::device::{
    self, CompletionOutcome, DeviceAuthorizationEndpoint, DeviceFlow, VerificationOutcome,
};
use authlete::flows::discovery::{DiscoveryEndpoint, JwksEndpoint};
use authlete::flows::introspection::{
    IntrospectionEndpoint, ResourceServer, StaticResourceServers,
};
use authlete::flows::par::PushedAuthorizationEndpoint;
use authlete::flows::resource::TokenValidator;
use authlete::flows::response::{self, ResponseExt as _};
use authlete::flows::revocation::RevocationEndpoint;
use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
use authlete::flows::userinfo::UserInfoEndpoint;
use authlete::flows::{FlowSettings, Proxy, PublicUrlSource, Response};
use authlete::types::{
    BackchannelAuthenticationCompleteRequestResult as CibaResult,
    DeviceCompleteRequestResult as DeviceResult,
};
use axum::extract::{Form, Query, State};
use axum::routing::get;
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::json;

use crate::common::{DemoClient, now_secs, pkce_challenge, random_token};
use crate::sessions::{self, PendingDevice, Store};
use crate::users::{self, CibaDirectory, CibaInbox, User};
use crate::{demo, pages};

/// The resource server allowed to call `/introspect` (HTTP Basic).
pub const RESOURCE_SERVER: (&str, &str) = ("rs0", "rs0-secret");
/// The scope `/api/me` requires.
pub const API_SCOPE: &str = "profile";

/// What the server's own routes share. Cheap to clone.
#[derive(Clone)]
struct App {
    inner: Arc<Inner>,
}

struct Inner {
    authorization: Arc<AuthorizationEndpoint<Store>>,
    device: DeviceFlow,
    ciba: CibaCompletion,
    inbox: CibaInbox,
    store: Store,
    base_url: String,
    demo: DemoClient,
    standin: bool,
    http: reqwest::Client,
}

/// The whole server. `base_url` is its public URL; `standin` says whether Authlete is the
/// embedded stand-in (for the home page).
pub fn router(client: Client, base_url: &str, demo: DemoClient, standin: bool) -> axum::Router {
    // The server knows its public URL: DPoP proofs are checked against it (`htu`).
    let settings = match base_url.parse() {
        Ok(base) => FlowSettings::default()
            .with_proxy(Proxy::default().with_public_url(PublicUrlSource::Fixed(base))),
        Err(_) => FlowSettings::default(),
    };
    let store = Store::default();
    let inbox = CibaInbox::default();
    let authorization = Arc::new(AuthorizationEndpoint::new(
        client.clone(),
        settings.clone(),
        store.clone(),
    ));
    let app = App {
        inner: Arc::new(Inner {
            authorization: authorization.clone(),
            device: DeviceFlow::new(client.clone()),
            ciba: CibaCompletion::new(client.clone()),
            inbox: inbox.clone(),
            store: store.clone(),
            base_url: base_url.to_owned(),
            demo,
            standin,
            // With authlete's TLS backend: under the default rustls-ring feature, a bare
            // reqwest builder would need a process-wide crypto provider.
            http: authlete::http_client_builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
        }),
    };
    let (rs_id, rs_secret) = RESOURCE_SERVER;
    let resource_servers =
        StaticResourceServers::new().with(rs_id, Secret::new(rs_secret), ResourceServer::new());

    // The endpoints Authlete drives, mounted by the adapter.
    let render_store = store.clone();
    let flows = AuthorizationServer::new()
        .authorization("/authorize", authorization, move |interaction, request| {
            let store = render_store.clone();
            async move { authorization_page(&store, interaction, &request) }
        })
        .endpoint(
            "/par",
            PushedAuthorizationEndpoint::new(client.clone(), settings.clone()),
        )
        .endpoint(
            "/token",
            TokenEndpoint::new(client.clone(), settings.clone(), DefaultTokenPolicy),
        )
        .endpoint(
            "/introspect",
            IntrospectionEndpoint::new(client.clone(), settings.clone(), resource_servers),
        )
        .endpoint(
            "/revoke",
            RevocationEndpoint::new(client.clone(), settings.clone()),
        )
        .endpoint(
            "/userinfo",
            UserInfoEndpoint::new(client.clone(), settings.clone(), users::Directory),
        )
        .endpoint(
            "/.well-known/openid-configuration",
            DiscoveryEndpoint::new(client.clone(), settings.clone()),
        )
        .endpoint(
            "/.well-known/oauth-authorization-server",
            DiscoveryEndpoint::new(client.clone(), settings.clone()),
        )
        .endpoint("/jwks", JwksEndpoint::new(client.clone(), settings.clone()))
        .endpoint(
            "/bc-authorize",
            BackchannelAuthenticationEndpoint::new(
                client.clone(),
                settings.clone(),
                CibaDirectory { inbox },
            ),
        )
        .endpoint(
            "/device_authorization",
            DeviceAuthorizationEndpoint::new(client.clone(), settings.clone()),
        )
        .into_router();

    // A resource server: the token must be valid and carry the scope.
    let api = axum::Router::new()
        .route("/api/me", get(me))
        .layer(RequireToken::new(
            TokenValidator::new(client, settings).required_scopes([API_SCOPE]),
        ));

    // The server's own pages.
    let pages = axum::Router::new()
        .route("/", get(home))
        .route(
            "/authorize/decision",
            axum::routing::post(authorization_decision),
        )
        .route("/device", get(device_page).post(device_verify))
        .route("/device/complete", axum::routing::post(device_complete))
        .route("/ciba/approve", get(ciba_page).post(ciba_decision))
        .route("/demo", get(demo_start))
        .route("/cb", get(demo_callback))
        .with_state(app);

    flows.merge(api).merge(pages)
}

/// `response` with a `Set-Cookie` header.
fn with_cookie(mut response: Response, cookie: http::HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

async fn home(State(app): State<App>) -> axum::response::Response {
    into_axum(pages::index(&app.inner.base_url, app.inner.standin))
}

// ---------------------------------------------------------------------------------------
// Authorization: login and consent

/// The login and consent page, for a new authorization request. The request (with its
/// ticket) waits on the server, in the session of the browser: the page finds it by the
/// cookie of the browser's request, or starts one. A user already logged in to that
/// session may approve without logging in again.
fn authorization_page(store: &Store, interaction: Interaction, request: &Parts) -> Response {
    let signed_in = signed_in_user(store, &request.headers, &interaction);
    let (tx, started) = store.keep_authorization(&request.headers, interaction.clone());
    let page = pages::authorization(&interaction, &tx, signed_in.map(|(user, _)| user), None);
    match started {
        Some(session) => with_cookie(page, session_cookie(&session)),
        None => page,
    }
}

/// The user logged in to the browser's session, and when, if the request lets them
/// approve without logging in again (`Interaction::check_session`: no `prompt=login`, a
/// login recent enough for its `max_age`, no other subject requested).
fn signed_in_user(
    store: &Store,
    headers: &HeaderMap,
    interaction: &Interaction,
) -> Option<(&'static User, i64)> {
    let (subject, auth_time) = store.logged_in(headers)?;
    let session = AuthenticatedUser::new(subject.as_str()).auth_time(auth_time);
    interaction.check_session(&session).ok()?;
    Some((users::by_subject(&subject)?, auth_time))
}

fn session_cookie(session: &str) -> http::HeaderValue {
    sessions::set_cookie(sessions::SESSION_COOKIE, Some(session), "/")
}

#[derive(Deserialize)]
struct DecisionForm {
    tx: String,
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
    decision: String,
}

/// The login and consent form comes back: end the request as the user decided (a
/// redirect to the client, with the code or with `access_denied`). The user is whoever
/// logs in on the form or, with its login fields left empty, the one already logged in to
/// the browser's session.
async fn authorization_decision(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<DecisionForm>,
) -> axum::response::Response {
    let app = &app.inner;
    let Some(interaction) = app.store.authorization(&headers, &form.tx) else {
        return into_axum(expired_request());
    };
    if form.decision != "approve" {
        if !app.store.end_authorization(&headers, &form.tx) {
            return into_axum(expired_request());
        }
        return into_axum(app.authorization.decide(interaction.deny()).await);
    }
    let signed_in = signed_in_user(&app.store, &headers, &interaction);
    let retry = |error| {
        let user = signed_in.map(|(user, _)| user);
        into_axum(pages::authorization(
            &interaction,
            &form.tx,
            user,
            Some(error),
        ))
    };
    let (user, auth_time, logs_in) = if form.login_id.trim().is_empty() && form.password.is_empty()
    {
        match signed_in {
            Some((user, auth_time)) => (user, auth_time, false),
            None => return retry("Log in to authorize."),
        }
    } else {
        match users::authenticate(&form.login_id, &form.password) {
            Some(user) => (user, now_secs(), true),
            None => return retry("Wrong login ID or password."),
        }
    };
    if interaction
        .check_user(&AuthenticatedUser::new(user.subject).auth_time(auth_time))
        .is_err()
    {
        return retry("This request is for another user.");
    }
    if !app.store.end_authorization(&headers, &form.tx) {
        return into_axum(expired_request());
    }
    let mut approval = interaction.approve(user.subject).auth_time(auth_time);
    let claims = user.claims(interaction.claims());
    if !claims.is_empty() {
        approval = approval.claims(claims);
    }
    let response = app.authorization.decide(approval).await;
    if !logs_in {
        return into_axum(response);
    }
    let session = app.store.log_in(&headers, user.subject);
    into_axum(with_cookie(response, session_cookie(&session)))
}

fn expired_request() -> Response {
    pages::message(
        StatusCode::BAD_REQUEST,
        "Request expired",
        "This authorization request is unknown, expired or already decided, or it was \
         started in another browser. Start again from the application.",
    )
}

// ---------------------------------------------------------------------------------------
// The device flow: verification page

#[derive(Deserialize)]
struct UserCodeQuery {
    user_code: Option<String>,
}

async fn device_page(Query(query): Query<UserCodeQuery>) -> axum::response::Response {
    into_axum(pages::device_code_form(query.user_code.as_deref(), None))
}

#[derive(Deserialize)]
struct UserCodeForm {
    user_code: String,
}

/// The user typed the code their device shows: what is it about?
async fn device_verify(
    State(app): State<App>,
    Form(form): Form<UserCodeForm>,
) -> axum::response::Response {
    let app = &app.inner;
    let page = match app.device.verify(&form.user_code).await {
        VerificationOutcome::Valid { user_code, details } => {
            let pending = PendingDevice {
                user_code,
                client_name: details.client_name.clone().unwrap_or_default(),
                scopes: details
                    .scopes
                    .iter()
                    .filter_map(|s| s.name.clone())
                    .collect(),
                claim_names: details.claim_names.clone(),
            };
            let tx = app.store.keep_device(pending.clone());
            with_cookie(
                pages::device_consent(&pending, &tx, None),
                sessions::set_cookie(sessions::DEVICE_COOKIE, Some(&tx), "/device"),
            )
        }
        VerificationOutcome::Expired => pages::device_code_form(
            Some(&form.user_code),
            Some("This code has expired. Start again on your device."),
        ),
        VerificationOutcome::NotFound => pages::device_code_form(
            Some(&form.user_code),
            Some("Unknown code. Check the code your device shows."),
        ),
        _ => unavailable(),
    };
    into_axum(page)
}

/// The user logged in and decided: tell Authlete, the device gets its answer when it polls.
async fn device_complete(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<DecisionForm>,
) -> axum::response::Response {
    let app = &app.inner;
    let Some(pending) = app.store.device(&headers, &form.tx) else {
        return into_axum(pages::device_code_form(
            None,
            Some("That page expired. Enter the code again."),
        ));
    };
    let Some(user) = users::authenticate(&form.login_id, &form.password) else {
        let page = pages::device_consent(&pending, &form.tx, Some("Wrong login ID or password."));
        return into_axum(page);
    };
    if !app.store.end_device(&form.tx) {
        return into_axum(pages::device_code_form(
            None,
            Some("This code was already used."),
        ));
    }
    let approved = form.decision == "approve";
    let result = if approved {
        DeviceResult::Authorized
    } else {
        DeviceResult::AccessDenied
    };
    let mut request = device::completion_request(&pending.user_code, result, user.subject);
    request.auth_time = Some(now_secs());
    if approved {
        request.claims = users::claims_json(user, &pending.claim_names);
    }
    let page = match app.device.complete(&request).await {
        CompletionOutcome::Success if approved => pages::message(
            StatusCode::OK,
            "Device connected",
            "Done. You can return to your device.",
        ),
        CompletionOutcome::Success => pages::message(
            StatusCode::OK,
            "Request denied",
            "The device was refused access.",
        ),
        CompletionOutcome::UserCodeExpired => pages::device_code_form(
            None,
            Some("This code has expired. Start again on your device."),
        ),
        CompletionOutcome::UserCodeNotFound => {
            pages::device_code_form(None, Some("This code is unknown or was already used."))
        }
        _ => unavailable(),
    };
    let clear = sessions::set_cookie(sessions::DEVICE_COOKIE, None, "/device");
    into_axum(with_cookie(page, clear))
}

fn unavailable() -> Response {
    pages::message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again later",
        "The authorization server could not complete this step. Try again later.",
    )
}

// ---------------------------------------------------------------------------------------
// CIBA: the user's authentication device

async fn ciba_page(State(app): State<App>) -> axum::response::Response {
    into_axum(pages::ciba_inbox(&app.inner.inbox.pending(), None))
}

#[derive(Deserialize)]
struct CibaForm {
    id: String,
    #[serde(default)]
    password: String,
    decision: String,
}

/// The user approved (with their password) or denied a request on their "device".
async fn ciba_decision(
    State(app): State<App>,
    Form(form): Form<CibaForm>,
) -> axum::response::Response {
    let app = &app.inner;
    let Some(pending) = app.inbox.take(&form.id) else {
        let note = (
            false,
            "That request is unknown, expired or already decided.",
        );
        return into_axum(pages::ciba_inbox(&app.inbox.pending(), Some(note)));
    };
    let approved = form.decision == "approve";
    if approved && !pending.user.has_password(&form.password) {
        let note = format!("Wrong password for {}.", pending.user.login_id);
        app.inbox.put_back(pending);
        return into_axum(pages::ciba_inbox(
            &app.inbox.pending(),
            Some((false, &note)),
        ));
    }
    let result = if approved {
        CibaResult::Authorized
    } else {
        CibaResult::AccessDenied
    };
    let mut request = ciba::completion_request(&pending.ticket, result, pending.user.subject);
    if approved {
        request.auth_time = Some(now_secs());
        request.claims = users::claims_json(pending.user, &pending.claim_names);
    }
    let outcome = app.ciba.complete(&request).await;
    let note = match (outcome.is_success(), approved) {
        (true, true) => format!(
            "Approved: {} can now get its tokens for {}.",
            pending.client_name, pending.user.login_id
        ),
        (true, false) => format!("Denied: {} was refused.", pending.client_name),
        (false, _) => "Authlete could not complete the request; see the log.".to_owned(),
    };
    let note = (outcome.is_success(), note.as_str());
    into_axum(pages::ciba_inbox(&app.inbox.pending(), Some(note)))
}

// ---------------------------------------------------------------------------------------
// The protected API

/// Who the token is for, as much as its scopes allow.
async fn me(Token(info): Token) -> axum::response::Response {
    let user = info.subject.as_deref().and_then(users::by_subject);
    let mut body = json!({
        "sub": info.subject,
        "scope": info.scopes.join(" "),
        "client_id": info.client_id_alias.clone().or(info.client_id.map(|id| id.to_string())),
    });
    if let Some(user) = user {
        if info.has_scope("profile") {
            body["name"] = json!(user.name);
        }
        if info.has_scope("email") {
            body["email"] = json!(user.email);
        }
    }
    let response = response::json(StatusCode::OK, body.to_string())
        .with_dpop_nonce(info.dpop_nonce.as_deref());
    into_axum(response)
}

// ---------------------------------------------------------------------------------------
// The demo client

/// Starts the authorization code flow with PKCE, as an application would.
async fn demo_start(State(app): State<App>) -> axum::response::Response {
    let app = &app.inner;
    let (state, verifier, nonce) = (random_token(), random_token(), random_token());
    app.store.keep_demo_request(&state, &verifier, &nonce);
    let url = demo::authorization_url(
        &app.base_url,
        &app.demo,
        &state,
        &pkce_challenge(&verifier),
        &nonce,
    );
    into_axum(response::redirect(&url))
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The redirect back to the demo client: exchange the code, call the API.
async fn demo_callback(
    State(app): State<App>,
    Query(callback): Query<Callback>,
) -> axum::response::Response {
    let app = &app.inner;
    let request = callback
        .state
        .as_deref()
        .and_then(|state| app.store.take_demo_request(state));
    let (Some(code), Some((verifier, nonce))) = (callback.code.as_deref(), request) else {
        let text = match &callback.error {
            Some(error) => format!(
                "{error}: {}",
                callback.error_description.as_deref().unwrap_or_default()
            ),
            None => "No code, or an unknown state.".to_owned(),
        };
        return into_axum(pages::demo_result(&[("Authorization failed", text)]));
    };
    let mut sections = Vec::new();
    match demo::exchange_code(&app.http, &app.base_url, &app.demo, code, &verifier).await {
        Err(e) => sections.push(("Token request failed", e.to_string())),
        Ok((status, body)) => {
            let tokens: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            sections.push((
                "Token response",
                format!("{status}\n{}", demo::shorten_tokens(&body)),
            ));
            if let Some(id_token) = tokens["id_token"].as_str() {
                let checked = match (
                    demo::fetch_issuer(&app.http, &app.base_url).await,
                    demo::fetch_jwks(&app.http, &app.base_url).await,
                ) {
                    (Ok(issuer), Ok(jwks)) => {
                        demo::verify_id_token(id_token, &jwks, &issuer, &app.demo, &nonce)
                    }
                    (Err(e), _) => Err(e),
                    (_, Err(e)) => Err(e.to_string()),
                };
                sections.push(match checked {
                    Ok(claims) => ("ID token (signature checked with /jwks)", pretty(&claims)),
                    Err(e) => ("ID token rejected", e),
                });
            }
            if let Some(token) = tokens["access_token"].as_str() {
                let api = match demo::call_api(&app.http, &app.base_url, token).await {
                    Ok((status, body)) => format!("{status}\n{body}"),
                    Err(e) => e.to_string(),
                };
                sections.push(("GET /api/me", api));
            }
        }
    }
    into_axum(pages::demo_result(&sections))
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
