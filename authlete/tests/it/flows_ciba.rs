//! CIBA: the backchannel authentication endpoint (every action of `/backchannel/authentication`,
//! `/fail` and `/issue`, every check of the user, hostile requests, Authlete failures) and
//! the completion with the delivery of notifications.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authlete::flows::ciba::{
    BackchannelAuthenticationEndpoint, CibaAuthentication, CibaCompletion, CibaUsers,
    CompletionOutcome, HintType, NotificationError, completion_request,
};
use authlete::flows::request::RequestExtras;
use authlete::flows::{ClientCertificateSource, FlowSettings, Proxy};
use authlete::types::{BackchannelAuthenticationCompleteRequestResult as Decision, Property};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;

use crate::flows_support::{
    ClientAuthEndpoint, Operation, SERVICE, assert_generic_500, assert_no_store,
    check_client_authentication, client, form_post, json, text,
};

const PARAMS: &str = "scope=openid&login_hint=alice&binding_message=W4SCT";
const ERROR_JSON: &str = r#"{"error":"invalid_request"}"#;
const ISSUED_JSON: &str = r#"{"auth_req_id":"req-1","expires_in":120,"interval":5}"#;

// ---------------------------------------------------------------------------------------
// The application's side.

/// Users for the tests: everyone but "nobody" exists; records what it is asked.
#[derive(Clone, Default)]
struct Users {
    expired: bool,
    good_code: Option<&'static str>,
    found: Arc<Mutex<Vec<String>>>,
    started: Arc<Mutex<Vec<CibaAuthentication<String>>>>,
}

impl CibaUsers for Users {
    type User = String;

    async fn find_user(
        &self,
        hint_type: &HintType,
        hint: &str,
        sub: Option<&str>,
    ) -> Option<String> {
        self.found.lock().unwrap().push(format!(
            "{}|{hint}|{}",
            hint_type.as_str(),
            sub.unwrap_or("-")
        ));
        match hint_type {
            HintType::IdTokenHint => sub.map(str::to_owned),
            _ => (hint != "nobody").then(|| hint.to_owned()),
        }
    }

    async fn login_hint_token_expired(&self, _login_hint_token: &str) -> bool {
        self.expired
    }

    async fn check_user_code(&self, _user: &String, user_code: &str) -> bool {
        self.good_code == Some(user_code)
    }

    async fn start_authentication(&self, authentication: CibaAuthentication<String>) {
        self.started.lock().unwrap().push(authentication);
    }
}

impl Users {
    fn found(&self) -> Vec<String> {
        self.found.lock().unwrap().clone()
    }

    fn started(&self) -> usize {
        self.started.lock().unwrap().len()
    }
}

/// An application that implements only what it must: the defaults apply.
struct Minimal;

impl CibaUsers for Minimal {
    type User = String;

    async fn find_user(&self, _: &HintType, hint: &str, _: Option<&str>) -> Option<String> {
        Some(hint.to_owned())
    }

    async fn start_authentication(&self, _: CibaAuthentication<String>) {}
}

fn endpoint(server: &MockServer, users: &Users) -> BackchannelAuthenticationEndpoint<Users> {
    BackchannelAuthenticationEndpoint::new(client(server), FlowSettings::default(), users.clone())
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn request() -> Request<authlete::flows::Bytes> {
    form_post("/bc-authorize", PARAMS)
}

// ---------------------------------------------------------------------------------------
// Authlete's side.

async fn authentication(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE).into_inner();
        then.into_inner().status(200).json_body(body);
    })
}

/// `USER_IDENTIFICATION` with a login hint, and `extra` fields.
async fn identification(server: &MockServer, extra: Value) -> httpmock::Mock<'_> {
    let mut body = json!({
        "action": "USER_IDENTIFICATION",
        "ticket": "t-1",
        "hintType": "LOGIN_HINT",
        "hint": "alice",
        "bindingMessage": "W4SCT",
        "clientName": "Bank app",
        "scopes": [{"name": "openid"}],
        "acrs": ["urn:acr:mfa"],
        "deliveryMode": "POLL",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    authentication(server, body).await
}

async fn fail<'a>(server: &'a MockServer, reason: &str, answer: Value) -> httpmock::Mock<'a> {
    let reason = reason.to_owned();
    server.backchannel_authentication_fail_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"ticket": "t-1", "reason": reason}));
        then.into_inner().status(200).json_body(answer);
    })
}

