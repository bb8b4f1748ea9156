//! The authorization endpoint and the decision after consent: every action of
//! `/auth/authorization`, each `NO_INTERACTION` branch, every action of
//! `/auth/authorization/issue` and `/fail`, hostile requests, and Authlete failures.

use std::time::{SystemTime, UNIX_EPOCH};

use authlete::flows::authorization::{
    Approval, AuthenticatedUser, AuthorizationDecision, AuthorizationDecisionEndpoint,
    AuthorizationEndpoint, AuthorizationOutcome, FailReason, Interaction, LoginRequired, NoSession,
    Session,
};
use authlete::flows::{Bytes, FlowSettings, Response};
use authlete::types::{AuthorizationDetailsElement, AuthorizationResponse, AuthzDetails, Prompt};
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    SERVICE, assert_generic_500, assert_no_store, client, form_post, json, text,
};

const QUERY: &str = "response_type=code&client_id=app&scope=openid%20email&prompt=none";
const REDIRECT: &str = "https://app.example/cb?code=abc&state=xyz";
const ERROR_REDIRECT: &str = "https://app.example/cb?error=login_required&state=xyz";
const FORM: &str = "<html><body onload=\"document.forms[0].submit()\"><form/></body></html>";
const ERROR_JSON: &str = r#"{"error":"invalid_request","error_description":"no client"}"#;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn get(query: &str) -> Request<Bytes> {
    Request::get(format!("/authorize?{query}"))
        .body(Bytes::new())
        .unwrap()
}

/// A session that knows one user, when the browser sends `Cookie: session=<subject>`.
#[derive(Debug, Clone)]
struct CookieSession {
    user: AuthenticatedUser,
}

impl Session for CookieSession {
    async fn current_user(&self, request: &Request<Bytes>) -> Option<AuthenticatedUser> {
        let cookie = request.headers().get(header::COOKIE)?.to_str().ok()?;
        (cookie == format!("session={}", self.user.subject)).then(|| self.user.clone())
    }
}

/// A session that adds the requested claims it knows, or refuses clients it never saw.
#[derive(Debug, Clone)]
struct ClaimsSession {
    user: AuthenticatedUser,
}

impl Session for ClaimsSession {
    async fn current_user(&self, _request: &Request<Bytes>) -> Option<AuthenticatedUser> {
        Some(self.user.clone())
    }

    async fn approve_without_interaction(
        &self,
        approval: Approval,
        authorization: &AuthorizationResponse,
    ) -> AuthorizationDecision {
        let client = authorization
            .client
            .as_ref()
            .and_then(|c| c.client_name.as_deref());
        if client == Some("Stranger") {
            return AuthorizationDecision::fail(approval.ticket(), FailReason::ConsentRequired)
                .into();
        }
        let mut claims = serde_json::Map::new();
        for name in &authorization.claims {
            if name == "email" {
                claims.insert(name.clone(), json!("alice@example.com"));
            }
        }
        approval
            .claims(claims)
            .property("via", "prompt_none")
            .into()
    }
}

fn alice(auth_time: i64) -> AuthenticatedUser {
    AuthenticatedUser::new("alice")
        .auth_time(auth_time)
        .acr("gold")
        .session_id("sid-1")
}

fn endpoint(server: &MockServer) -> AuthorizationEndpoint {
    AuthorizationEndpoint::new(client(server), FlowSettings::default(), NoSession)
}

async fn authorization_answers(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.auth_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

fn ready(outcome: AuthorizationOutcome) -> Response {
    match outcome {
        AuthorizationOutcome::Response(response) => response,
        AuthorizationOutcome::Interaction(i) => panic!("unexpected interaction: {i:?}"),
    }
}

fn interaction(outcome: AuthorizationOutcome) -> Interaction {
    match outcome {
        AuthorizationOutcome::Interaction(interaction) => interaction,
        AuthorizationOutcome::Response(r) => panic!("unexpected response: {r:?}"),
    }
}

fn assert_redirect(response: &Response, location: &str) {
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[header::LOCATION], location);
    assert!(response.body().is_empty());
    assert_no_store(response);
}

fn assert_html(response: &Response, body: &str) {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html;charset=UTF-8"
    );
    assert_eq!(text(response), body);
    assert_no_store(response);
}

fn assert_json(response: &Response, status: StatusCode, body: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(response), body);
    assert_no_store(response);
}

