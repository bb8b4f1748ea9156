//! The device flow: the device authorization endpoint (every action, hostile requests,
//! Authlete failures), and the verification and completion steps of the verification page.

use authlete::flows::FlowSettings;
use authlete::flows::device::{
    CompletionOutcome, DeviceAuthorizationEndpoint, DeviceFlow, VerificationOutcome,
    completion_request,
};
use authlete::flows::request::RequestExtras;
use authlete::types::{DeviceCompleteRequestResult as Decision, Property};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    ClientAuthEndpoint, Operation, SERVICE, assert_generic_500, assert_no_store,
    check_client_authentication, client, form_post, json, text,
};

const PARAMS: &str = "client_id=tv&scope=openid%20video";
const ERROR_JSON: &str = r#"{"error":"invalid_request"}"#;
const CODES_JSON: &str = r#"{"device_code":"dc-secret","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","expires_in":600,"interval":5}"#;

fn endpoint(server: &MockServer) -> DeviceAuthorizationEndpoint {
    DeviceAuthorizationEndpoint::new(client(server), FlowSettings::default())
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn request() -> Request<authlete::flows::Bytes> {
    form_post("/device_authorization", PARAMS)
}

fn answer<'a>(server: &'a MockServer, operation: Operation, body: Value) -> httpmock::Mock<'a> {
    operation.mock(server, |_, then| {
        then.status(200).json_body(body);
    })
}

// ---------------------------------------------------------------------------------------
// /device/authorization

#[tokio::test]
async fn ok_is_200_with_the_codes_and_passes_the_client_authentication() {
    let server = MockServer::start_async().await;
    let sent = server.device_authorization_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": PARAMS,
            "clientId": "tv", "clientSecret": "s3cret",
            "clientCertificate": "PEM", "clientCertificatePath": ["CHAIN"],
            "oauthClientAttestation": "att.jwt",
            "oauthClientAttestationPop": "pop.jwt",
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "OK", "responseContent": CODES_JSON,
            "deviceCode": "dc-secret", "userCode": "WDJB-MJHT",
        }));
    });
    let mut request = request();
    let headers = request.headers_mut();
    headers.insert(
        header::AUTHORIZATION,
        basic("tv", "s3cret").parse().unwrap(),
    );
    headers.insert("oauth-client-attestation", "att.jwt".parse().unwrap());
    headers.insert("oauth-client-attestation-pop", "pop.jwt".parse().unwrap());
    request
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(
            "PEM",
            vec!["CHAIN".into()],
        ));
    let response = endpoint(&server).handle(&request).await;
    sent.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), CODES_JSON);
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_json() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::DeviceAuthorization,
        json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
    );
    let response = endpoint(&server).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), ERROR_JSON);
}

#[tokio::test]
async fn unauthorized_is_401_with_a_basic_challenge_however_the_client_authenticated() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::DeviceAuthorization,
        json!({"action": "UNAUTHORIZED", "responseContent": r#"{"error":"invalid_client"}"#}),
    );
    let mut with_basic = request();
    with_basic
        .headers_mut()
        .insert(header::AUTHORIZATION, basic("tv", "wrong").parse().unwrap());
    let response = endpoint(&server).handle(&with_basic).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"device_authorization\""
    );
    assert_eq!(json(&response)["error"], "invalid_client");

    let response = endpoint(&server).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"device_authorization\""
    );
    assert_eq!(json(&response)["error"], "invalid_client");
}