async fn issue(server: &MockServer, answer: Value) -> httpmock::Mock<'_> {
    server.backchannel_authentication_issue_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"ticket": "t-1"}));
        then.into_inner().status(200).json_body(answer);
    })
}

async fn issue_ok(server: &MockServer) -> httpmock::Mock<'_> {
    issue(
        server,
        json!({"action": "OK", "authReqId": "req-1", "expiresIn": 120, "interval": 5,
               "responseContent": ISSUED_JSON}),
    )
    .await
}

fn fail_bad_request() -> Value {
    json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"unknown_user_id"}"#})
}

// ---------------------------------------------------------------------------------------
// /backchannel/authentication

#[tokio::test]
async fn user_identification_then_issue_is_200_and_starts_the_authentication() {
    let server = MockServer::start_async().await;
    let cert_body = "MIIBszCCAVmgAwIBAgIUQ2FsbA==";
    let sent = server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(
                json!({
                    "parameters": PARAMS,
                    "clientId": "bank", "clientSecret": "s3cret",
                    "oauthClientAttestation": "att.jwt",
                    "oauthClientAttestationPop": "pop.jwt",
                })
                .to_string(),
            )
            .is_true(move |request| {
                let body: Value = serde_json::from_slice(request.body().as_ref()).unwrap();
                body["clientCertificate"]
                    .as_str()
                    .is_some_and(|c| c.contains(cert_body))
            });
        then.into_inner().status(200).json_body(json!({
            "action": "USER_IDENTIFICATION", "ticket": "t-1",
            "hintType": "LOGIN_HINT", "hint": "alice", "bindingMessage": "W4SCT",
            "clientName": "Bank app", "scopes": [{"name": "openid"}],
            "acrs": ["urn:acr:mfa"], "deliveryMode": "POLL",
        }));
    });
    let issued = issue_ok(&server).await;
    let users = Users::default();
    let settings = FlowSettings::default().with_proxy(Proxy::default().with_client_certificate(
        ClientCertificateSource::Header {
            name: http::HeaderName::from_static("x-ssl-cert"),
            chain_prefix: None,
        },
    ));
    let endpoint = BackchannelAuthenticationEndpoint::new(client(&server), settings, users.clone());
    let mut request = request();
    let headers = request.headers_mut();
    headers.insert(
        header::AUTHORIZATION,
        basic("bank", "s3cret").parse().unwrap(),
    );
    headers.insert("oauth-client-attestation", "att.jwt".parse().unwrap());
    headers.insert("oauth-client-attestation-pop", "pop.jwt".parse().unwrap());
    headers.insert(
        "x-ssl-cert",
        format!("-----BEGIN CERTIFICATE----- {cert_body} -----END CERTIFICATE-----")
            .parse()
            .unwrap(),
    );
    let response = endpoint.handle(&request).await;
    sent.assert_async().await;
    issued.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), ISSUED_JSON);
    assert_eq!(users.found(), ["login_hint|alice|-"]);
    let started = users.started.lock().unwrap();
    assert_eq!(started.len(), 1);
    let authentication = &started[0];
    assert_eq!(authentication.ticket, "t-1");
    assert_eq!(authentication.auth_req_id, "req-1");
    assert_eq!(authentication.expires_in, Some(120));
    assert_eq!(authentication.user, "alice");
    assert_eq!(
        authentication.request.binding_message.as_deref(),
        Some("W4SCT")
    );
    assert_eq!(
        authentication.request.client_name.as_deref(),
        Some("Bank app")
    );
    assert_eq!(
        authentication.request.scopes[0].name.as_deref(),
        Some("openid")
    );
    assert_eq!(authentication.request.acrs, ["urn:acr:mfa"]);
}