// ---- /auth/authorization -------------------------------------------------------------

#[tokio::test]
async fn interaction_hands_the_application_what_the_consent_page_needs() {
    let server = MockServer::start_async().await;
    let mock = server
        .auth_authorization_api(|when, then| {
            when
                .service_id(SERVICE).into_inner()
                .json_body(json!({ "parameters": QUERY }));
            then.into_inner().status(200).json_body(json!({
                "action": "INTERACTION",
                "ticket": "t-123",
                "client": {
                    "clientId": 57297408867_i64, "clientIdAlias": "app",
                    "clientName": "My App", "logoUri": "https://app.example/logo.png",
                    "policyUri": "https://app.example/policy", "tosUri": "https://app.example/tos"
                },
                "scopes": [
                    {"name": "openid", "description": "Sign you in"},
                    {"name": "email", "description": "Your email address"}
                ],
                "claims": ["email", "email_verified"],
                "claimsAtUserInfo": ["name"],
                "claimsLocales": ["ja"],
                "idTokenClaims": "{\"email\":{\"essential\":true}}",
                "userInfoClaims": "{\"name\":null}",
                "prompts": ["LOGIN", "CONSENT"],
                "maxAge": 300,
                "loginHint": "alice@example.com",
                "subject": "alice",
                "acrs": ["gold", "silver"],
                "acrEssential": true,
                "uiLocales": ["fr", "en"],
                "display": "POPUP",
                "purpose": "To open your account",
                "authorizationDetails": {"elements": [{"type": "payment_initiation", "actions": ["initiate"]}]},
                "nativeSsoRequested": true,
                "resultMessage": "[A004001] Authlete has successfully issued a ticket."
            }));
        });
    let interaction = interaction(endpoint(&server).handle(&get(QUERY)).await);
    mock.assert_async().await;
    assert_eq!(interaction.ticket(), "t-123");
    assert_eq!(interaction.client_name(), Some("My App"));
    assert_eq!(
        interaction.client_logo_uri(),
        Some("https://app.example/logo.png")
    );
    assert_eq!(
        interaction.client_policy_uri(),
        Some("https://app.example/policy")
    );
    assert_eq!(
        interaction.client_tos_uri(),
        Some("https://app.example/tos")
    );
    assert_eq!(
        interaction.client().unwrap().client_id_alias.as_deref(),
        Some("app")
    );
    assert_eq!(interaction.scope_names(), ["openid", "email"]);
    assert_eq!(
        interaction.scopes()[1].description.as_deref(),
        Some("Your email address")
    );
    assert_eq!(interaction.claims(), ["email", "email_verified"]);
    assert_eq!(interaction.claims_at_user_info(), ["name"]);
    assert_eq!(interaction.claims_locales(), ["ja"]);
    assert_eq!(
        interaction.id_token_claims(),
        Some("{\"email\":{\"essential\":true}}")
    );
    assert_eq!(interaction.user_info_claims(), Some("{\"name\":null}"));
    assert_eq!(interaction.prompts(), [Prompt::Login, Prompt::Consent]);
    assert_eq!(interaction.max_age(), Some(300));
    assert_eq!(interaction.login_hint(), Some("alice@example.com"));
    assert_eq!(interaction.requested_subject(), Some("alice"));
    assert_eq!(interaction.acrs(), ["gold", "silver"]);
    assert!(interaction.acr_essential());
    assert_eq!(interaction.ui_locales(), ["fr", "en"]);
    assert_eq!(
        interaction.display(),
        Some(&authlete::types::Display::Popup)
    );
    assert_eq!(interaction.purpose(), Some("To open your account"));
    assert_eq!(
        interaction.authorization_details().unwrap().elements[0].type_,
        "payment_initiation"
    );
    assert!(interaction.native_sso_requested());
    assert_eq!(
        interaction.authorization_response().ticket.as_deref(),
        Some("t-123")
    );
    // The decisions it offers carry its ticket.
    assert_eq!(interaction.approve("alice").ticket(), "t-123");
    assert_eq!(interaction.deny().reason(), &FailReason::Denied);
    assert_eq!(
        interaction.fail(FailReason::ConsentRequired).ticket(),
        "t-123"
    );
    let whole = interaction.into_authorization_response();
    assert_eq!(whole.max_age, Some(300));
}

