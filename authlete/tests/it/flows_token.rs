//! The token endpoint: every action of `/auth/token` and of the calls that follow it
//! (`/auth/token/issue`, `/auth/token/fail`, `/idtoken/reissue`, `/nativesso`), what is
//! sent to Authlete, hostile requests, and Authlete failures.

use std::sync::{Arc, Mutex};

use authlete::Secret;
use authlete::flows::request::RequestExtras;
use authlete::flows::response::{self, ResponseExt as _};
use authlete::flows::token::{
    DefaultTokenPolicy, IdTokenOptions, NativeSso, ResourceOwner, TokenEndpoint, TokenPolicy,
};
use authlete::flows::{Bytes, FlowSettings, Response};
use authlete::types::{Property, TokenResponse};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    ClientAuthEndpoint, Operation, SERVICE, assert_generic_500, assert_no_store,
    check_client_authentication, client, form_post, json, text,
};

const TOKEN_JSON: &str = r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600}"#;
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----";
const CHAIN: &str = "-----BEGIN CERTIFICATE-----\nMIIBchain\n-----END CERTIFICATE-----";

/// Authlete answers `body` to `operation` (e.g. [`Operation::AuthToken`]).
fn answer<'a>(server: &'a MockServer, operation: Operation, body: Value) -> httpmock::Mock<'a> {
    operation.mock(server, |_, then| {
        then.status(200).json_body(body);
    })
}

fn endpoint(server: &MockServer) -> TokenEndpoint {
    TokenEndpoint::new(client(server), FlowSettings::default(), DefaultTokenPolicy)
}