#[tokio::test]
async fn a_certificate_from_the_request_extras_is_passed_on() {
    let server = MockServer::start_async().await;
    let sent = server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body_includes(
            json!({"clientCertificate": "PEM", "clientCertificatePath": ["CHAIN"]}).to_string(),
        );
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}));
    });
    let mut request = request();
    request
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(
            "PEM",
            vec!["CHAIN".into()],
        ));
    let response = endpoint(&server, &Users::default()).handle(&request).await;
    sent.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_json() {
    let server = MockServer::start_async().await;
    authentication(
        &server,
        json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
    )
    .await;
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), ERROR_JSON);
    assert!(users.found().is_empty());
}

#[tokio::test]
async fn unauthorized_is_401_with_a_basic_challenge_however_the_client_authenticated() {
    let server = MockServer::start_async().await;
    authentication(
        &server,
        json!({"action": "UNAUTHORIZED", "responseContent": r#"{"error":"invalid_client"}"#}),
    )
    .await;
    let mut with_basic = request();
    with_basic.headers_mut().insert(
        header::AUTHORIZATION,
        basic("bank", "wrong").parse().unwrap(),
    );
    let response = endpoint(&server, &Users::default())
        .handle(&with_basic)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"backchannel\""
    );
    assert_eq!(json(&response)["error"], "invalid_client");

    let in_form = form_post("/bc-authorize", &format!("{PARAMS}&client_id=bank"));
    let response = endpoint(&server, &Users::default()).handle(&in_form).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"backchannel\""
    );
    assert_eq!(json(&response)["error"], "invalid_client");
}

#[tokio::test]
async fn internal_server_error_is_500() {
    let server = MockServer::start_async().await;
    authentication(
        &server,
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
    )
    .await;
    let response = endpoint(&server, &Users::default())
        .handle(&request())
        .await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn an_unknown_or_missing_action_is_a_generic_500() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        authentication(&server, body).await;
        let response = endpoint(&server, &Users::default())
            .handle(&request())
            .await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = endpoint(&server, &Users::default())
        .handle(&request())
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));

    let server = MockServer::start_async().await;
    server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(503).body("busy");
    });
    let response = endpoint(&server, &Users::default())
        .handle(&request())
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_no_store(&response);
    assert_eq!(json(&response)["error"], "temporarily_unavailable");
}

// ---------------------------------------------------------------------------------------
// The checks of USER_IDENTIFICATION and /backchannel/authentication/fail

#[tokio::test]
async fn an_unknown_user_is_refused_with_unknown_user_id() {
    let server = MockServer::start_async().await;
    identification(&server, json!({"hint": "nobody"})).await;
    let failed = fail(&server, "UNKNOWN_USER_ID", fail_bad_request()).await;
    let issued = issue_ok(&server).await;
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    failed.assert_async().await;
    assert_eq!(issued.calls_async().await, 0);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_no_store(&response);
    assert_eq!(json(&response)["error"], "unknown_user_id");
    assert_eq!(users.started(), 0);
}

#[tokio::test]
async fn a_missing_hint_is_an_unknown_user_without_asking_the_application() {
    let server = MockServer::start_async().await;
    authentication(
        &server,
        json!({"action": "USER_IDENTIFICATION", "ticket": "t-1", "hintType": "LOGIN_HINT"}),
    )
    .await;
    let failed = fail(&server, "UNKNOWN_USER_ID", fail_bad_request()).await;
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    failed.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(users.found().is_empty());
}

#[tokio::test]
async fn an_id_token_hint_finds_the_user_by_sub() {
    let server = MockServer::start_async().await;
    identification(
        &server,
        json!({"hintType": "ID_TOKEN_HINT", "hint": "eyJ.id.token", "sub": "user-42"}),
    )
    .await;
    issue_ok(&server).await;
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(users.found(), ["id_token_hint|eyJ.id.token|user-42"]);
    assert_eq!(users.started.lock().unwrap()[0].user, "user-42");
}

#[tokio::test]
async fn an_expired_login_hint_token_is_refused() {
    let server = MockServer::start_async().await;
    identification(
        &server,
        json!({"hintType": "LOGIN_HINT_TOKEN", "hint": "lht.jwt"}),
    )
    .await;
    let failed = fail(
        &server,
        "EXPIRED_LOGIN_HINT_TOKEN",
        json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"expired_login_hint_token"}"#}),
    )
    .await;
    let users = Users {
        expired: true,
        ..Users::default()
    };
    let response = endpoint(&server, &users).handle(&request()).await;
    failed.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "expired_login_hint_token");
    assert_eq!(users.started(), 0);
}