#[tokio::test]
async fn interaction_defaults_are_empty_and_max_age_zero_is_none() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        json!({"action": "INTERACTION", "ticket": "t-1", "maxAge": 0}),
    )
    .await;
    let interaction = interaction(endpoint(&server).handle(&get(QUERY)).await);
    assert_eq!(interaction.max_age(), None);
    assert_eq!(interaction.client_name(), None);
    assert!(interaction.scopes().is_empty() && interaction.prompts().is_empty());
    assert!(!interaction.acr_essential() && !interaction.native_sso_requested());
}

#[tokio::test]
async fn the_full_interactive_flow_issues_a_code() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        json!({"action": "INTERACTION", "ticket": "t-9", "claims": ["email"]}),
    )
    .await;
    let issue = server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "t-9", "subject": "alice", "authTime": 1_700_000_000,
            "claims": "{\"email\":\"alice@example.com\"}", "scopes": ["openid"]
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": REDIRECT}));
    });
    let endpoint = endpoint(&server);
    let outcome = endpoint.handle(&get(QUERY)).await;
    let interaction = interaction(outcome);
    let claims = json!({"email": "alice@example.com"});
    let response = endpoint
        .decide(
            interaction
                .approve("alice")
                .auth_time(1_700_000_000)
                .claims(claims.as_object().unwrap().clone())
                .scopes(["openid"]),
        )
        .await;
    issue.assert_async().await;
    assert_redirect(&response, REDIRECT);
}

#[tokio::test]
async fn a_post_form_is_passed_as_the_parameters() {
    let server = MockServer::start_async().await;
    let mock = server.auth_authorization_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({ "parameters": QUERY }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": ERROR_REDIRECT}));
    });
    let outcome = endpoint(&server)
        .handle(&form_post("/authorize", QUERY))
        .await;
    mock.assert_async().await;
    assert_redirect(&ready(outcome), ERROR_REDIRECT);
}

#[tokio::test]
async fn location_is_a_302_redirect() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        json!({"action": "LOCATION", "responseContent": ERROR_REDIRECT}),
    )
    .await;
    let response = ready(endpoint(&server).handle(&get(QUERY)).await);
    assert_redirect(&response, ERROR_REDIRECT);
}

#[tokio::test]
async fn form_is_a_200_html_page() {
    let server = MockServer::start_async().await;
    authorization_answers(&server, json!({"action": "FORM", "responseContent": FORM})).await;
    let response = ready(endpoint(&server).handle(&get(QUERY)).await);
    assert_html(&response, FORM);
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_json() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
    )
    .await;
    let response = ready(endpoint(&server).handle(&get("client_id=nobody")).await);
    assert_json(&response, StatusCode::BAD_REQUEST, ERROR_JSON);
}

#[tokio::test]
async fn internal_server_error_is_500() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
    )
    .await;
    let response = ready(endpoint(&server).handle(&get(QUERY)).await);
    assert_generic_500(&response);
}

#[tokio::test]
async fn unknown_or_missing_actions_and_missing_tickets_are_generic_500s() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
        json!({"action": "INTERACTION", "responseContent": "internal detail"}),
        json!({"action": "NO_INTERACTION", "responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        authorization_answers(&server, body).await;
        let any_other = server
            .mock_async(|when, then| {
                // Raw on purpose: a catch-all for every sub-operation (issue, fail, ticket...).
                when.path_includes("/auth/authorization/");
                then.status(200).json_body(json!({"action": "LOCATION"}));
            })
            .await;
        let response = ready(endpoint(&server).handle(&get(QUERY)).await);
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
        assert_eq!(any_other.calls_async().await, 0);
    }
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.auth_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A001201", "resultMessage": "secret detail"}));
    });
    let response = ready(endpoint(&server).handle(&get(QUERY)).await);
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001201") && !text(&response).contains("secret"));

    let busy = MockServer::start_async().await;
    busy.auth_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(503).body("maintenance");
    });
    let response = ready(endpoint(&busy).handle(&get(QUERY)).await);
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_no_store(&response);
    assert!(!text(&response).contains("maintenance"));
}

#[tokio::test]
async fn into_response_with_renders_interactions_only() {
    let server = MockServer::start_async().await;
    authorization_answers(&server, json!({"action": "INTERACTION", "ticket": "t-5"})).await;
    let endpoint = endpoint(&server);
    let rendered = endpoint.handle(&get(QUERY)).await.into_response_with(|i| {
        authlete::flows::response::html(StatusCode::OK, format!("consent for {}", i.ticket()))
    });
    assert_html(&rendered, "consent for t-5");
    let refused = endpoint
        .handle(&Request::delete("/authorize").body(Bytes::new()).unwrap())
        .await
        .into_response_with(|_| panic!("not an interaction"));
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
}