fn app_endpoint(server: &MockServer, app: App) -> TokenEndpoint<App> {
    TokenEndpoint::new(client(server), FlowSettings::default(), app)
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn with_basic(mut request: Request<Bytes>) -> Request<Bytes> {
    request.headers_mut().insert(
        header::AUTHORIZATION,
        basic("app", "s3cret").parse().unwrap(),
    );
    request
}

/// What the application decides, configurable per test; records what it was asked.
#[derive(Clone, Default)]
struct App {
    seen: Arc<Mutex<Vec<String>>>,
    reissue: Option<IdTokenOptions>,
    native: Option<NativeSso>,
    exchange: bool,
}

impl App {
    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl TokenPolicy for App {
    async fn authenticate_user(
        &self,
        username: &str,
        password: &Secret,
        token: &TokenResponse,
    ) -> Option<ResourceOwner> {
        self.seen.lock().unwrap().push(format!(
            "{username}:{}:{}",
            password.expose_secret(),
            token.ticket.as_deref().unwrap_or("")
        ));
        (username == "john" && password.expose_secret() == "pw").then(|| {
            ResourceOwner::new("user-1").with_properties(vec![Property {
                key: Some("tier".into()),
                value: Some("gold".into()),
                hidden: Some(false),
            }])
        })
    }

    async fn token_exchange(
        &self,
        token: &TokenResponse,
        _request: &Request<Bytes>,
    ) -> Option<Response> {
        let subject_token = token.subject_token.as_ref()?.expose_secret().to_owned();
        self.seen.lock().unwrap().push(subject_token);
        self.exchange.then(|| {
            let mut response = Response::new(Bytes::from_static(b"{\"access_token\":\"x\"}"));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            response
        })
    }

    async fn jwt_bearer(
        &self,
        token: &TokenResponse,
        _request: &Request<Bytes>,
    ) -> Option<Response> {
        let assertion = token.assertion.as_ref()?.expose_secret().to_owned();
        self.seen.lock().unwrap().push(assertion);
        self.exchange.then(|| {
            response::oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown issuer")
                .with_header(
                    header::HeaderName::from_static("dpop-nonce"),
                    Some("app-nonce"),
                )
        })
    }

    async fn reissue_id_token(&self, _token: &TokenResponse) -> Option<IdTokenOptions> {
        self.reissue.clone()
    }

    async fn native_sso(&self, token: &TokenResponse, _request: &Request<Bytes>) -> NativeSso {
        self.seen
            .lock()
            .unwrap()
            .push(token.session_id.clone().unwrap_or_default());
        self.native.clone().unwrap_or(NativeSso::Skip)
    }
}

// ---------------------------------------------------------------- /auth/token actions

#[tokio::test]
async fn ok_is_200_and_passes_everything_the_request_provides() {
    let server = MockServer::start_async().await;
    let mock = server
        .auth_token_api(|when, then| {
            when.service_id(SERVICE).into_inner().json_body(json!({
                "parameters": "grant_type=authorization_code&code=c1&redirect_uri=https%3A%2F%2Fapp%2Fcb",
                "clientId": "app",
                "clientSecret": "s3cret",
                "clientCertificate": CERT,
                "clientCertificatePath": [CHAIN],
                "dpop": "h.p.s",
                "htm": "POST",
                "oauthClientAttestation": "att.jwt",
                "oauthClientAttestationPop": "pop.jwt"
            }));
            then.into_inner().status(200).json_body(json!({
                "action": "OK", "responseContent": TOKEN_JSON, "dpopNonce": "n-1"
            }));
        });
    let mut request = with_basic(form_post(
        "/token",
        "grant_type=authorization_code&code=c1&redirect_uri=https%3A%2F%2Fapp%2Fcb",
    ));
    let headers = request.headers_mut();
    headers.insert(header::HOST, "as.example.com".parse().unwrap());
    headers.insert("dpop", "h.p.s".parse().unwrap());
    headers.insert("oauth-client-attestation", "att.jwt".parse().unwrap());
    headers.insert("oauth-client-attestation-pop", "pop.jwt".parse().unwrap());
    request
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(
            CERT,
            vec![CHAIN.to_owned()],
        ));
    let response = endpoint(&server).handle(&request).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(response.headers()["dpop-nonce"], "n-1");
    assert_eq!(text(&response), TOKEN_JSON);
    assert!(!response.headers().contains_key(header::WWW_AUTHENTICATE));
}

#[tokio::test]
async fn credentials_in_the_form_reach_authlete_in_the_parameters() {
    let server = MockServer::start_async().await;
    let mock = server.auth_token_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "grant_type=client_credentials&client_id=app&client_secret=s3cret",
            "htm": "POST"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": TOKEN_JSON}));
    });
    let response = endpoint(&server)
        .handle(&form_post(
            "/token",
            "grant_type=client_credentials&client_id=app&client_secret=s3cret",
        ))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.headers().contains_key("dpop-nonce"));
}

#[tokio::test]
async fn invalid_client_after_basic_is_401_with_a_basic_challenge() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "INVALID_CLIENT", "responseContent": r#"{"error":"invalid_client"}"#,
               "dpopNonce": "n-2"}),
    );
    let response = endpoint(&server)
        .handle(&with_basic(form_post(
            "/token",
            "grant_type=client_credentials",
        )))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"token\""
    );
    assert_eq!(response.headers()["dpop-nonce"], "n-2");
    assert_eq!(json(&response)["error"], "invalid_client");
    assert_no_store(&response);
}

#[tokio::test]
async fn invalid_client_without_basic_is_401_with_the_basic_challenge_too() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "INVALID_CLIENT", "responseContent": r#"{"error":"invalid_client"}"#}),
    );
    let response = endpoint(&server)
        .handle(&form_post(
            "/token",
            "grant_type=client_credentials&client_id=app&client_secret=bad",
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // RFC 6749 5.2: the 401 names the HTTP scheme the endpoint supports.
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"token\""
    );
    assert_eq!(json(&response)["error"], "invalid_client");
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_json() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"invalid_grant"}"#,
               "dpopNonce": "n-3"}),
    );
    let response = endpoint(&server)
        .handle(&form_post("/token", "grant_type=authorization_code&code=x"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_grant");
    assert_eq!(response.headers()["dpop-nonce"], "n-3");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_no_store(&response);
}

#[tokio::test]
async fn internal_server_error_is_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
    );
    let response = endpoint(&server)
        .handle(&form_post("/token", "grant_type=client_credentials"))
        .await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn unknown_and_missing_actions_are_generic_500s() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::AuthToken, body);
        let response = endpoint(&server)
            .handle(&form_post("/token", "grant_type=client_credentials"))
            .await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }
}