#[tokio::test]
async fn a_valid_login_hint_token_is_accepted() {
    let server = MockServer::start_async().await;
    identification(
        &server,
        json!({"hintType": "LOGIN_HINT_TOKEN", "hint": "lht.jwt"}),
    )
    .await;
    issue_ok(&server).await;
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(users.found(), ["login_hint_token|lht.jwt|-"]);
}

#[tokio::test]
async fn a_required_user_code_must_be_present() {
    let server = MockServer::start_async().await;
    identification(&server, json!({"userCodeRequired": true})).await;
    let failed = fail(
        &server,
        "MISSING_USER_CODE",
        json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"missing_user_code"}"#}),
    )
    .await;
    let users = Users {
        good_code: Some("1234"),
        ..Users::default()
    };
    let response = endpoint(&server, &users).handle(&request()).await;
    failed.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "missing_user_code");
}

#[tokio::test]
async fn a_wrong_user_code_is_refused() {
    let server = MockServer::start_async().await;
    identification(
        &server,
        json!({"userCodeRequired": true, "userCode": "9999"}),
    )
    .await;
    let failed = fail(
        &server,
        "INVALID_USER_CODE",
        json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"invalid_user_code"}"#}),
    )
    .await;
    let users = Users {
        good_code: Some("1234"),
        ..Users::default()
    };
    let response = endpoint(&server, &users).handle(&request()).await;
    failed.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_user_code");
}

#[tokio::test]
async fn the_right_user_code_is_accepted() {
    let server = MockServer::start_async().await;
    identification(
        &server,
        json!({"userCodeRequired": true, "userCode": "1234"}),
    )
    .await;
    issue_ok(&server).await;
    let users = Users {
        good_code: Some("1234"),
        ..Users::default()
    };
    let response = endpoint(&server, &users).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(users.started(), 1);
}

#[tokio::test]
async fn by_default_user_codes_are_refused_and_long_binding_messages_too() {
    let server = MockServer::start_async().await;
    identification(
        &server,
        json!({"userCodeRequired": true, "userCode": "1234"}),
    )
    .await;
    let failed = fail(&server, "INVALID_USER_CODE", fail_bad_request()).await;
    let minimal =
        BackchannelAuthenticationEndpoint::new(client(&server), FlowSettings::default(), Minimal);
    assert_eq!(
        minimal.handle(&request()).await.status(),
        StatusCode::BAD_REQUEST
    );
    failed.assert_async().await;

    let server = MockServer::start_async().await;
    identification(&server, json!({"bindingMessage": "x".repeat(101)})).await;
    let failed = fail(&server, "INVALID_BINDING_MESSAGE", fail_bad_request()).await;
    let minimal =
        BackchannelAuthenticationEndpoint::new(client(&server), FlowSettings::default(), Minimal);
    assert_eq!(
        minimal.handle(&request()).await.status(),
        StatusCode::BAD_REQUEST
    );
    failed.assert_async().await;
}

#[tokio::test]
async fn an_invalid_binding_message_is_refused() {
    let server = MockServer::start_async().await;
    identification(&server, json!({"bindingMessage": "pay\u{7}now"})).await;
    let failed = fail(
        &server,
        "INVALID_BINDING_MESSAGE",
        json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"invalid_binding_message"}"#}),
    )
    .await;
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    failed.assert_async().await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_binding_message");
    assert_eq!(users.started(), 0);
}

#[tokio::test]
async fn fail_forbidden_is_403() {
    let server = MockServer::start_async().await;
    identification(&server, json!({"hint": "nobody"})).await;
    fail(
        &server,
        "UNKNOWN_USER_ID",
        json!({"action": "FORBIDDEN", "responseContent": r#"{"error":"access_denied"}"#}),
    )
    .await;
    let response = endpoint(&server, &Users::default())
        .handle(&request())
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(json(&response)["error"], "access_denied");
}

#[tokio::test]
async fn fail_internal_server_error_unknown_and_failures_are_500() {
    for answer in [
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        identification(&server, json!({"hint": "nobody"})).await;
        fail(&server, "UNKNOWN_USER_ID", answer).await;
        let response = endpoint(&server, &Users::default())
            .handle(&request())
            .await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }

    let server = MockServer::start_async().await;
    identification(&server, json!({"hint": "nobody"})).await;
    server.backchannel_authentication_fail_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A000001", "resultMessage": "secret detail"}));
    });
    let response = endpoint(&server, &Users::default())
        .handle(&request())
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("secret detail"));
}