// ---- NO_INTERACTION ------------------------------------------------------------------

fn no_interaction(extra: Value) -> Value {
    let mut body = json!({
        "action": "NO_INTERACTION",
        "ticket": "t-ni",
        "maxAge": 0,
        "claims": ["email", "phone_number"]
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

fn logged_in(query: &str, subject: &str) -> Request<Bytes> {
    let mut request = get(query);
    request.headers_mut().insert(
        header::COOKIE,
        format!("session={subject}").parse().unwrap(),
    );
    request
}

async fn fail_answers<'a>(
    server: &'a MockServer,
    reason: &str,
    answer: Value,
) -> httpmock::Mock<'a> {
    server.auth_authorization_fail_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"ticket": "t-ni", "reason": reason}));
        then.into_inner().status(200).json_body(answer);
    })
}

#[tokio::test]
async fn no_interaction_issues_for_the_logged_in_user() {
    let server = MockServer::start_async().await;
    let auth_time = now() - 30;
    authorization_answers(
        &server,
        no_interaction(json!({
            "maxAge": 60, "subject": "alice", "acrs": ["silver", "gold"], "acrEssential": true
        })),
    )
    .await;
    let issue = server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "t-ni", "subject": "alice", "authTime": auth_time,
            "acr": "gold", "sessionId": "sid-1"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": REDIRECT}));
    });
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession {
            user: alice(auth_time),
        },
    );
    let response = ready(endpoint.handle(&logged_in(QUERY, "alice")).await);
    issue.assert_async().await;
    assert_redirect(&response, REDIRECT);
}

#[tokio::test]
async fn no_interaction_lets_the_session_add_claims_and_properties() {
    let server = MockServer::start_async().await;
    authorization_answers(&server, no_interaction(json!({}))).await;
    let issue = server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "t-ni", "subject": "alice", "authTime": 1000, "acr": "gold",
            "sessionId": "sid-1", "claims": "{\"email\":\"alice@example.com\"}",
            "properties": [{"key": "via", "value": "prompt_none", "hidden": false}]
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "FORM", "responseContent": FORM}));
    });
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        std::sync::Arc::new(ClaimsSession { user: alice(1000) }),
    );
    let response = ready(endpoint.handle(&get(QUERY)).await);
    issue.assert_async().await;
    assert_html(&response, FORM);
}

#[tokio::test]
async fn no_interaction_without_a_login_fails_with_not_logged_in() {
    let server = MockServer::start_async().await;
    authorization_answers(&server, no_interaction(json!({}))).await;
    let fail = fail_answers(
        &server,
        "NOT_LOGGED_IN",
        json!({"action": "LOCATION", "responseContent": ERROR_REDIRECT}),
    )
    .await;
    // The default session knows nobody.
    let response = ready(endpoint(&server).handle(&logged_in(QUERY, "alice")).await);
    fail.assert_async().await;
    assert_redirect(&response, ERROR_REDIRECT);

    // A session that does not recognise the browser's cookie, likewise.
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession { user: alice(now()) },
    );
    let response = ready(endpoint.handle(&logged_in(QUERY, "mallory")).await);
    assert_redirect(&response, ERROR_REDIRECT);
    assert_eq!(fail.calls_async().await, 2);
}

#[tokio::test]
async fn no_interaction_after_max_age_fails_with_exceeds_max_age() {
    let server = MockServer::start_async().await;
    authorization_answers(&server, no_interaction(json!({"maxAge": 60}))).await;
    let fail = fail_answers(
        &server,
        "EXCEEDS_MAX_AGE",
        json!({"action": "FORM", "responseContent": FORM}),
    )
    .await;
    let issue = server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": REDIRECT}));
    });
    let session = |auth_time| {
        AuthorizationEndpoint::new(
            client(&server),
            FlowSettings::default(),
            CookieSession {
                user: alice(auth_time),
            },
        )
    };
    // Logged in two minutes ago with max_age=60: too old.
    let response = ready(
        session(now() - 120)
            .handle(&logged_in(QUERY, "alice"))
            .await,
    );
    fail.assert_async().await;
    assert_html(&response, FORM);
    // An unknown authentication time is too old as well.
    let unknown = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession {
            user: AuthenticatedUser::new("alice"),
        },
    );
    let response = ready(unknown.handle(&logged_in(QUERY, "alice")).await);
    assert_html(&response, FORM);
    assert_eq!(fail.calls_async().await, 2);
    assert_eq!(issue.calls_async().await, 0);
    // Ten seconds ago is fine.
    let response = ready(session(now() - 10).handle(&logged_in(QUERY, "alice")).await);
    assert_redirect(&response, REDIRECT);
    assert_eq!(issue.calls_async().await, 1);
}