#[tokio::test]
async fn ok_without_a_body_is_a_generic_500() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, json!({"action": "OK"}));
    let response = endpoint(&server)
        .handle(&form_post("/token", "grant_type=client_credentials"))
        .await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = endpoint(&server)
        .handle(&form_post("/token", "grant_type=client_credentials"))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));

    let busy = MockServer::start_async().await;
    busy.auth_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(503).body("overloaded");
    });
    let response = endpoint(&busy)
        .handle(&form_post("/token", "grant_type=client_credentials"))
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_no_store(&response);
    assert!(!text(&response).contains("overloaded"));
}

// ---------------------------------------------------------------- PASSWORD

fn password_answer() -> Value {
    json!({
        "action": "PASSWORD", "ticket": "tk-1", "username": "john", "password": "pw",
        "dpopNonce": "n-4"
    })
}

#[tokio::test]
async fn password_accepted_issues_the_token() {
    let server = MockServer::start_async().await;
    let token = server.auth_token_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "grant_type=password&username=john&password=pw",
            "htm": "POST"
        }));
        then.into_inner().status(200).json_body(password_answer());
    });
    let issue = server.auth_token_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "tk-1", "subject": "user-1",
            "properties": [{"key": "tier", "value": "gold", "hidden": false}]
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": TOKEN_JSON}));
    });
    let fail = answer(
        &server,
        Operation::AuthTokenFail,
        json!({"action": "BAD_REQUEST"}),
    );
    let app = App::default();
    let response = app_endpoint(&server, app.clone())
        .handle(&form_post(
            "/token",
            "grant_type=password&username=john&password=pw",
        ))
        .await;
    token.assert_async().await;
    issue.assert_async().await;
    assert_eq!(fail.calls_async().await, 0);
    assert_eq!(app.seen(), ["john:pw:tk-1"]);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(&response), TOKEN_JSON);
    assert_eq!(response.headers()["dpop-nonce"], "n-4");
    assert_no_store(&response);
}

#[tokio::test]
async fn password_refused_fails_the_ticket() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "PASSWORD", "ticket": "tk-2", "username": "john", "password": "wrong"}),
    );
    let issue = answer(&server, Operation::AuthTokenIssue, json!({"action": "OK"}));
    let fail = server.auth_token_fail_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"ticket": "tk-2", "reason": "INVALID_RESOURCE_OWNER_CREDENTIALS"}));
        then.into_inner().status(200).json_body(json!({
            "action": "BAD_REQUEST", "responseContent": r#"{"error":"invalid_grant"}"#
        }));
    });
    let app = App::default();
    let response = app_endpoint(&server, app.clone())
        .handle(&form_post(
            "/token",
            "grant_type=password&username=john&password=wrong",
        ))
        .await;
    fail.assert_async().await;
    assert_eq!(issue.calls_async().await, 0);
    assert_eq!(app.seen(), ["john:wrong:tk-2"]);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_grant");
    assert_no_store(&response);
}

#[tokio::test]
async fn the_default_policy_refuses_every_password() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, password_answer());
    let fail = server.auth_token_fail_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"ticket": "tk-1", "reason": "INVALID_RESOURCE_OWNER_CREDENTIALS"}));
        then.into_inner().status(200).json_body(json!({
            "action": "BAD_REQUEST", "responseContent": r#"{"error":"invalid_grant"}"#
        }));
    });
    let response = endpoint(&server)
        .handle(&form_post(
            "/token",
            "grant_type=password&username=john&password=pw",
        ))
        .await;
    fail.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["dpop-nonce"], "n-4");
}