// ---------------------------------------------------------------------------------------
// /backchannel/authentication/issue

#[tokio::test]
async fn issue_errors_are_500_and_start_nothing() {
    for answer in [
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
        json!({"action": "INVALID_TICKET", "responseContent": r#"{"error":"server_error","error_description":"ticket detail"}"#}),
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"action": "OK", "responseContent": ISSUED_JSON}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        identification(&server, json!({})).await;
        let issued = issue(&server, answer).await;
        let users = Users::default();
        let response = endpoint(&server, &users).handle(&request()).await;
        issued.assert_async().await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("detail"));
        assert_eq!(users.started(), 0);
    }

    let server = MockServer::start_async().await;
    identification(&server, json!({})).await;
    server.backchannel_authentication_issue_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(500).body("boom");
    });
    let users = Users::default();
    let response = endpoint(&server, &users).handle(&request()).await;
    assert_generic_500(&response);
    assert_eq!(users.started(), 0);
}

#[tokio::test]
async fn user_identification_without_a_ticket_is_a_generic_500() {
    let server = MockServer::start_async().await;
    authentication(
        &server,
        json!({"action": "USER_IDENTIFICATION", "hintType": "LOGIN_HINT", "hint": "alice"}),
    )
    .await;
    let response = endpoint(&server, &Users::default())
        .handle(&request())
        .await;
    assert_generic_500(&response);
}

// ---------------------------------------------------------------------------------------
// Hostile requests and Send-ness

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "BAD_REQUEST"}));
        })
        .await;
    let endpoint = endpoint(&server, &Users::default());
    let get = Request::get(format!("/bc-authorize?{PARAMS}"))
        .body(Default::default())
        .unwrap();
    let json_body = Request::post("/bc-authorize")
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"login_hint":"alice"}"#.into())
        .unwrap();
    let mut two_auth = request();
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, basic("a", "b").parse().unwrap());
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, basic("c", "d").parse().unwrap());
    let mut broken_basic = request();
    broken_basic
        .headers_mut()
        .insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
    let mut two_attestations = request();
    two_attestations
        .headers_mut()
        .append("oauth-client-attestation", "a".parse().unwrap());
    two_attestations
        .headers_mut()
        .append("oauth-client-attestation", "b".parse().unwrap());
    let mut binary_attestation = request();
    binary_attestation.headers_mut().insert(
        "oauth-client-attestation-pop",
        http::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    let small = BackchannelAuthenticationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
        Users::default(),
    );
    let cases = [
        (endpoint.handle(&get).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint
                .handle(&form_post("/bc-authorize", "login_hint=%G1"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&form_post("/bc-authorize", "login_hint=a\u{0}"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&two_auth).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle(&two_attestations).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&binary_attestation).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            small
                .handle(&form_post("/bc-authorize", &"t".repeat(64)))
                .await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    let response = endpoint.handle(&broken_basic).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(&response)["error"], "invalid_client");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"backchannel\""
    );
    assert_eq!(any.calls_async().await, 0);
}

fn assert_send<T: Send>(_: T) {}

#[test]
fn handler_and_completion_futures_are_send() {
    let server = MockServer::start();
    let endpoint = endpoint(&server, &Users::default());
    let request = request();
    assert_send(endpoint.handle(&request));
    let minimal =
        BackchannelAuthenticationEndpoint::new(client(&server), FlowSettings::default(), Minimal);
    assert_send(minimal.handle(&request));
    let completion = CibaCompletion::new(client(&server));
    let decision = completion_request("t-1", Decision::Authorized, "alice");
    assert_send(completion.complete(&decision));
    fn assert_sync<T: Send + Sync>(_: &T) {}
    assert_sync(&endpoint);
    assert_sync(&completion);
}

// ---------------------------------------------------------------------------------------
// Completion: /backchannel/authentication/complete and the notification