#[tokio::test]
async fn no_interaction_for_another_subject_fails_with_different_subject() {
    let server = MockServer::start_async().await;
    authorization_answers(&server, no_interaction(json!({"subject": "bob"}))).await;
    let fail = fail_answers(
        &server,
        "DIFFERENT_SUBJECT",
        json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
    )
    .await;
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession { user: alice(now()) },
    );
    let response = ready(endpoint.handle(&logged_in(QUERY, "alice")).await);
    fail.assert_async().await;
    assert_json(&response, StatusCode::BAD_REQUEST, ERROR_JSON);
}

#[tokio::test]
async fn no_interaction_with_an_unmet_essential_acr_fails_with_acr_not_satisfied() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        no_interaction(json!({"acrs": ["platinum"], "acrEssential": true})),
    )
    .await;
    let fail = fail_answers(
        &server,
        "ACR_NOT_SATISFIED",
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
    )
    .await;
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession { user: alice(now()) },
    );
    let response = ready(endpoint.handle(&logged_in(QUERY, "alice")).await);
    fail.assert_async().await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn no_interaction_with_a_voluntary_acr_is_issued() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        no_interaction(json!({"acrs": ["platinum"], "acrEssential": false})),
    )
    .await;
    let issue = server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(r#"{"ticket": "t-ni", "subject": "alice"}"#);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": REDIRECT}));
    });
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession { user: alice(now()) },
    );
    let response = ready(endpoint.handle(&logged_in(QUERY, "alice")).await);
    issue.assert_async().await;
    assert_redirect(&response, REDIRECT);
}

#[tokio::test]
async fn no_interaction_can_be_refused_by_the_session() {
    let server = MockServer::start_async().await;
    authorization_answers(
        &server,
        no_interaction(json!({"client": {"clientName": "Stranger"}})),
    )
    .await;
    let fail = fail_answers(
        &server,
        "CONSENT_REQUIRED",
        json!({"action": "LOCATION", "responseContent": ERROR_REDIRECT}),
    )
    .await;
    let endpoint = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        ClaimsSession { user: alice(now()) },
    );
    let response = ready(endpoint.handle(&get(QUERY)).await);
    fail.assert_async().await;
    assert_redirect(&response, ERROR_REDIRECT);
}

// ---- the decision: /auth/authorization/issue and /fail ---------------------------------

#[tokio::test]
async fn an_approval_sends_everything_it_was_given() {
    let server = MockServer::start_async().await;
    let issue = server.auth_authorization_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "t-1",
            "subject": "alice",
            "authTime": 1_700_000_000,
            "acr": "gold",
            "claims": "{\"email\":\"alice@example.com\",\"name#ja\":\"アリス\"}",
            "consentedClaims": ["email"],
            "claimsForTx": "{\"birthdate\":\"1990-01-01\"}",
            "verifiedClaimsForTx": ["{\"given_name\":\"Alice\"}"],
            "scopes": ["openid", "email"],
            "authorizationDetails": {"elements": [{"type": "payment_initiation"}]},
            "properties": [
                {"key": "tenant", "value": "acme", "hidden": false},
                {"key": "internal", "value": "42", "hidden": true}
            ],
            "sub": "pairwise-123",
            "sessionId": "sid-1",
            "accessTokenDuration": 600,
            "jwtAtClaims": "{\"tier\":\"gold\"}",
            "idtHeaderParams": "{\"typ\":\"JWT\"}",
            "accessToken": "at-own"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": REDIRECT,
                    "authorizationCode": "abc"}));
    });
    let object = |v: Value| v.as_object().unwrap().clone();
    let approval = AuthorizationDecision::approve("t-1", "alice")
        .auth_time(1_700_000_000)
        .acr("gold")
        .claims(object(
            json!({"email": "alice@example.com", "name#ja": "アリス"}),
        ))
        .consented_claims(["email"])
        .claims_for_tx(object(json!({"birthdate": "1990-01-01"})))
        .verified_claims_for_tx([object(json!({"given_name": "Alice"}))])
        .scopes(["openid", "email"])
        .authorization_details(AuthzDetails {
            elements: vec![AuthorizationDetailsElement {
                type_: "payment_initiation".into(),
                ..Default::default()
            }],
        })
        .property("tenant", "acme")
        .hidden_property("internal", "42")
        .id_token_sub("pairwise-123")
        .session_id("sid-1")
        .access_token_duration(600)
        .jwt_at_claims(object(json!({"tier": "gold"})))
        .id_token_header_params(object(json!({"typ": "JWT"})))
        .access_token("at-own".into());
    assert_eq!(approval.ticket(), "t-1");
    assert_eq!(approval.subject(), "alice");
    assert_eq!(approval.request().properties.len(), 2);
    let decision: AuthorizationDecision = approval.into();
    assert_eq!(decision.ticket(), "t-1");
    let response = AuthorizationDecisionEndpoint::new(client(&server))
        .decide(decision)
        .await;
    issue.assert_async().await;
    assert_redirect(&response, REDIRECT);
}