#[tokio::test]
async fn password_issue_and_fail_errors_are_500s() {
    // /auth/token/issue: INTERNAL_SERVER_ERROR, unknown action.
    for (issue_answer, generic) in [
        (
            json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
            false,
        ),
        (
            json!({"action": "NEW_THING", "responseContent": "detail"}),
            true,
        ),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::AuthToken, password_answer());
        answer(&server, Operation::AuthTokenIssue, issue_answer);
        let response = app_endpoint(&server, App::default())
            .handle(&form_post("/token", "grant_type=password"))
            .await;
        assert_generic_500(&response);
        if generic {
            assert!(!text(&response).contains("detail"));
        }
    }
    // /auth/token/fail: INTERNAL_SERVER_ERROR, no action.
    for fail_answer in [
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::AuthToken,
            json!({"action": "PASSWORD", "ticket": "t", "username": "x", "password": "y"}),
        );
        answer(&server, Operation::AuthTokenFail, fail_answer);
        let response = app_endpoint(&server, App::default())
            .handle(&form_post("/token", "grant_type=password"))
            .await;
        assert_generic_500(&response);
    }
}

#[tokio::test]
async fn password_without_a_ticket_or_with_a_failing_issue_call_is_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "PASSWORD", "username": "john"}),
    );
    let response = app_endpoint(&server, App::default())
        .handle(&form_post("/token", "grant_type=password"))
        .await;
    assert_generic_500(&response);

    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, password_answer());
    server.auth_token_issue_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A999", "resultMessage": "secret detail"}));
    });
    let response = app_endpoint(&server, App::default())
        .handle(&form_post("/token", "grant_type=password"))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("secret detail"));
}

// ---------------------------------------------------------------- TOKEN_EXCHANGE, JWT_BEARER

#[tokio::test]
async fn token_exchange_and_jwt_bearer_are_unsupported_by_default() {
    for action in ["TOKEN_EXCHANGE", "JWT_BEARER"] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::AuthToken,
            json!({"action": action, "subjectToken": "st", "assertion": "a.b.c",
                   "dpopNonce": "n-5"}),
        );
        let response = endpoint(&server)
            .handle(&form_post("/token", "grant_type=x"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{action}");
        assert_eq!(json(&response)["error"], "unsupported_grant_type");
        assert_eq!(response.headers()["dpop-nonce"], "n-5");
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn the_applications_token_exchange_answer_is_sent_uncacheable() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "TOKEN_EXCHANGE", "subjectToken": "subject-token", "dpopNonce": "n-6"}),
    );
    let app = App {
        exchange: true,
        ..App::default()
    };
    let response = app_endpoint(&server, app.clone())
        .handle(&form_post(
            "/token",
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange",
        ))
        .await;
    assert_eq!(app.seen(), ["subject-token"]);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["access_token"], "x");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(response.headers()["dpop-nonce"], "n-6");
    assert_no_store(&response);
}

#[tokio::test]
async fn the_applications_jwt_bearer_answer_keeps_its_own_nonce() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthToken,
        json!({"action": "JWT_BEARER", "assertion": "h.p.s", "dpopNonce": "authlete-nonce"}),
    );
    let app = App {
        exchange: true,
        ..App::default()
    };
    let response = app_endpoint(&server, app.clone())
        .handle(&form_post(
            "/token",
            "grant_type=jwt-bearer&assertion=h.p.s",
        ))
        .await;
    assert_eq!(app.seen(), ["h.p.s"]);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_grant");
    assert_eq!(response.headers()["dpop-nonce"], "app-nonce");
    assert_no_store(&response);
}

// ---------------------------------------------------------------- ID_TOKEN_REISSUABLE