async fn complete(server: &MockServer, answer: Value) -> httpmock::Mock<'_> {
    server.backchannel_authentication_complete_api(|when, then| {
        when.service_id(SERVICE).into_inner();
        then.into_inner().status(200).json_body(answer);
    })
}

fn notification_answer(endpoint: &str, mode: &str, content: &str) -> Value {
    json!({
        "action": "NOTIFICATION",
        "deliveryMode": mode,
        "authReqId": "req-1",
        "clientNotificationEndpoint": endpoint,
        "clientNotificationToken": "notif-token-8d2",
        "responseContent": content,
    })
}

fn decision() -> authlete::types::BackchannelAuthenticationCompleteRequest {
    completion_request("t-1", Decision::Authorized, "alice")
}

#[tokio::test]
async fn no_action_in_poll_mode_sends_the_decision_and_does_nothing_more() {
    let server = MockServer::start_async().await;
    let sent = server.backchannel_authentication_complete_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "ticket": "t-1", "result": "AUTHORIZED", "subject": "alice",
            "authTime": 1_700_000_000, "acr": "urn:acr:mfa",
            "claims": r#"{"name":"Alice"}"#, "scopes": ["openid", "payment"],
            "properties": [{"key": "k", "value": "v", "hidden": true}],
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "NO_ACTION", "deliveryMode": "POLL"}));
    });
    let mut request = decision();
    request.auth_time = Some(1_700_000_000);
    request.acr = Some("urn:acr:mfa".into());
    request.claims = Some(r#"{"name":"Alice"}"#.into());
    request.scopes = vec!["openid".into(), "payment".into()];
    request.properties = vec![Property {
        key: Some("k".into()),
        value: Some("v".into()),
        hidden: Some(true),
    }];
    let outcome = CibaCompletion::new(client(&server))
        .complete(&request)
        .await;
    sent.assert_async().await;
    assert!(matches!(outcome, CompletionOutcome::NoAction));
    assert!(outcome.is_success());
}

#[tokio::test]
async fn denials_and_failures_are_sent_with_their_result() {
    for (result, wire) in [
        (Decision::AccessDenied, "ACCESS_DENIED"),
        (Decision::TransactionFailed, "TRANSACTION_FAILED"),
    ] {
        let server = MockServer::start_async().await;
        let sent = server.backchannel_authentication_complete_api(|when, then| {
            when.service_id(SERVICE).into_inner().json_body(json!({
                "ticket": "t-1", "result": wire, "subject": "alice",
                "errorDescription": "the user said no",
            }));
            then.into_inner()
                .status(200)
                .json_body(json!({"action": "NO_ACTION"}));
        });
        let mut request = completion_request("t-1", result, "alice");
        request.error_description = Some("the user said no".into());
        let outcome = CibaCompletion::new(client(&server))
            .complete(&request)
            .await;
        sent.assert_async().await;
        assert!(matches!(outcome, CompletionOutcome::NoAction));
    }
}

#[tokio::test]
async fn notification_is_posted_with_the_bearer_token_and_the_content() {
    let server = MockServer::start_async().await;
    let client_side = MockServer::start_async().await;
    let content = r#"{"auth_req_id":"req-1"}"#;
    complete(
        &server,
        notification_answer(&client_side.url("/ciba/notify"), "PING", content),
    )
    .await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    let notified = client_side
        .mock_async(|when, then| {
            when.method("POST")
                .path("/ciba/notify")
                .header("authorization", "Bearer notif-token-8d2")
                .header("content-type", "application/json")
                .json_body(json!({"auth_req_id": "req-1"}));
            then.status(204);
        })
        .await;
    let outcome = CibaCompletion::new(client(&server))
        .complete(&decision())
        .await;
    notified.assert_async().await;
    assert!(
        matches!(outcome, CompletionOutcome::Notified { status } if status == StatusCode::NO_CONTENT)
    );
    assert!(outcome.is_success());
}