#[tokio::test]
async fn approval_from_a_user_and_from_a_whole_request() {
    let approval = Approval::for_user("t-2", &alice(5));
    let request = approval.request();
    assert_eq!(
        (
            request.subject.as_str(),
            request.auth_time,
            request.acr.as_deref(),
            request.session_id.as_deref()
        ),
        ("alice", Some(5), Some("gold"), Some("sid-1"))
    );
    let whole = approval.clone().into_request();
    assert_eq!(Approval::from(whole), approval);
}

/// A check of a response.
type Check = fn(&Response);

#[tokio::test]
async fn every_issue_action_is_mapped() {
    let cases: [(Value, Check); 6] = [
        (
            json!({"action": "LOCATION", "responseContent": REDIRECT}),
            |r| assert_redirect(r, REDIRECT),
        ),
        (json!({"action": "FORM", "responseContent": FORM}), |r| {
            assert_html(r, FORM)
        }),
        (
            json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
            |r| assert_json(r, StatusCode::BAD_REQUEST, ERROR_JSON),
        ),
        (
            json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
            assert_generic_500,
        ),
        (
            json!({"action": "BRAND_NEW", "responseContent": "internal detail"}),
            |r| {
                assert_generic_500(r);
                assert!(!text(r).contains("internal detail"));
            },
        ),
        (json!({"responseContent": "internal detail"}), |r| {
            assert_generic_500(r);
            assert!(!text(r).contains("internal detail"));
        }),
    ];
    for (answer, check) in cases {
        let server = MockServer::start_async().await;
        let issue = server.auth_authorization_issue_api(|when, then| {
            when.service_id(SERVICE)
                .into_inner()
                .json_body(json!({"ticket": "t-1", "subject": "alice"}));
            then.into_inner().status(200).json_body(answer);
        });
        let response = endpoint(&server)
            .decide(AuthorizationDecision::approve("t-1", "alice"))
            .await;
        issue.assert_async().await;
        check(&response);
    }
}

#[tokio::test]
async fn every_fail_action_and_reason_is_mapped() {
    let cases: [(AuthorizationDecision, &str, Value, Check); 6] = [
        (
            AuthorizationDecision::deny("t-1").into(),
            "DENIED",
            json!({"action": "LOCATION", "responseContent": ERROR_REDIRECT}),
            |r| assert_redirect(r, ERROR_REDIRECT),
        ),
        (
            AuthorizationDecision::not_authenticated("t-1").into(),
            "NOT_AUTHENTICATED",
            json!({"action": "FORM", "responseContent": FORM}),
            |r| assert_html(r, FORM),
        ),
        (
            AuthorizationDecision::fail("t-1", FailReason::AccountSelectionRequired).into(),
            "ACCOUNT_SELECTION_REQUIRED",
            json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
            |r| assert_json(r, StatusCode::BAD_REQUEST, ERROR_JSON),
        ),
        (
            AuthorizationDecision::fail("t-1", FailReason::InvalidTarget).into(),
            "INVALID_TARGET",
            json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
            assert_generic_500,
        ),
        (
            AuthorizationDecision::fail("t-1", FailReason::InteractionRequired).into(),
            "INTERACTION_REQUIRED",
            json!({"action": "BRAND_NEW", "responseContent": "internal detail"}),
            |r| {
                assert_generic_500(r);
                assert!(!text(r).contains("internal detail"));
            },
        ),
        (
            AuthorizationDecision::fail("t-1", FailReason::ServerError).into(),
            "SERVER_ERROR",
            json!({}),
            assert_generic_500,
        ),
    ];
    for (decision, reason, answer, check) in cases {
        let server = MockServer::start_async().await;
        let fail = server.auth_authorization_fail_api(|when, then| {
            when.service_id(SERVICE)
                .into_inner()
                .json_body(json!({"ticket": "t-1", "reason": reason}));
            then.into_inner().status(200).json_body(answer);
        });
        let response = endpoint(&server).decide(decision).await;
        fail.assert_async().await;
        check(&response);
    }
}