fn reissuable_answer() -> Value {
    json!({
        "action": "ID_TOKEN_REISSUABLE", "responseContent": TOKEN_JSON,
        "accessToken": "at-plain", "jwtAccessToken": "at.jwt.sig", "refreshToken": "rt-1",
        "dpopNonce": "n-7"
    })
}

#[tokio::test]
async fn id_token_reissuable_is_ok_by_default() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, reissuable_answer());
    let reissue = answer(&server, Operation::IdtokenReissue, json!({"action": "OK"}));
    let response = endpoint(&server)
        .handle(&form_post(
            "/token",
            "grant_type=refresh_token&refresh_token=rt-1",
        ))
        .await;
    assert_eq!(reissue.calls_async().await, 0);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(&response), TOKEN_JSON);
    assert_eq!(response.headers()["dpop-nonce"], "n-7");
    assert_no_store(&response);
}

#[tokio::test]
async fn id_token_reissue_when_the_application_asks() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, reissuable_answer());
    let reissue = server.idtoken_reissue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "accessToken": "at.jwt.sig", "refreshToken": "rt-1",
            "sub": "pairwise-1", "claims": "{\"nickname\":\"jo\"}"
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "OK", "responseContent": r#"{"id_token":"new.id.token"}"#
        }));
    });
    let app = App {
        reissue: Some(
            IdTokenOptions::default()
                .with_sub("pairwise-1")
                .with_claims("{\"nickname\":\"jo\"}"),
        ),
        ..App::default()
    };
    let response = app_endpoint(&server, app)
        .handle(&form_post(
            "/token",
            "grant_type=refresh_token&refresh_token=rt-1",
        ))
        .await;
    reissue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["id_token"], "new.id.token");
    assert_eq!(response.headers()["dpop-nonce"], "n-7");
    assert_no_store(&response);
}

#[tokio::test]
async fn id_token_reissue_errors_are_500s() {
    for (reissue_answer, leaks) in [
        (
            json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
            None,
        ),
        (
            json!({"action": "CALLER_ERROR", "responseContent": "caller detail",
                   "resultMessage": "caller detail"}),
            Some("caller detail"),
        ),
        (
            json!({"action": "LATER", "responseContent": "later detail"}),
            Some("later detail"),
        ),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::AuthToken, reissuable_answer());
        answer(&server, Operation::IdtokenReissue, reissue_answer);
        let app = App {
            reissue: Some(IdTokenOptions::default()),
            ..App::default()
        };
        let response = app_endpoint(&server, app)
            .handle(&form_post("/token", "grant_type=refresh_token"))
            .await;
        assert_generic_500(&response);
        if let Some(detail) = leaks {
            assert!(!text(&response).contains(detail));
        }
    }
}

// ---------------------------------------------------------------- NATIVE_SSO

fn native_answer() -> Value {
    json!({
        "action": "NATIVE_SSO", "responseContent": TOKEN_JSON, "sessionId": "sid-1",
        "accessToken": "at-plain", "refreshToken": "rt-1", "deviceSecret": "ds-old",
        "dpopNonce": "n-8"
    })
}

#[tokio::test]
async fn native_sso_is_ok_when_the_application_skips_it() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, native_answer());
    let native = answer(&server, Operation::NativeSso, json!({"action": "OK"}));
    for response in [
        endpoint(&server)
            .handle(&form_post("/token", "grant_type=authorization_code"))
            .await,
        app_endpoint(&server, App::default())
            .handle(&form_post("/token", "grant_type=authorization_code"))
            .await,
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(text(&response), TOKEN_JSON);
        assert_eq!(response.headers()["dpop-nonce"], "n-8");
    }
    assert_eq!(native.calls_async().await, 0);
}