#[tokio::test]
async fn internal_server_error_is_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::DeviceAuthorization,
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
    );
    let response = endpoint(&server).handle(&request()).await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn an_unknown_or_missing_action_is_a_generic_500() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::DeviceAuthorization, body);
        let response = endpoint(&server).handle(&request()).await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.device_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = endpoint(&server).handle(&request()).await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));

    let server = MockServer::start_async().await;
    server.device_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(503).body("busy");
    });
    let response = endpoint(&server).handle(&request()).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_no_store(&response);
    assert_eq!(json(&response)["error"], "temporarily_unavailable");
}

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = endpoint(&server);
    let get = Request::get(format!("/device_authorization?{PARAMS}"))
        .body(Default::default())
        .unwrap();
    let put = Request::put("/device_authorization")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(PARAMS.into())
        .unwrap();
    let no_type = Request::post("/device_authorization")
        .body(PARAMS.into())
        .unwrap();
    let not_utf8 = Request::post("/device_authorization")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(authlete::flows::Bytes::from_static(b"client_id=\xff"))
        .unwrap();
    let mut two_types = request();
    two_types.headers_mut().append(
        header::CONTENT_TYPE,
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let mut two_auth = request();
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, basic("a", "b").parse().unwrap());
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, basic("c", "d").parse().unwrap());
    let mut no_colon = request();
    no_colon.headers_mut().insert(
        header::AUTHORIZATION,
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("no-colon")
        )
        .parse()
        .unwrap(),
    );
    let mut two_pops = request();
    two_pops
        .headers_mut()
        .append("oauth-client-attestation-pop", "a".parse().unwrap());
    two_pops
        .headers_mut()
        .append("oauth-client-attestation-pop", "b".parse().unwrap());
    let small = DeviceAuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
    );
    let cases = [
        (endpoint.handle(&get).await, StatusCode::METHOD_NOT_ALLOWED),
        (endpoint.handle(&put).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&no_type).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (endpoint.handle(&not_utf8).await, StatusCode::BAD_REQUEST),
        (endpoint.handle(&two_types).await, StatusCode::BAD_REQUEST),
        (
            endpoint
                .handle(&form_post("/device_authorization", "scope=%"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&two_auth).await, StatusCode::BAD_REQUEST),
        (endpoint.handle(&two_pops).await, StatusCode::BAD_REQUEST),
        (
            small
                .handle(&form_post("/device_authorization", &"t".repeat(64)))
                .await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    let response = endpoint.handle(&no_colon).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(&response)["error"], "invalid_client");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"device_authorization\""
    );
    assert_eq!(any.calls_async().await, 0);
}

// ---------------------------------------------------------------------------------------
// /device/verification

#[tokio::test]
async fn a_valid_user_code_gives_what_the_page_shows() {
    let server = MockServer::start_async().await;
    let sent = server.device_verification_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"userCode": "WDJB-MJHT"}));
        then.into_inner().status(200).json_body(json!({
            "action": "VALID", "clientId": 1234, "clientName": "Living room TV",
            "scopes": [{"name": "openid"}, {"name": "video"}],
            "claimNames": ["name"], "acrs": ["urn:acr:pwd"],
            "expiresAt": 1_700_000_600_000_i64,
        }));
    });
    let outcome = DeviceFlow::new(client(&server))
        .verify("  WDJB-MJHT \n")
        .await;
    sent.assert_async().await;
    let VerificationOutcome::Valid { user_code, details } = outcome else {
        panic!("expected VALID, got {outcome:?}");
    };
    assert_eq!(user_code, "WDJB-MJHT");
    assert_eq!(details.client_id, Some(1234));
    assert_eq!(details.client_name.as_deref(), Some("Living room TV"));
    let scopes: Vec<_> = details
        .scopes
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert_eq!(scopes, ["openid", "video"]);
    assert_eq!(details.claim_names, ["name"]);
    assert_eq!(details.acrs, ["urn:acr:pwd"]);
    assert_eq!(details.expires_at, Some(1_700_000_600_000));
    assert_eq!(details.action, None);
}

#[tokio::test]
async fn expired_and_unknown_user_codes() {
    for (action, expected) in [("EXPIRED", "Expired"), ("NOT_EXIST", "NotFound")] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::DeviceVerification,
            json!({"action": action}),
        );
        let outcome = DeviceFlow::new(client(&server)).verify("WDJB-MJHT").await;
        let matched = match expected {
            "Expired" => matches!(outcome, VerificationOutcome::Expired),
            _ => matches!(outcome, VerificationOutcome::NotFound),
        };
        assert!(matched, "{action}: {outcome:?}");
    }
}

#[tokio::test]
async fn verification_server_errors_and_unknown_actions() {
    for body in [
        json!({"action": "INTERNAL_SERVER_ERROR", "resultMessage": "db down"}),
        json!({"action": "SOMETHING_NEW"}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::DeviceVerification, body);
        let outcome = DeviceFlow::new(client(&server)).verify("WDJB-MJHT").await;
        assert!(
            matches!(outcome, VerificationOutcome::ServerError),
            "{outcome:?}"
        );
    }

    let server = MockServer::start_async().await;
    server.device_verification_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let outcome = DeviceFlow::new(client(&server)).verify("WDJB-MJHT").await;
    let VerificationOutcome::Failed(authlete::Error::Api(error)) = outcome else {
        panic!("expected an API error, got {outcome:?}");
    };
    assert_eq!(error.status(), 401);
}

#[tokio::test]
async fn malformed_user_codes_are_not_found_without_asking_authlete() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "VALID"}));
        })
        .await;
    let flow = DeviceFlow::new(client(&server));
    for code in ["", "   ", "WDJB\u{0}MJHT", "AB\r\nCD", &"A".repeat(129)] {
        let outcome = flow.verify(code).await;
        assert!(
            matches!(outcome, VerificationOutcome::NotFound),
            "{code:?}: {outcome:?}"
        );
    }
    assert_eq!(any.calls_async().await, 0);
}