#[tokio::test]
async fn a_failure_can_carry_a_description() {
    let server = MockServer::start_async().await;
    let fail = server.auth_authorization_fail_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "t-1", "reason": "CONSENT_REQUIRED", "description": "Ask your admin."
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "LOCATION", "responseContent": ERROR_REDIRECT}));
    });
    let failure = AuthorizationDecision::fail("t-1", FailReason::ConsentRequired)
        .description("Ask your admin.");
    assert_eq!(
        failure.request().description.as_deref(),
        Some("Ask your admin.")
    );
    let response = AuthorizationDecisionEndpoint::new(client(&server))
        .decide(failure)
        .await;
    fail.assert_async().await;
    assert_redirect(&response, ERROR_REDIRECT);
}

#[tokio::test]
async fn decision_failures_at_authlete_do_not_leak() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            // Raw on purpose: one catch-all for both issue (approve) and fail (deny).
            when.path_includes("/auth/authorization/");
            then.status(400)
                .json_body(json!({"resultCode": "A060301", "resultMessage": "ticket detail"}));
        })
        .await;
    let endpoint = endpoint(&server);
    for response in [
        endpoint
            .decide(AuthorizationDecision::approve("t-1", "alice"))
            .await,
        endpoint.decide(AuthorizationDecision::deny("t-1")).await,
    ] {
        assert_generic_500(&response);
        assert!(!text(&response).contains("A060301"));
    }
}