#[tokio::test]
async fn native_sso_issues_through_authlete() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, native_answer());
    let native = server.native_sso_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "accessToken": "at-plain", "refreshToken": "rt-1",
            "deviceSecret": "ds-new", "deviceSecretHash": "hash-new"
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "responseContent": r#"{"access_token":"at-plain","device_secret":"ds-new"}"#
        }));
    });
    let app = App {
        native: Some(NativeSso::Issue {
            device_secret: Secret::new("ds-new"),
            device_secret_hash: Some("hash-new".into()),
            id_token: IdTokenOptions::default(),
        }),
        ..App::default()
    };
    let response = app_endpoint(&server, app.clone())
        .handle(&form_post("/token", "grant_type=authorization_code"))
        .await;
    native.assert_async().await;
    assert_eq!(app.seen(), ["sid-1"]);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["device_secret"], "ds-new");
    assert_eq!(response.headers()["dpop-nonce"], "n-8");
    assert_no_store(&response);
}

#[tokio::test]
async fn native_sso_refused_is_400_invalid_grant() {
    let server = MockServer::start_async().await;
    answer(&server, Operation::AuthToken, native_answer());
    let native = answer(&server, Operation::NativeSso, json!({"action": "OK"}));
    let app = App {
        native: Some(NativeSso::Refuse("The session is no longer active.".into())),
        ..App::default()
    };
    let response = app_endpoint(&server, app)
        .handle(&form_post("/token", "grant_type=token-exchange"))
        .await;
    assert_eq!(native.calls_async().await, 0);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_grant");
    assert_eq!(
        json(&response)["error_description"],
        "The session is no longer active."
    );
    assert_eq!(response.headers()["dpop-nonce"], "n-8");
    assert_no_store(&response);
}

#[tokio::test]
async fn native_sso_errors_are_500s() {
    for native_answer_body in [
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
        json!({"action": "CALLER_ERROR", "resultMessage": "missing deviceSecret"}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::AuthToken, native_answer());
        answer(&server, Operation::NativeSso, native_answer_body);
        let app = App {
            native: Some(NativeSso::Issue {
                device_secret: Secret::new("ds"),
                device_secret_hash: None,
                id_token: IdTokenOptions::default(),
            }),
            ..App::default()
        };
        let response = app_endpoint(&server, app)
            .handle(&form_post("/token", "grant_type=authorization_code"))
            .await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("deviceSecret"));
    }
}

// ---------------------------------------------------------------- hostile requests

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200)
                .json_body(json!({"action": "OK", "responseContent": TOKEN_JSON}));
        })
        .await;
    let endpoint = endpoint(&server);
    let get = Request::get("/token?grant_type=client_credentials")
        .body(Bytes::new())
        .unwrap();
    let json_body = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(
            br#"{"grant_type":"client_credentials"}"#,
        ))
        .unwrap();
    let mut two_auth = form_post("/token", "grant_type=client_credentials");
    for credentials in [basic("a", "b"), basic("c", "d")] {
        two_auth
            .headers_mut()
            .append(header::AUTHORIZATION, credentials.parse().unwrap());
    }
    let mut broken_basic = form_post("/token", "grant_type=client_credentials");
    broken_basic
        .headers_mut()
        .insert(header::AUTHORIZATION, "Basic %%%".parse().unwrap());
    let mut two_dpop = form_post("/token", "grant_type=client_credentials");
    two_dpop
        .headers_mut()
        .append("dpop", "a.b.c".parse().unwrap());
    two_dpop
        .headers_mut()
        .append("dpop", "d.e.f".parse().unwrap());
    let mut two_attestations = form_post("/token", "grant_type=client_credentials");
    two_attestations
        .headers_mut()
        .append("oauth-client-attestation", "a".parse().unwrap());
    two_attestations
        .headers_mut()
        .append("oauth-client-attestation", "b".parse().unwrap());
    let small = TokenEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(32),
        DefaultTokenPolicy,
    );
    let cases = [
        (endpoint.handle(&get).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint
                .handle(&form_post("/token", "grant_type=%ZZ"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&two_auth).await, StatusCode::BAD_REQUEST),
        (endpoint.handle(&two_dpop).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle(&two_attestations).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            small.handle(&form_post("/token", &"a".repeat(64))).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    // The client used the Authorization header: 401 with its scheme (RFC 6749 5.2).
    let response = endpoint.handle(&broken_basic).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(&response)["error"], "invalid_client");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"token\""
    );
    assert_eq!(any.calls_async().await, 0);
}