// ---------------------------------------------------------------------------------------
// /device/complete

#[tokio::test]
async fn success_sends_the_decision() {
    let server = MockServer::start_async().await;
    let sent = server.device_complete_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "userCode": "WDJB-MJHT", "result": "AUTHORIZED", "subject": "john",
            "authTime": 1_700_000_000, "acr": "urn:acr:pwd",
            "claims": r#"{"name":"John"}"#, "scopes": ["openid"],
            "properties": [{"key": "device", "value": "tv"}],
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "SUCCESS"}));
    });
    let mut request = completion_request("WDJB-MJHT", Decision::Authorized, "john");
    request.auth_time = Some(1_700_000_000);
    request.acr = Some("urn:acr:pwd".into());
    request.claims = Some(r#"{"name":"John"}"#.into());
    request.scopes = vec!["openid".into()];
    request.properties = vec![Property {
        key: Some("device".into()),
        value: Some("tv".into()),
        hidden: None,
    }];
    let outcome = DeviceFlow::new(client(&server)).complete(&request).await;
    sent.assert_async().await;
    assert!(matches!(outcome, CompletionOutcome::Success), "{outcome:?}");
}

#[tokio::test]
async fn denials_and_failures_are_sent_with_their_result() {
    for (result, wire) in [
        (Decision::AccessDenied, "ACCESS_DENIED"),
        (Decision::TransactionFailed, "TRANSACTION_FAILED"),
    ] {
        let server = MockServer::start_async().await;
        let sent = server.device_complete_api(|when, then| {
            when.service_id(SERVICE).into_inner().json_body(json!({
                "userCode": "WDJB-MJHT", "result": wire, "subject": "john",
                "errorDescription": "denied",
            }));
            then.into_inner()
                .status(200)
                .json_body(json!({"action": "SUCCESS"}));
        });
        let mut request = completion_request("WDJB-MJHT", result, "john");
        request.error_description = Some("denied".into());
        let outcome = DeviceFlow::new(client(&server)).complete(&request).await;
        sent.assert_async().await;
        assert!(matches!(outcome, CompletionOutcome::Success), "{outcome:?}");
    }
}

#[tokio::test]
async fn every_completion_action_has_its_outcome() {
    let request = completion_request("WDJB-MJHT", Decision::Authorized, "john");
    for action in [
        "INVALID_REQUEST",
        "USER_CODE_EXPIRED",
        "USER_CODE_NOT_EXIST",
        "SERVER_ERROR",
        "SOMETHING_NEW",
        "",
    ] {
        let server = MockServer::start_async().await;
        let body = if action.is_empty() {
            json!({})
        } else {
            json!({"action": action})
        };
        answer(&server, Operation::DeviceComplete, body);
        let outcome = DeviceFlow::new(client(&server)).complete(&request).await;
        let matched = match action {
            "INVALID_REQUEST" => matches!(outcome, CompletionOutcome::InvalidRequest),
            "USER_CODE_EXPIRED" => matches!(outcome, CompletionOutcome::UserCodeExpired),
            "USER_CODE_NOT_EXIST" => matches!(outcome, CompletionOutcome::UserCodeNotFound),
            _ => matches!(outcome, CompletionOutcome::ServerError),
        };
        assert!(matched, "{action}: {outcome:?}");
    }

    let server = MockServer::start_async().await;
    server.device_complete_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(503).body("busy");
    });
    let outcome = DeviceFlow::new(client(&server)).complete(&request).await;
    let CompletionOutcome::Failed(error) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(error.is_retryable());
}

// ---------------------------------------------------------------------------------------
// Send-ness

fn assert_send<T: Send>(_: T) {}

#[test]
fn handler_futures_are_send() {
    let server = MockServer::start();
    let endpoint = endpoint(&server);
    let request = request();
    assert_send(endpoint.handle(&request));
    let flow = DeviceFlow::new(client(&server));
    assert_send(flow.verify("WDJB-MJHT"));
    let decision = completion_request("WDJB-MJHT", Decision::Authorized, "john");
    assert_send(flow.complete(&decision));
}

#[tokio::test]
async fn client_authentication_is_read_by_the_shared_reader() {
    let server = MockServer::start_async().await;
    let endpoint = endpoint(&server);
    check_client_authentication(
        &server,
        ClientAuthEndpoint {
            path: "/device_authorization",
            form: "scope=openid",
            realm: "device_authorization",
            operation: Operation::DeviceAuthorization,
            unauthorized_action: "UNAUTHORIZED",
            handle: |request| {
                let endpoint = endpoint.clone();
                async move { endpoint.handle(&request).await }
            },
        },
    )
    .await;
}