#[tokio::test]
async fn push_mode_notifications_carry_the_tokens() {
    let server = MockServer::start_async().await;
    let client_side = MockServer::start_async().await;
    let content =
        r#"{"auth_req_id":"req-1","access_token":"at-1","token_type":"Bearer","id_token":"a.b.c"}"#;
    complete(
        &server,
        notification_answer(&client_side.url("/cb"), "PUSH", content),
    )
    .await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    let notified = client_side
        .mock_async(|when, then| {
            when.method("POST")
                .path("/cb")
                .header("authorization", "Bearer notif-token-8d2")
                .body(content);
            then.status(200);
        })
        .await;
    let outcome = CibaCompletion::new(client(&server))
        .complete(&decision())
        .await;
    notified.assert_async().await;
    assert!(matches!(outcome, CompletionOutcome::Notified { status } if status == StatusCode::OK));
}

#[tokio::test]
async fn a_5xx_from_the_client_is_a_reported_failure_and_can_be_delivered_again() {
    let server = MockServer::start_async().await;
    let client_side = MockServer::start_async().await;
    complete(
        &server,
        notification_answer(
            &client_side.url("/cb"),
            "PING",
            r#"{"auth_req_id":"req-1"}"#,
        ),
    )
    .await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    let failing = client_side
        .mock_async(|when, then| {
            when.path("/cb");
            then.status(503);
        })
        .await;
    let completion = CibaCompletion::new(client(&server));
    let outcome = completion.complete(&decision()).await;
    failing.assert_async().await;
    let CompletionOutcome::NotificationFailed {
        notification,
        error,
    } = outcome
    else {
        panic!("expected a failed notification, got {outcome:?}");
    };
    assert!(
        matches!(error, NotificationError::Status(status) if status == StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(notification.auth_req_id.as_deref(), Some("req-1"));
    assert!(!format!("{notification:?} {error}").contains("notif-token-8d2"));

    failing.delete_async().await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    let again = client_side
        .mock_async(|when, then| {
            when.path("/cb")
                .header("authorization", "Bearer notif-token-8d2");
            then.status(204);
        })
        .await;
    assert_eq!(
        completion.deliver(&notification).await.unwrap(),
        StatusCode::NO_CONTENT
    );
    again.assert_async().await;
}

#[tokio::test]
async fn a_slow_client_is_a_timeout() {
    let server = MockServer::start_async().await;
    let client_side = MockServer::start_async().await;
    complete(
        &server,
        notification_answer(
            &client_side.url("/cb"),
            "PING",
            r#"{"auth_req_id":"req-1"}"#,
        ),
    )
    .await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    client_side
        .mock_async(|when, then| {
            when.path("/cb");
            then.status(204).delay(Duration::from_secs(3));
        })
        .await;
    let completion =
        CibaCompletion::new(client(&server)).with_notification_timeout(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let outcome = completion.complete(&decision()).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(
            outcome,
            CompletionOutcome::NotificationFailed {
                error: NotificationError::Timeout(_),
                ..
            }
        ),
        "{outcome:?}"
    );
    assert!(!outcome.is_success());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start_async().await;
    let client_side = MockServer::start_async().await;
    complete(
        &server,
        notification_answer(
            &client_side.url("/cb"),
            "PING",
            r#"{"auth_req_id":"req-1"}"#,
        ),
    )
    .await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    client_side
        .mock_async(|when, then| {
            when.path("/cb");
            then.status(307)
                .header("location", client_side.url("/elsewhere"));
        })
        .await;
    // Raw on purpose: the client's notification endpoint, not an Authlete operation.
    let elsewhere = client_side
        .mock_async(|when, then| {
            when.path("/elsewhere");
            then.status(204);
        })
        .await;
    let outcome = CibaCompletion::new(client(&server))
        .complete(&decision())
        .await;
    assert!(matches!(
        outcome,
        CompletionOutcome::NotificationFailed {
            error: NotificationError::Status(status),
            ..
        } if status == StatusCode::TEMPORARY_REDIRECT
    ));
    assert_eq!(elsewhere.calls_async().await, 0);
}

#[tokio::test]
async fn an_unreachable_client_is_a_transport_failure() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let server = MockServer::start_async().await;
    complete(
        &server,
        notification_answer(
            &format!("http://127.0.0.1:{port}/cb"),
            "PING",
            r#"{"auth_req_id":"req-1"}"#,
        ),
    )
    .await;
    let outcome = CibaCompletion::new(client(&server))
        .complete(&decision())
        .await;
    assert!(
        matches!(
            outcome,
            CompletionOutcome::NotificationFailed {
                error: NotificationError::Transport(_),
                ..
            }
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_notification_without_endpoint_or_token_is_not_sent() {
    let client_side = MockServer::start_async().await;
    let any = client_side
        .mock_async(|_, then| {
            then.status(204);
        })
        .await;
    let cases = [
        (
            json!({"action": "NOTIFICATION", "clientNotificationToken": "tok", "responseContent": "{}"}),
            "missing endpoint",
        ),
        (
            json!({"action": "NOTIFICATION", "clientNotificationEndpoint": client_side.url("/cb"), "responseContent": "{}"}),
            "missing token",
        ),
        (
            json!({"action": "NOTIFICATION", "clientNotificationEndpoint": "ftp://client.example/cb",
                   "clientNotificationToken": "tok", "responseContent": "{}"}),
            "invalid endpoint",
        ),
        (
            json!({"action": "NOTIFICATION", "clientNotificationEndpoint": client_side.url("/cb"),
                   "clientNotificationToken": "tok\nInjected: 1", "responseContent": "{}"}),
            "invalid token",
        ),
    ];
    for (answer, case) in cases {
        let server = MockServer::start_async().await;
        complete(&server, answer).await;
        let outcome = CibaCompletion::new(client(&server))
            .complete(&decision())
            .await;
        let CompletionOutcome::NotificationFailed { error, .. } = outcome else {
            panic!("{case}: {outcome:?}");
        };
        let expected = match case {
            "missing endpoint" => matches!(error, NotificationError::MissingEndpoint),
            "missing token" => matches!(error, NotificationError::MissingToken),
            "invalid endpoint" => matches!(error, NotificationError::InvalidEndpoint),
            _ => matches!(error, NotificationError::InvalidToken),
        };
        assert!(expected, "{case}: {error:?}");
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn server_error_unknown_actions_and_failures_are_reported() {
    for answer in [
        json!({"action": "SERVER_ERROR", "resultMessage": "ticket gone"}),
        json!({"action": "SOMETHING_NEW"}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        complete(&server, answer).await;
        let outcome = CibaCompletion::new(client(&server))
            .complete(&decision())
            .await;
        assert!(
            matches!(outcome, CompletionOutcome::ServerError),
            "{outcome:?}"
        );
        assert!(!outcome.is_success());
    }

    let server = MockServer::start_async().await;
    server.backchannel_authentication_complete_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A000001", "resultMessage": "bad"}));
    });
    let outcome = CibaCompletion::new(client(&server))
        .complete(&decision())
        .await;
    let CompletionOutcome::Failed(authlete::Error::Api(error)) = outcome else {
        panic!("expected an API error, got {outcome:?}");
    };
    assert_eq!(error.status(), 400);
}

// ---------------------------------------------------------------------------------------
// The notification token never reaches the log.

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_notification_token_is_never_logged() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start_async().await;
    let client_side = MockServer::start_async().await;
    for status in [204, 500] {
        let answer = notification_answer(
            &client_side.url(format!("/cb{status}")),
            "PUSH",
            r#"{"auth_req_id":"req-1"}"#,
        );
        let mock = complete(&server, answer).await;
        // Raw on purpose: the client's notification endpoint, not an Authlete operation.
        client_side
            .mock_async(|when, then| {
                when.path(format!("/cb{status}"));
                then.status(status);
            })
            .await;
        CibaCompletion::new(client(&server))
            .complete(&decision())
            .await;
        mock.delete_async().await;
    }
    let logged = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("CIBA notification"), "{logged}");
    assert!(!logged.contains("notif-token-8d2"), "{logged}");
}

#[tokio::test]
async fn client_authentication_is_read_by_the_shared_reader() {
    let server = MockServer::start_async().await;
    let endpoint = endpoint(&server, &Users::default());
    check_client_authentication(
        &server,
        ClientAuthEndpoint {
            path: "/bc-authorize",
            form: "scope=openid&login_hint=alice",
            realm: "backchannel",
            operation: Operation::BackchannelAuthentication,
            unauthorized_action: "UNAUTHORIZED",
            handle: |request| {
                let endpoint = endpoint.clone();
                async move { endpoint.handle(&request).await }
            },
        },
    )
    .await;
}