// ---------------------------------------------------------------- Send

fn assert_send<T: Send>(_: T) {}

#[test]
fn handle_futures_are_send() {
    let server = MockServer::start();
    let request = form_post("/token", "grant_type=client_credentials");
    let default = endpoint(&server);
    assert_send(default.handle(&request));
    let app = app_endpoint(&server, App::default());
    assert_send(app.handle(&request));
    fn assert_clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    assert_clone_send_sync::<TokenEndpoint>();
    assert_clone_send_sync::<TokenEndpoint<App>>();
}

#[tokio::test]
async fn client_authentication_is_read_by_the_shared_reader() {
    let server = MockServer::start_async().await;
    let endpoint = endpoint(&server);
    check_client_authentication(
        &server,
        ClientAuthEndpoint {
            path: "/token",
            form: "grant_type=client_credentials",
            realm: "token",
            operation: Operation::AuthToken,
            unauthorized_action: "INVALID_CLIENT",
            handle: |request| {
                let endpoint = endpoint.clone();
                async move { endpoint.handle(&request).await }
            },
        },
    )
    .await;
}

/// RFC 6749 section 3.2: `grant_type`, `code` or `redirect_uri` twice never reach Authlete.
#[tokio::test]
async fn repeated_parameters_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = answer(
        &server,
        Operation::AuthToken,
        json!({"action": "OK", "responseContent": TOKEN_JSON}),
    );
    let endpoint = endpoint(&server);
    for body in [
        "grant_type=authorization_code&code=c1&grant_type=client_credentials",
        "grant_type=authorization_code&code=c1&code=c2",
        "grant_type=authorization_code&code=c1&redirect_uri=a&redirect_uri=b",
        "grant_type=refresh_token&refresh_token=r&scope=a&scope=b",
    ] {
        let response = endpoint.handle(&form_post("/token", body)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
        assert!(
            json(&response)["error_description"]
                .as_str()
                .unwrap()
                .contains("appears more than once")
        );
    }
    assert_eq!(any.calls_async().await, 0);
    // `resource` and `audience` may repeat (RFC 8707, RFC 8693).
    let response = endpoint
        .handle(&form_post(
            "/token",
            "grant_type=client_credentials&client_id=app&resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb&audience=x&audience=y",
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(any.calls_async().await, 1);
}

#[tokio::test]
async fn the_dpop_nonce_requirement_reaches_authlete_and_its_nonce_the_client() {
    let server = MockServer::start_async().await;
    let required = server.auth_token_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(r#"{"dpop":"h.p.s","dpopNonceRequired":true}"#);
        then.into_inner().status(200).json_body(json!({
            "action": "BAD_REQUEST",
            "responseContent": r#"{"error":"use_dpop_nonce"}"#,
            "dpopNonce": "n-9"
        }));
    });
    let endpoint = endpoint(&server).with_dpop_nonce_required(true);
    let mut request = form_post("/token", "grant_type=client_credentials&client_id=app");
    request
        .headers_mut()
        .insert("dpop", "h.p.s".parse().unwrap());
    let response = endpoint.handle(&request).await;
    required.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "use_dpop_nonce");
    assert_eq!(response.headers()["dpop-nonce"], "n-9");
    assert_no_store(&response);
    required.delete_async().await;

    // Not required: the field is left out, and the service's setting applies.
    let not_sent = server.auth_token_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_excludes(r#"{"dpopNonceRequired":true}"#);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": TOKEN_JSON}));
    });
    let response = self::endpoint(&server)
        .with_dpop_nonce_required(false)
        .handle(&request)
        .await;
    not_sent.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}