// ---- hostile requests -----------------------------------------------------------------

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200)
                .json_body(json!({"action": "INTERACTION", "ticket": "t"}));
        })
        .await;
    let endpoint = endpoint(&server);
    let small = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(32),
        NoSession,
    );
    let put = Request::put("/authorize").body(Bytes::new()).unwrap();
    let json_body = Request::post("/authorize")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(br#"{"client_id":"app"}"#))
        .unwrap();
    let no_type = Request::post("/authorize")
        .body(Bytes::from_static(b"client_id=app"))
        .unwrap();
    let mut two_types = form_post("/authorize", "client_id=app");
    two_types.headers_mut().append(
        header::CONTENT_TYPE,
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let not_utf8 = Request::post("/authorize")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::from_static(b"client_id=\xff\xfe"))
        .unwrap();
    let long_query = format!("client_id=app&state={}", "s".repeat(64));
    let cases = [
        (endpoint.handle(&put).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint.handle(&no_type).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (endpoint.handle(&two_types).await, StatusCode::BAD_REQUEST),
        (endpoint.handle(&not_utf8).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle(&get("client_id=%zzapp")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&get("client_id=app%2")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&form_post("/authorize", "client_id=%G0"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&form_post("/authorize", "client_id=a\u{7f}"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            small.handle(&get(&long_query)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            small.handle(&form_post("/authorize", &long_query)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (outcome, status) in cases {
        let response = ready(outcome);
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    let response = ready(endpoint.handle(&put).await);
    assert_eq!(response.headers()[header::ALLOW], "GET, POST");
    assert_eq!(any.calls_async().await, 0);
}

// ---- Send ---------------------------------------------------------------------------------

#[test]
fn handler_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    fn assert_send_sync<T: Send + Sync>() {}
    let server = MockServer::start();
    let request = get(QUERY);
    let cookie = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        CookieSession { user: alice(0) },
    );
    assert_send(cookie.handle(&request));
    assert_send(cookie.decide(AuthorizationDecision::deny("t")));
    let claims = AuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default(),
        std::sync::Arc::new(ClaimsSession { user: alice(0) }),
    );
    assert_send(claims.handle(&request));
    assert_send(endpoint(&server).handle(&request));
    assert_send(
        AuthorizationDecisionEndpoint::new(client(&server))
            .decide(AuthorizationDecision::approve("t", "alice")),
    );
    assert_send_sync::<AuthorizationEndpoint<CookieSession>>();
    assert_send_sync::<AuthorizationOutcome>();
    assert_send_sync::<AuthorizationDecision>();
}

/// RFC 6749 section 3.1: a parameter must not appear twice. A second `redirect_uri` must
/// never reach Authlete, nor lead to a redirect to an unverified URI.
#[tokio::test]
async fn repeated_parameters_are_refused_without_a_redirect() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({
                "action": "LOCATION",
                "responseContent": "https://evil.example/cb?error=invalid_request"
            }));
        })
        .await;
    let endpoint = endpoint(&server);
    let twice = "response_type=code&client_id=app\
        &redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
        &redirect_uri=https%3A%2F%2Fevil.example%2Fcb";
    for request in [
        get(twice),
        form_post("/authorize", twice),
        // The same name, encoded differently.
        get("response_type=code&client_id=app&redirect_uri=a&redirect%5furi=b"),
        get("response_type=code&response_type=token&client_id=app"),
    ] {
        let response = ready(endpoint.handle(&request).await);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(!response.headers().contains_key(header::LOCATION));
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    assert_eq!(any.calls_async().await, 0);
    // `resource` may repeat (RFC 8707).
    let response = ready(
        endpoint
            .handle(&get(
                "response_type=code&client_id=app&resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb",
            ))
            .await,
    );
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(any.calls_async().await, 1);
}

// ---- login checks (public helpers) ----------------------------------------------------

/// The page of an interaction asks `check_session` whether the user logged in to the
/// browser's session may approve without logging in again.
#[tokio::test]
async fn check_session_applies_prompt_login_max_age_subject_and_acr() {
    async fn interaction_for(answer: serde_json::Value) -> Interaction {
        let server = MockServer::start_async().await;
        let mut body = json!({"action": "INTERACTION", "ticket": "t-1"});
        body.as_object_mut()
            .unwrap()
            .extend(answer.as_object().unwrap().clone());
        server.auth_authorization_api(|when, then| {
            when.service_id(SERVICE);
            then.into_inner().status(200).json_body(body);
        });
        interaction(endpoint(&server).handle(&get("client_id=app")).await)
    }
    let recent = alice(now() - 60);
    let old = alice(now() - 3_600);
    let plain = interaction_for(json!({})).await;
    assert_eq!(plain.check_session(&old), Ok(()));
    assert_eq!(
        plain.check_session(&AuthenticatedUser::new("alice")),
        Ok(())
    );

    let again = interaction_for(json!({"prompts": ["LOGIN", "CONSENT"]})).await;
    assert_eq!(again.check_session(&recent), Err(LoginRequired::Prompted));
    // A user who has just logged in answers prompt=login.
    assert_eq!(again.check_user(&recent), Ok(()));

    let max_age = interaction_for(json!({"maxAge": 600})).await;
    assert_eq!(max_age.check_session(&recent), Ok(()));
    assert_eq!(
        max_age.check_session(&old),
        Err(LoginRequired::ExceedsMaxAge)
    );
    assert_eq!(
        max_age.check_session(&AuthenticatedUser::new("alice")),
        Err(LoginRequired::ExceedsMaxAge)
    );

    let for_bob = interaction_for(json!({"subject": "bob"})).await;
    assert_eq!(
        for_bob.check_session(&recent),
        Err(LoginRequired::DifferentSubject)
    );
    assert_eq!(
        for_bob.check_user(&recent),
        Err(LoginRequired::DifferentSubject)
    );
    assert_eq!(for_bob.check_user(&AuthenticatedUser::new("bob")), Ok(()));

    let platinum = interaction_for(json!({"acrs": ["platinum"], "acrEssential": true})).await;
    assert_eq!(
        platinum.check_session(&recent),
        Err(LoginRequired::AcrNotSatisfied)
    );
    assert_eq!(
        platinum.check_user(&AuthenticatedUser::new("alice").acr("platinum")),
        Ok(())
    );
    assert_eq!(
        LoginRequired::ExceedsMaxAge.fail_reason(),
        FailReason::ExceedsMaxAge
    );
}
